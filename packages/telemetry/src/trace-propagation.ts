import {
  context,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';

/** A Kafka header value as kafkajs delivers it (bytes from the broker, strings when built locally). */
export type KafkaHeaderValue = string | Buffer | readonly (string | Buffer)[] | undefined;

/**
 * W3C trace context + baggage, used both as the SDK's global propagator and, directly, for Kafka
 * headers: CloudEvents' tracing extension fixes `traceparent`/`tracestate`, so message headers
 * stay W3C even if someone reconfigures the global propagator, and work before an SDK starts.
 */
export const w3cPropagator: TextMapPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

const kafkaHeaderGetter: TextMapGetter<Readonly<Record<string, KafkaHeaderValue>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return value.map((item) => (typeof item === 'string' ? item : item.toString('utf8')));
  },
};

const stringHeaderSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * Writes `traceparent` (+ `tracestate`, `baggage`) for `from` (default: the active context) into
 * `headers` and returns them. Writes nothing when there is no valid span, so callers can always
 * call it. Store the result with the outbox row: the relay sends later, outside this context.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  from: Context = context.active(),
): Record<string, string> {
  w3cPropagator.inject(from, headers, stringHeaderSetter);
  return headers;
}

/**
 * The context a consumer should handle a record in: `base` (default: the active context) with the
 * remote parent span from the record's headers. Without a valid `traceparent`, returns `base`.
 */
export function extractTraceContext(
  headers: Readonly<Record<string, KafkaHeaderValue>>,
  base: Context = context.active(),
): Context {
  return w3cPropagator.extract(base, headers, kafkaHeaderGetter);
}
