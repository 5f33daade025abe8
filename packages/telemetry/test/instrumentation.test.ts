import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';

// A real process, started the way services start (`node --import instrument`), because module
// patching and the ESM loader hook cannot be observed inside jest's own module system.
const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const UPSTREAM_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const UPSTREAM_SPAN_ID = 'b7ad6b7169203331';
const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4 };
const STATUS_ERROR = 2;

describe('startTelemetry in an ESM service process', () => {
  let spans: ReceivedSpan[] = [];
  let logLines: Record<string, unknown>[] = [];
  const byName = (name: string) => spans.find((span) => span.name === name);

  beforeAll(async () => {
    const receiver = await startOtlpReceiver();
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@orderflow/source',
          '--import',
          fixture('instrument.ts'),
          fixture('instrumented-app.ts'),
        ],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: {
            ...process.env,
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
            FIXTURE_TRACEPARENT: `00-${UPSTREAM_TRACE_ID}-${UPSTREAM_SPAN_ID}-01`,
          },
          timeout: 90_000, // tsx compiles the whole OpenTelemetry stack first: slow on a loaded machine
        },
      );
      logLines = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      spans = receiver.spans; // shutdown() in the child flushed them before it exited
    } finally {
      await receiver.close();
    }
  }, 100_000);

  it('exports over OTLP/HTTP under the service name', () => {
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['fixture-service']));
  });

  it('continues the caller trace from an incoming HTTP traceparent', () => {
    const server = spans.find((span) => span.kind === SPAN_KIND.server);
    expect(server).toMatchObject({ traceId: UPSTREAM_TRACE_ID, parentSpanId: UPSTREAM_SPAN_ID });
  });

  it('does not trace metrics scrapes', () => {
    expect(spans.filter((span) => span.kind === SPAN_KIND.server)).toHaveLength(1);
  });

  it('patches pg and kafkajs even though the app imports them as ESM', () => {
    const handler = byName('handle PlaceOrder');
    const query = spans.find(
      (span) =>
        span.scope === '@opentelemetry/instrumentation-pg' &&
        span.kind === SPAN_KIND.client &&
        span.name.includes('SELECT'),
    );
    const send = byName('send orders');
    expect(handler).toMatchObject({ traceId: UPSTREAM_TRACE_ID, kind: SPAN_KIND.internal });
    expect(query).toMatchObject({
      traceId: UPSTREAM_TRACE_ID,
      parentSpanId: handler?.spanId,
      statusCode: STATUS_ERROR,
    });
    expect(send).toMatchObject({
      traceId: UPSTREAM_TRACE_ID,
      parentSpanId: handler?.spanId,
      kind: SPAN_KIND.producer,
    });
  });

  it('logs with the trace and correlation ids of the span that wrote the line', () => {
    const line = logLines.find((entry) => entry.msg === 'order placed');
    expect(line).toMatchObject({
      service: 'fixture-service',
      correlationId: 'corr-fixture',
      traceId: UPSTREAM_TRACE_ID,
      spanId: byName('handle PlaceOrder')?.spanId,
    });
  });
});
