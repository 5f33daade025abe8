// Public surface of @orderflow/telemetry: logging with trace/correlation ids, the OTel SDK bootstrap, Kafka trace propagation, Prometheus metrics.
export { createLogger, REDACTED_PATHS, type Logger, type LoggerConfig } from './logger.js';
export { currentLogContext, withLogContext, type LogContext } from './log-context.js';
export { startTelemetry, type TelemetryConfig, type TelemetryHandle } from './sdk.js';
export type { InstrumentationName } from './instrumentations.js';
export {
  extractTraceContext,
  injectTraceHeaders,
  w3cPropagator,
  type KafkaHeaderValue,
} from './trace-propagation.js';
export { withSpan, type WithSpanOptions } from './spans.js';
// Re-exported so callers can name span kinds and contexts without their own @opentelemetry/api import.
export { SpanKind, type Context } from '@opentelemetry/api';
export {
  METRIC_PREFIX,
  METRICS_CONTENT_TYPE,
  metricsRegistry,
  metricsText,
} from './metrics-registry.js';
export {
  createMessagingMetrics,
  messagingMetrics,
  type ConsumeOutcome,
  type MessagingMetrics,
} from './messaging-metrics.js';
export {
  httpRequestDuration,
  observeConsumerLag,
  observeSagas,
  type ConsumerLagRow,
  type SagaCounts,
} from './platform-metrics.js';
