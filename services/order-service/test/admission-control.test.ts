import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, metricsText } from '@orderflow/telemetry';
import { AdmissionControl } from '../src/admission-control.js';
import type { Backlog } from '../src/domain/index.js';

/**
 * AdmissionControl with a fake backlog and clocks: one reading per window however many orders
 * ask, none while none ask, refusals counted and logged at most once a second, failures admitted.
 */
const NOW = new Date('2026-11-27T12:00:00.000Z');

function setup(initial: Backlog | Error) {
  let backlog: Backlog | Error = initial;
  let reads = 0;
  let monotonic = 0;
  const lines: { msg: string; [key: string]: unknown }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  const control = new AdmissionControl({
    read: () => {
      reads += 1;
      return backlog instanceof Error ? Promise.reject(backlog) : Promise.resolve(backlog);
    },
    limits: { maxInFlight: 10, maxOldestAgeMs: 5_000 },
    refreshMs: 250,
    retryAfterSeconds: 2,
    logger: createLogger({ service: 'order-service', level: 'info' }, sink),
    now: () => NOW,
    monotonicMs: () => monotonic,
  });
  return {
    control,
    reads: () => reads,
    lines,
    setBacklog: (next: Backlog | Error) => {
      backlog = next;
    },
    advance: (ms: number) => {
      monotonic += ms;
    },
  };
}

const full: Backlog = { inFlight: 10, rankedPlacedAt: NOW };
const empty: Backlog = { inFlight: 0, rankedPlacedAt: null };

async function refusalsCounted(reason: string): Promise<number> {
  const match = new RegExp(
    `^orderflow_order_admission_refusals_total\\{reason="${reason}"\\} (\\d+)$`,
    'm',
  );
  return Number(match.exec(await metricsText())?.[1]);
}

describe('AdmissionControl', () => {
  it('reads the backlog once per window, however many orders arrive, and again after it', async () => {
    const t = setup(empty);
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.control.check()));
    expect(answers.every((a) => a === undefined)).toBe(true);
    expect(t.reads()).toBe(1);

    t.advance(249);
    await t.control.check();
    expect(t.reads()).toBe(1);

    t.setBacklog(full);
    t.advance(1);
    expect(await t.control.check()).toEqual({ reason: 'in_flight', retryAfterSeconds: 2 });
    expect(t.reads()).toBe(2);
  });

  it('takes no reading while no order arrives', async () => {
    const t = setup(empty);
    await t.control.check();
    t.advance(60_000);
    expect(t.reads()).toBe(1);
  });

  it('counts every refusal, logs them at most once a second, and logs when it admits again', async () => {
    const t = setup(full);
    const before = await refusalsCounted('in_flight');
    for (let i = 0; i < 30; i += 1) {
      expect(await t.control.check()).toMatchObject({ reason: 'in_flight' });
      t.advance(50); // 30 refusals over 1.5 s
    }
    expect(await refusalsCounted('in_flight')).toBe(before + 30);
    const refusedLines = t.lines.filter((l) => l.msg.startsWith('orders refused'));
    expect(refusedLines).toHaveLength(2);
    expect(refusedLines[0]).toMatchObject({ reason: 'in_flight', inFlight: 10, maxInFlight: 10 });
    expect(refusedLines[1]).toMatchObject({ refusedSinceLastLog: 20 });

    t.setBacklog(empty);
    t.advance(250);
    expect(await t.control.check()).toBeUndefined();
    expect(t.lines.filter((l) => l.msg === 'orders admitted again')).toEqual([
      expect.objectContaining({ inFlight: 0, refusedSinceLastLog: 9 }),
    ]);
  });

  it('refuses on age alone and labels the refusal so', async () => {
    const t = setup({ inFlight: 2, rankedPlacedAt: new Date(NOW.getTime() - 6_000) });
    const before = await refusalsCounted('oldest_age');
    expect(await t.control.check()).toEqual({ reason: 'oldest_age', retryAfterSeconds: 2 });
    expect(await refusalsCounted('oldest_age')).toBe(before + 1);
  });

  it('admits when the backlog cannot be read, logs that at most once a second, and reads again next window', async () => {
    const t = setup(new Error('connection terminated'));
    for (let i = 0; i < 8; i += 1) {
      expect(await t.control.check()).toBeUndefined();
      t.advance(250);
    }
    expect(t.reads()).toBe(8);
    expect(t.lines.filter((l) => l.msg.startsWith('admission control cannot read'))).toHaveLength(
      2,
    );
    t.setBacklog(full);
    expect(await t.control.check()).toMatchObject({ reason: 'in_flight' });
  });
});
