import { context, propagation, type Context } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { stringHeaders } from './envelope.js';

/**
 * W3C trace context through Kafka, explicitly: the producer's active context goes into the
 * envelope (and so through the outbox, however late the relay sends it), and a consumer's
 * handler runs in the context extracted from the record. No-ops until an OTel SDK is started.
 */
export function currentTraceHeaders(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

export function contextFromHeaders(
  headers: IHeaders | Record<string, string> | undefined,
): Context {
  return propagation.extract(context.active(), stringHeaders(headers));
}
