export { loadStackConfig, kafkaBrokers, registryUrl, type StackConfig } from './config.js';
export { migrate, serviceDatabaseUrl } from './components/postgres.js';
export {
  up,
  down,
  provision,
  status,
  withBrokerOutage,
  INFRASTRUCTURE,
  COMPONENTS,
  type Component,
  type UpResult,
} from './stack.js';
export { StackError } from './errors.js';
