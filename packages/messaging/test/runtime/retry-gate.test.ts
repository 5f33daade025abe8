import { describe, expect, it } from '@jest/globals';
import { RetryGate } from '../../src/runtime/retry-gate.js';

const T0 = 1_800_000_000_000;
const DELAY = 10_000;

describe('RetryGate', () => {
  it('waits for the claimed not-before when it is within the tier delay', () => {
    const gate = new RetryGate();
    expect(gate.waitMs('t:0', '5', T0 + 3_000, DELAY, T0)).toBe(3_000);
    expect(gate.waitMs('t:0', '5', T0 + 3_000, DELAY, T0 + 3_000)).toBe(0);
  });

  it('runs a record whose not-before has passed at once', () => {
    expect(new RetryGate().waitMs('t:0', '5', T0 - 1, DELAY, T0)).toBe(0);
  });

  it('clamps a far-future claim to the tier delay from the first sighting, not from each fetch', () => {
    const gate = new RetryGate();
    const farFuture = T0 + 10 * 365 * 24 * 3_600_000;
    expect(gate.waitMs('t:0', '5', farFuture, DELAY, T0)).toBe(DELAY);
    // The fetch comes back to the same record mid-way: the remaining time, not a new delay.
    expect(gate.waitMs('t:0', '5', farFuture, DELAY, T0 + 4_000)).toBe(6_000);
    expect(gate.waitMs('t:0', '5', farFuture, DELAY, T0 + DELAY)).toBe(0);
  });

  it('waits the tier delay for a missing or unparseable claim, never NaN or a negative time', () => {
    const gate = new RetryGate();
    for (const claim of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const wait = gate.waitMs(`t:${claim}`, '1', claim, DELAY, T0);
      expect(wait).toBe(DELAY);
    }
  });

  it('starts over for another record or after clear()', () => {
    const gate = new RetryGate();
    gate.waitMs('t:0', '5', Number.NaN, DELAY, T0);
    expect(gate.waitMs('t:0', '6', Number.NaN, DELAY, T0 + 5_000)).toBe(DELAY);
    gate.waitMs('t:1', '5', Number.NaN, DELAY, T0);
    gate.clear();
    expect(gate.waitMs('t:1', '5', Number.NaN, DELAY, T0 + 5_000)).toBe(DELAY);
  });
});
