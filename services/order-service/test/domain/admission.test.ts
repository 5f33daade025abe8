import { describe, expect, it } from '@jest/globals';
import { backlogAgeMs, decideAdmission, type Backlog } from '../../src/domain/index.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const limits = { maxInFlight: 100, maxOldestAgeMs: 5_000 };
const placedAgo = (ms: number) => new Date(NOW.getTime() - ms);
const backlog = (inFlight: number, rankedAgeMs: number | null): Backlog => ({
  inFlight,
  rankedPlacedAt: rankedAgeMs === null ? null : placedAgo(rankedAgeMs),
});

describe('decideAdmission', () => {
  it('admits with nothing in flight', () => {
    expect(decideAdmission(backlog(0, null), limits, NOW)).toEqual({ admit: true });
  });

  it('admits below both bounds, and at exactly the age bound', () => {
    expect(decideAdmission(backlog(99, 4_999), limits, NOW)).toEqual({ admit: true });
    expect(decideAdmission(backlog(99, 5_000), limits, NOW)).toEqual({ admit: true });
  });

  it('refuses once the in-flight count reaches its bound, however young the backlog', () => {
    expect(decideAdmission(backlog(100, 10), limits, NOW)).toEqual({
      admit: false,
      reason: 'in_flight',
    });
  });

  it('refuses once the ranked order is older than the age bound, however few are in flight', () => {
    expect(decideAdmission(backlog(5, 5_001), limits, NOW)).toEqual({
      admit: false,
      reason: 'oldest_age',
    });
  });

  it('names the in-flight bound when both are past', () => {
    expect(decideAdmission(backlog(100, 60_000), limits, NOW)).toEqual({
      admit: false,
      reason: 'in_flight',
    });
  });

  it('ignores age when fewer orders than the rank are in flight (no ranked order)', () => {
    expect(decideAdmission(backlog(3, null), limits, NOW)).toEqual({ admit: true });
  });

  it('counts a placing time ahead of the clock as age 0, never as a refusal', () => {
    const skewed: Backlog = { inFlight: 1, rankedPlacedAt: new Date(NOW.getTime() + 60_000) };
    expect(backlogAgeMs(skewed, NOW)).toBe(0);
    expect(decideAdmission(skewed, limits, NOW)).toEqual({ admit: true });
  });
});
