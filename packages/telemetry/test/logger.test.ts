import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { createLogger, currentLogContext, withLogContext } from '../src/index.js';
import { captureLines } from './support/captured-lines.js';
import { startInMemoryTracing } from './support/in-memory-tracing.js';

const tracing = startInMemoryTracing();
afterAll(() => tracing.stop());

function newLogger() {
  const capture = captureLines();
  return {
    ...capture,
    logger: createLogger({ service: 'order-service', level: 'debug' }, capture.destination),
  };
}

describe('createLogger', () => {
  let traceId = '';
  let spanId = '';
  let lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const captured = newLogger();
    lines = captured.lines;
    await trace.getTracer('test').startActiveSpan('handle OrderPlaced', async (span) => {
      ({ traceId, spanId } = span.spanContext());
      await withLogContext(
        { correlationId: 'corr-1', messageId: 'msg-1', causationId: 'cause-1' },
        async () => {
          await nextTurn(); // the ids must survive an async hop, as in a real handler
          captured.logger.info({ orderId: 'o-1' }, 'reserved stock');
        },
      );
      span.end();
    });
  });

  it('puts the active trace and the log context on a line written deep inside a handler', () => {
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'order-service',
      level: 'info',
      msg: 'reserved stock',
      orderId: 'o-1',
      correlationId: 'corr-1',
      messageId: 'msg-1',
      causationId: 'cause-1',
      traceId,
      spanId,
    });
    expect(traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });

  it('logs the trace id of a span the SDK actually recorded', () => {
    const recorded = tracing.exporter.getFinishedSpans().map((span) => span.spanContext().traceId);
    expect(recorded).toContain(lines[0]?.traceId);
  });

  it('writes no ids outside a span and outside a log context', () => {
    const { logger, lines: outside } = newLogger();
    logger.info('startup');
    expect(outside[0]).toMatchObject({ service: 'order-service', msg: 'startup' });
    for (const key of ['traceId', 'spanId', 'correlationId', 'messageId', 'causationId']) {
      expect(outside[0]).not.toHaveProperty(key);
    }
  });

  it('redacts credentials and payment tokens', () => {
    const { logger, lines: redacted } = newLogger();
    logger.info({
      headers: { authorization: 'Bearer secret', accept: 'json' },
      payment: { token: 'tok_live_123', amount: 42 },
      user: { password: 'hunter2', name: 'ada' },
    });
    const line = JSON.stringify(redacted[0]);
    for (const secret of ['Bearer secret', 'tok_live_123', 'hunter2'])
      expect(line).not.toContain(secret);
    expect(redacted[0]).toMatchObject({
      headers: { accept: 'json' },
      payment: { amount: 42 },
      user: { name: 'ada' },
    });
  });

  it('honours the level', () => {
    const capture = captureLines();
    const logger = createLogger({ service: 's', level: 'warn' }, capture.destination);
    logger.info('dropped');
    logger.warn('kept');
    expect(capture.lines.map((line) => line.msg)).toEqual(['kept']);
  });

  it('refuses pretty output to a custom destination rather than silently ignoring one of them', () => {
    expect(() =>
      createLogger({ service: 's', level: 'info', pretty: true }, captureLines().destination),
    ).toThrow(/pretty/);
  });
});

describe('withLogContext', () => {
  it('nests: inner ids override, outer ids are inherited, and nothing leaks out', async () => {
    const seen = await withLogContext({ correlationId: 'corr-1', messageId: 'outer' }, async () => {
      const inner = await withLogContext(
        { messageId: 'inner', causationId: undefined },
        async () => {
          await nextTurn();
          return currentLogContext();
        },
      );
      return { inner, outer: currentLogContext() };
    });
    expect(seen.inner).toEqual({ correlationId: 'corr-1', messageId: 'inner' });
    expect(seen.outer).toEqual({ correlationId: 'corr-1', messageId: 'outer' });
    expect(currentLogContext()).toEqual({});
  });

  it('keeps concurrent handlers apart', async () => {
    const handle = (id: string, delayTurns: number) =>
      withLogContext({ correlationId: id }, async () => {
        for (let turn = 0; turn < delayTurns; turn += 1) await nextTurn();
        return currentLogContext().correlationId;
      });
    await expect(Promise.all([handle('a', 3), handle('b', 1), handle('c', 2)])).resolves.toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
