/** Exponential backoff with full jitter (AWS architecture blog): spreads retries of many consumers. */
export interface BackoffPolicy {
  /** Attempts in process, the first one included; 1 means no in-process retry. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 3, baseMs: 100, maxMs: 2_000 };

/** Delay before retry number `retry` (1-based): uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}
