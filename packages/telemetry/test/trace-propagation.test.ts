import { afterAll, describe, expect, it } from '@jest/globals';
import { propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext, injectTraceHeaders, SpanKind, withSpan } from '../src/index.js';
import { startInMemoryTracing } from './support/in-memory-tracing.js';

const tracing = startInMemoryTracing();
afterAll(() => tracing.stop());

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('Kafka trace headers', () => {
  it('inject → extract round-trips so the consumer span joins the producer trace', async () => {
    const headers: Record<string, string> = { ce_id: 'msg-1' };
    const producer = await withSpan('publish OrderPlaced', { kind: SpanKind.PRODUCER }, (span) => {
      injectTraceHeaders(headers);
      return span.spanContext();
    });
    expect(headers.traceparent).toMatch(TRACEPARENT);
    expect(headers.ce_id).toBe('msg-1');

    // As the consumer sees it: bytes from the broker, and no ambient context from the producer.
    const received = Object.fromEntries(
      Object.entries(headers).map(([key, value]) => [key, Buffer.from(value)]),
    );
    const parent = extractTraceContext(received, ROOT_CONTEXT);
    const consumer = await withSpan(
      'process OrderPlaced',
      { kind: SpanKind.CONSUMER, parent },
      (span) => span.spanContext(),
    );

    expect(consumer.traceId).toBe(producer.traceId);
    expect(consumer.spanId).not.toBe(producer.spanId);
    const finished = tracing.exporter
      .getFinishedSpans()
      .find((span) => span.name === 'process OrderPlaced');
    expect(finished?.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(finished?.kind).toBe(SpanKind.CONSUMER);
  });

  it('carries baggage along with the trace', () => {
    const withBaggage = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    const headers = injectTraceHeaders({}, withBaggage);
    const extracted = extractTraceContext(headers, ROOT_CONTEXT);
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('writes nothing without an active span, and extracting nothing yields the base context', () => {
    expect(injectTraceHeaders({}, ROOT_CONTEXT)).toEqual({});
    const extracted = extractTraceContext({ traceparent: undefined, other: 'x' }, ROOT_CONTEXT);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it('ignores a malformed traceparent instead of failing the consumer', () => {
    const extracted = extractTraceContext({ traceparent: 'not-a-traceparent' }, ROOT_CONTEXT);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });
});

describe('withSpan', () => {
  it('records the exception and ERROR status on the span, and rethrows', async () => {
    const failure = new Error('stock service unavailable');
    await expect(
      withSpan('reserve stock', { attributes: { 'order.id': 'o-1' } }, () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);

    const span = tracing.exporter
      .getFinishedSpans()
      .find((finished) => finished.name === 'reserve stock');
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'stock service unavailable',
    });
    expect(span?.attributes['order.id']).toBe('o-1');
    const exception = span?.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('stock service unavailable');
  });

  it('makes its span the active one, so nested spans and logs join it, and ends it on success', async () => {
    const { outer, inner } = await withSpan('outer', {}, async (span) => {
      const nested = await withSpan('inner', {}, (child) => child.spanContext());
      return { outer: span.spanContext(), inner: nested };
    });
    expect(inner.traceId).toBe(outer.traceId);
    const finishedInner = tracing.exporter.getFinishedSpans().find((span) => span.name === 'inner');
    expect(finishedInner?.parentSpanContext?.spanId).toBe(outer.spanId);
    const finishedOuter = tracing.exporter.getFinishedSpans().find((span) => span.name === 'outer');
    expect(finishedOuter?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
