/**
 * Tracking numbers in the shape of the UPU S10 standard used by postal carriers: a two-letter
 * prefix, an 8-digit serial and a mod-11 check digit (e.g. `OF000000014`). The serial comes from
 * a database sequence, so numbers are unique by construction (and by a UNIQUE constraint), short
 * enough to read out over the phone, and the check digit catches a mistyped digit. The caller
 * allocates the serial; this module only formats it, so it is pure.
 */
export const TRACKING_PREFIX = 'OF';
export const MAX_TRACKING_SERIAL = 99_999_999;

const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;

/** The S10 check digit of an 8-digit serial. */
export function s10CheckDigit(digits: string): number {
  if (!/^\d{8}$/.test(digits)) throw new RangeError(`expected 8 digits, got "${digits}"`);
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(digits[i]), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

export function trackingNumber(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 1 || serial > MAX_TRACKING_SERIAL)
    throw new RangeError(`tracking serial out of range: ${serial}`);
  const digits = String(serial).padStart(8, '0');
  return `${TRACKING_PREFIX}${digits}${s10CheckDigit(digits)}`;
}

export function isTrackingNumber(value: string): boolean {
  const match = /^OF(\d{8})(\d)$/.exec(value);
  return match !== null && s10CheckDigit(match[1] ?? '') === Number(match[2]);
}
