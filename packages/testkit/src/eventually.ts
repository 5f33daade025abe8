import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a condition instead of sleeping: retries `probe` until it returns without throwing,
 * then returns its value; on timeout, fails with `what` and the last error.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  const reason = last instanceof Error ? last.message : String(last);
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last failure: ${reason}`, {
    cause: last,
  });
}
