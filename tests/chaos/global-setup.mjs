// Jest loads global setup outside its module system; tsx compiles the TypeScript setup here.
import { tsImport } from 'tsx/esm/api';

const { default: globalSetup } = await tsImport('./global-setup.ts', import.meta.url);
export default globalSetup;
