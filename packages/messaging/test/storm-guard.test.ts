import { describe, expect, it } from '@jest/globals';
import { StormGuard } from '../src/storm-guard.js';

/** A guard on a fake clock: waiting advances time, so tests are exact and instant. */
function guard(ratePerSecond: number, burst: number, maxDepth = 3) {
  let now = 0;
  const waits: number[] = [];
  const g = new StormGuard({
    ratePerSecond,
    burst,
    maxDepth,
    now: () => now,
    wait: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  return { g, waits, elapsed: () => now };
}

describe('StormGuard', () => {
  it('lets a burst through at once, then throttles to the rate without dropping anything', async () => {
    const { g, waits, elapsed } = guard(10, 5);
    for (let i = 0; i < 25; i++) await g.admit('orders.OrderPlaced');
    expect(g.throttled).toBe(20);
    expect(waits.every((w) => w > 0)).toBe(true);
    // 5 free, then 20 more at 10/s.
    expect(elapsed()).toBeGreaterThanOrEqual(2_000);
    expect(elapsed()).toBeLessThan(2_100);
  });

  it('keeps one bucket per message type', async () => {
    const { g } = guard(1, 1);
    await g.admit('a');
    await g.admit('b');
    expect(g.throttled).toBe(0);
    await g.admit('a');
    expect(g.throttled).toBe(1);
  });

  it('refills over time', async () => {
    const { g, elapsed } = guard(100, 1);
    await g.admit('a');
    await g.admit('a');
    expect(elapsed()).toBe(10);
  });

  it('rejects a message whose causation chain is longer than allowed', () => {
    const { g } = guard(10, 10, 3);
    expect(() => g.checkDepth('saga.ReserveInventory', 3)).not.toThrow();
    expect(() => g.checkDepth('saga.ReserveInventory', 4)).toThrow(/causation depth 4 exceeds 3/);
  });
});
