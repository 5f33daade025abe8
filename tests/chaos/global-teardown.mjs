// Jest loads global teardown outside its module system; tsx compiles the TypeScript teardown here.
import { tsImport } from 'tsx/esm/api';

const { default: globalTeardown } = await tsImport('./global-teardown.ts', import.meta.url);
export default globalTeardown;
