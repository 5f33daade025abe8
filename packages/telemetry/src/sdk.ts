import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { hookEsmImports } from './esm-hooks.js';
import { createInstrumentation, type InstrumentationName } from './instrumentations.js';
import { w3cPropagator } from './trace-propagation.js';

export interface TelemetryConfig {
  /** Becomes the `service.name` resource attribute. */
  readonly service: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); without it spans are created but not exported. */
  readonly otlpEndpoint?: string | undefined;
  /**
   * Zipkin's span intake, e.g. `http://127.0.0.1:9411/api/v2/spans` (OTEL_EXPORTER_ZIPKIN_ENDPOINT,
   * which `./dev stack up --with tracing` sets). Zipkin 3.5 takes Zipkin JSON, not OTLP. Both
   * endpoints may be set: each gets every span.
   */
  readonly zipkinEndpoint?: string | undefined;
  readonly instrumentations: readonly InstrumentationName[];
}

export interface TelemetryHandle {
  /** Flushes pending spans and stops the SDK; call it last in graceful shutdown. */
  shutdown(): Promise<void>;
}

let started: { readonly service: string; readonly handle: TelemetryHandle } | undefined;

/**
 * Starts the OpenTelemetry SDK for this process. Instrumentations patch modules as they load, so
 * this must run before kafkajs, pg or fastify are imported: call it from an `instrument.ts` loaded
 * with `node --import` (see README). A second call returns the first handle; a second call for a
 * different service is a wiring bug and throws.
 */
export function startTelemetry(config: TelemetryConfig): TelemetryHandle {
  if (started !== undefined) {
    if (started.service !== config.service) {
      throw new Error(
        `startTelemetry: already started for "${started.service}", not "${config.service}"`,
      );
    }
    return started.handle;
  }
  hookEsmImports(config.instrumentations);
  const sdk = new NodeSDK({
    serviceName: config.service,
    textMapPropagator: w3cPropagator,
    instrumentations: config.instrumentations.map(createInstrumentation),
    spanProcessors: spanProcessors(config),
    // Metrics are Prometheus via prom-client and logs are pino on stdout; empty lists stop the SDK
    // from defaulting to OTLP metric/log exporters pointed at a collector that may not exist.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  const handle: TelemetryHandle = { shutdown: () => (stopping ??= sdk.shutdown()) };
  started = { service: config.service, handle };
  return handle;
}

function spanProcessors(config: TelemetryConfig): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  if (config.otlpEndpoint)
    processors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: tracesUrl(config.otlpEndpoint) }),
      }),
    );
  if (config.zipkinEndpoint)
    processors.push(
      new BatchSpanProcessor({ exporter: new ZipkinExporter({ url: config.zipkinEndpoint }) }),
    );
  // Without an endpoint we still want a real tracer provider: trace ids in logs and in Kafka
  // headers must exist and propagate even when nothing collects the spans.
  return processors.length > 0 ? processors : [new NoopSpanProcessor()];
}

// OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the spec appends the signal path for traces.
function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}
