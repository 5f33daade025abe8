import { describe, expect, it } from '@jest/globals';
import {
  isTrackingNumber,
  s10CheckDigit,
  trackingNumber,
} from '../../src/domain/tracking-number.js';

describe('tracking numbers', () => {
  it('computes the UPU S10 check digit (worked example 47312482 → 9)', () => {
    expect(s10CheckDigit('47312482')).toBe(9);
  });

  it('maps the S10 remainders 1 → 0 and 0 → 5 (11 - 10 and 11 - 11)', () => {
    expect(s10CheckDigit('00000008')).toBe(0); // weighted sum 56 ≡ 1 (mod 11)
    expect(s10CheckDigit('00000015')).toBe(5); // weighted sum 44 ≡ 0 (mod 11)
  });

  it('formats a serial as OF + 8 digits + check digit', () => {
    expect(trackingNumber(47312482)).toBe('OF473124829');
    expect(trackingNumber(1)).toBe('OF000000014'); // 1 × 7 = 7 → 11 - 7
  });

  it('gives distinct serials distinct numbers that validate', () => {
    const numbers = Array.from({ length: 1000 }, (_, i) => trackingNumber(i + 1));
    expect(new Set(numbers).size).toBe(1000);
    expect(numbers.every(isTrackingNumber)).toBe(true);
  });

  it('detects a mistyped digit', () => {
    expect(isTrackingNumber('OF473124829')).toBe(true);
    expect(isTrackingNumber('OF473124828')).toBe(false);
    expect(isTrackingNumber('OF473124329')).toBe(false);
  });

  it('refuses serials outside 1..99,999,999', () => {
    for (const serial of [0, -1, 100_000_000, 1.5])
      expect(() => trackingNumber(serial)).toThrow(RangeError);
  });
});
