/**
 * The schema tooling as a library (`@orderflow/contracts/tooling`): what `./dev schemas` runs,
 * for tests and tools that must judge a schema change the way the CLI does.
 */
export { checkChain, type ChainVersion } from './compatibility-check.js';
export { checkSchemas, manifestExpectations, type CheckResult } from './check-schemas.js';
export { RegistryClient } from './registry-client.js';
