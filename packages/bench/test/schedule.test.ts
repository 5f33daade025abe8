import { describe, expect, it } from '@jest/globals';
import {
  arrivalCount,
  arrivalOffsetMs,
  dueCount,
  runOpenLoop,
  type Clock,
} from '../src/schedule.js';

/** A clock that only moves when slept on, by what was asked plus a fixed oversleep. */
function fakeClock(oversleepMs = 0): Clock & { sleeps: number[] } {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms + oversleepMs;
      return Promise.resolve();
    },
  };
}

describe('the arrival schedule', () => {
  it('spreads rate × duration arrivals evenly from 0', () => {
    expect(arrivalCount(30, 5)).toBe(150);
    expect(arrivalCount(0.5, 1)).toBe(1);
    expect(arrivalOffsetMs(0, 40)).toBe(0);
    expect(arrivalOffsetMs(3, 40)).toBe(75);
  });

  it('counts the arrivals due by an elapsed time, the first at 0', () => {
    expect(dueCount(-1, 10, 50)).toBe(0);
    expect(dueCount(0, 10, 50)).toBe(1);
    expect(dueCount(99, 10, 50)).toBe(1);
    expect(dueCount(100, 10, 50)).toBe(2);
    expect(dueCount(60_000, 10, 50)).toBe(50);
  });

  it('counts exact multiples of a fractional interval as due', () => {
    // 1000 / 30 is not a whole number of ms; arrival 3 is due at exactly 100 ms.
    expect(dueCount(100, 30, 100)).toBe(4);
  });
});

describe('runOpenLoop', () => {
  it('fires every arrival once, in order, at its due time', async () => {
    const clock = fakeClock();
    const fired: { index: number; dueAt: number; at: number }[] = [];
    const result = await runOpenLoop({
      ratePerSecond: 20,
      total: 5,
      clock,
      fire: (index, dueAt) => fired.push({ index, dueAt, at: clock.now() }),
    });
    expect(fired.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(fired.map((f) => f.dueAt)).toEqual([1000, 1050, 1100, 1150, 1200]);
    expect(fired.every((f) => f.at === f.dueAt)).toBe(true);
    expect(result).toEqual({ fired: 5, maxLateMs: 0, elapsedMs: 200 });
  });

  it('catches up on overdue arrivals at once and reports how late they were', async () => {
    const clock = fakeClock(120);
    const fired: number[] = [];
    const result = await runOpenLoop({
      ratePerSecond: 20,
      total: 6,
      clock,
      fire: (index) => fired.push(index),
    });
    expect(fired).toEqual([0, 1, 2, 3, 4, 5]);
    // Asleep 50 + 120 ms: arrivals 1-3 (due 50, 100, 150) fire together at 170.
    expect(clock.sleeps[0]).toBe(50);
    expect(result.maxLateMs).toBe(120);
    expect(result.fired).toBe(6);
  });

  it('does not wait for what it fired (the loop stays open)', async () => {
    const clock = fakeClock();
    let started = 0;
    await runOpenLoop({
      ratePerSecond: 100,
      total: 10,
      clock,
      fire: () => {
        started += 1;
        void new Promise(() => undefined); // a request that never answers
      },
    });
    expect(started).toBe(10);
  });

  it('stops early when asked', async () => {
    const clock = fakeClock();
    let fired = 0;
    const result = await runOpenLoop({
      ratePerSecond: 10,
      total: 100,
      clock,
      fire: () => {
        fired += 1;
      },
      stopped: () => fired >= 3,
    });
    expect(result.fired).toBe(3);
  });
});
