import { afterAll, describe, expect, it } from '@jest/globals';
import { context, propagation, trace } from '@opentelemetry/api';
import { injectTraceHeaders, startTelemetry, withSpan } from '../src/index.js';

// No endpoint and no instrumentations: the local-development shape, and safe inside jest
// (instrumentations would patch core modules shared with other test files).
const telemetry = startTelemetry({ service: 'order-service', instrumentations: [] });
afterAll(() => telemetry.shutdown());

describe('startTelemetry without an OTLP endpoint', () => {
  it('still installs a real tracer provider, so spans get ids that propagate', async () => {
    const { spanContext, headers, globalCarrier } = await withSpan('handle', {}, (span) => {
      const globalCarrier: Record<string, string> = {};
      propagation.inject(context.active(), globalCarrier);
      return { spanContext: span.spanContext(), headers: injectTraceHeaders({}), globalCarrier };
    });
    expect(spanContext.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(headers.traceparent).toBe(`00-${spanContext.traceId}-${spanContext.spanId}-01`);
    // The global propagator is W3C too, so instrumentations write the same header.
    expect(globalCarrier.traceparent).toBe(headers.traceparent);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('returns the same handle when called again for the same service', () => {
    expect(startTelemetry({ service: 'order-service', instrumentations: ['http'] })).toBe(
      telemetry,
    );
  });

  it('refuses a second start for another service', () => {
    expect(() => startTelemetry({ service: 'payment-service', instrumentations: [] })).toThrow(
      /already started for "order-service"/,
    );
  });

  it('shuts down once, however often it is asked', async () => {
    const first = telemetry.shutdown();
    expect(telemetry.shutdown()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});
