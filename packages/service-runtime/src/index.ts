// Public surface of @orderflow/service-runtime: HTTP shell, problem details, config loading, process lifecycle.
export {
  buildHttpApp,
  CORRELATION_HEADER,
  DEFAULT_BODY_LIMIT_BYTES,
  OVERSIZED_BODY_DRAIN_BYTES,
  toProblem,
  type HttpApp,
  type HttpAppOptions,
  type ReadinessChecks,
} from './http-app.js';
export {
  HttpProblem,
  notFound,
  PROBLEM_CONTENT_TYPE,
  problemType,
  statusTitle,
  type HttpProblemInit,
  type ProblemDetails,
} from './problem.js';
export {
  commonEnv,
  ConfigError,
  kafkaSecurityOf,
  loadConfig,
  port,
  z,
  type Env,
  type KafkaSecurityFields,
} from './config.js';
export { principalOf, routeAccess, type Access } from './security/access.js';
export {
  httpSecurity,
  securityEnv,
  type HttpSecurityOptions,
  type SecurityConfig,
} from './security/config.js';
export { clientKey } from './security/hardening.js';
export {
  runService,
  SHUTDOWN_SIGNALS,
  type RunningService,
  type RunServiceOptions,
  type SignalSource,
} from './run-service.js';
export {
  serviceEnv,
  serviceMain,
  type ServiceApp,
  type ServiceConfig,
  type ServiceDeps,
  type ServiceMainOptions,
} from './service-main.js';
