export {
  loadStackConfig,
  kafkaBrokers,
  KAFKA_SECURITY_MODES,
  type KafkaSecurityMode,
  registryUrl,
  serviceDatabaseName,
  servicePort,
  serviceUrl,
  type StackConfig,
} from './config.js';
export { migrate, serviceDatabaseUrl } from './components/postgres.js';
export {
  adminSecurity,
  kafkaClientEnv,
  passwordFile as kafkaPasswordFile,
  recordedMode as kafkaSecurityMode,
  SUPER_USER as KAFKA_SUPER_USER,
} from './components/kafka-security.js';
export {
  INSTANCE_PORT_STEP,
  MAX_INSTANCES,
  parseInstance,
  planInstances,
  serviceInstance,
  type InstanceComponent,
  type ServiceInstance,
} from './instances.js';
export { runningInstances } from './components/services.js';
export { PROMETHEUS } from './components/prometheus.js';
export { ZIPKIN } from './components/zipkin.js';
export { CONSOLE, consoleUrl } from './components/console.js';
export {
  up,
  down,
  provision,
  status,
  withBrokerOutage,
  crash,
  startComponent,
  componentPid,
  INFRASTRUCTURE,
  kafkaSecurityStatus,
  COMPONENTS,
  type Component,
  type Restartable,
  type UpResult,
} from './stack.js';
export { logFile, waitForExit } from './process.js';
export { StackError } from './errors.js';
export { renderTable } from './table.js';
// For tools that run more of Kafka's own jars (the benchmark's kafka-*-perf-test baselines).
export { VERSIONS } from './config.js';
export { resolveClasspath, type MavenDependency } from './maven.js';
export { javaBinary } from './preflight.js';
export { zipkinUrl } from './components/zipkin.js';
export { prometheusUrl } from './components/prometheus.js';
