/**
 * The open-loop arrival schedule: arrival i is due at i / rate seconds after the start, whatever
 * happened to earlier requests. A late timer fires every overdue arrival at once (and records how
 * late it was), so neither a slow server nor a busy event loop lowers the offered rate unseen.
 */

/** How many arrivals a step of `durationSeconds` at `ratePerSecond` makes. */
export function arrivalCount(ratePerSecond: number, durationSeconds: number): number {
  return Math.max(1, Math.round(ratePerSecond * durationSeconds));
}

/** Milliseconds after the start at which arrival `index` (0-based) is due. */
export function arrivalOffsetMs(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/** How many of `total` arrivals are due `elapsedMs` after the start (the first is due at 0). */
export function dueCount(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000 + 1e-9) + 1);
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface OpenLoopResult {
  readonly fired: number;
  /** The latest any arrival was fired after its due time: the generator's own lag. */
  readonly maxLateMs: number;
  readonly elapsedMs: number;
}

export interface OpenLoopOptions {
  readonly ratePerSecond: number;
  readonly total: number;
  readonly clock: Clock;
  /** Starts arrival `index`; must not wait for its outcome (that would close the loop). */
  readonly fire: (index: number, dueAtMs: number) => void;
  /** Stops early when it returns true (e.g. the user pressed Ctrl-C). */
  readonly stopped?: () => boolean;
}

/** Fires `total` arrivals on schedule; resolves once the last has been fired. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSecond, total, clock, fire } = options;
  const start = clock.now();
  let fired = 0;
  let maxLateMs = 0;
  while (fired < total && !options.stopped?.()) {
    const elapsed = clock.now() - start;
    const due = dueCount(elapsed, ratePerSecond, total);
    for (; fired < due; fired++) {
      const dueAt = arrivalOffsetMs(fired, ratePerSecond);
      maxLateMs = Math.max(maxLateMs, elapsed - dueAt);
      fire(fired, start + dueAt);
    }
    if (fired < total) {
      await clock.sleep(Math.max(0, arrivalOffsetMs(fired, ratePerSecond) - (clock.now() - start)));
    }
  }
  return { fired, maxLateMs, elapsedMs: clock.now() - start };
}

/** The real clock: performance.now() and timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
