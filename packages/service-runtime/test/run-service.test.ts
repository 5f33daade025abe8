import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { runService, type SignalSource } from '../src/index.js';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function harness() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  return {
    proc: signals as unknown as SignalSource,
    signal: (name: NodeJS.Signals) => signals.emit(name),
    exits,
    exit: (code: number) => exits.push(code),
  };
}

describe('runService', () => {
  it('stops on SIGTERM and exits 0', async () => {
    const h = harness();
    const events: string[] = [];
    const running = await runService({
      start: () => Promise.resolve(void events.push('start')),
      stop: () => Promise.resolve(void events.push('stop')),
      logger,
      process: h.proc,
      exit: h.exit,
    });
    h.signal('SIGTERM');
    expect(await running.stopped).toBe(0);
    expect(events).toEqual(['start', 'stop']);
    expect(h.exits).toEqual([0]);
  });

  it('exits 1 when stop overruns its bound', async () => {
    const h = harness();
    const running = await runService({
      start: () => Promise.resolve(),
      stop: () => new Promise(() => undefined),
      logger,
      shutdownTimeoutMs: 50,
      process: h.proc,
      exit: h.exit,
    });
    h.signal('SIGINT');
    expect(await running.stopped).toBe(1);
  });

  it('exits 1 when start fails, after releasing what started', async () => {
    const h = harness();
    let stopped = false;
    const running = await runService({
      start: () => Promise.reject(new Error('no database')),
      stop: () => Promise.resolve(void (stopped = true)),
      logger,
      process: h.proc,
      exit: h.exit,
    });
    expect(await running.stopped).toBe(1);
    expect(stopped).toBe(true);
  });

  it('exits 1 when stop throws', async () => {
    const h = harness();
    const running = await runService({
      start: () => Promise.resolve(),
      stop: () => Promise.reject(new Error('flush failed')),
      logger,
      process: h.proc,
      exit: h.exit,
    });
    expect(await running.shutdown('test')).toBe(1);
  });
});
