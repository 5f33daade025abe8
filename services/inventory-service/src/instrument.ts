// Process preload (node --import): starts tracing before the app imports pg or fastify.
import { startTelemetry } from '@orderflow/telemetry';

export const telemetry = startTelemetry({
  service: 'inventory-service',
  otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, // OTel's standard variable; unset = no export
  zipkinEndpoint: process.env.OTEL_EXPORTER_ZIPKIN_ENDPOINT, // set by `./dev stack up --with tracing`
  // No 'kafkajs': messaging carries trace context in the outbox rows itself (telemetry README).
  instrumentations: ['http', 'fastify', 'pg'],
});
