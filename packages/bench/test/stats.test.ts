import { describe, expect, it } from '@jest/globals';
import { percentile, slope, summarize } from '../src/stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns a measured value at the rank that covers p % of the samples', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7, 9, 30], 50)).toBe(9);
    expect(percentile([7, 9, 30], 99)).toBe(30);
  });

  it('never interpolates between samples', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
  });

  it('refuses no samples and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, mean and the percentiles', () => {
    const values = [30, 10, 20, 40];
    expect(summarize(values)).toEqual({
      count: 4,
      min: 10,
      mean: 25,
      p50: 20,
      p95: 40,
      p99: 40,
      max: 40,
    });
    expect(values).toEqual([30, 10, 20, 40]);
  });

  it('is undefined for no samples', () => {
    expect(summarize([])).toBeUndefined();
  });
});

describe('slope', () => {
  it('is the least-squares trend of y over x', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })))).toBeCloseTo(2);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: x % 2 === 0 ? 0 : 10 })))).toBeCloseTo(2);
  });

  it('is 0 with fewer than two distinct x', () => {
    expect(slope([])).toBe(0);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
    expect(
      slope([
        { x: 1, y: 5 },
        { x: 1, y: 9 },
      ]),
    ).toBe(0);
  });
});
