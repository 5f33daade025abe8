import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../src/backoff.js';

const policy = { attempts: 5, baseMs: 100, maxMs: 1_000 };

describe('backoffDelay (exponential, full jitter)', () => {
  it('doubles the ceiling per retry up to the maximum', () => {
    const ceiling = (retry: number) => backoffDelay(policy, retry, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(ceiling)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws uniformly below the ceiling', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
  });
});
