import { setTimeout as sleep } from 'node:timers/promises';
import { MessagingError } from './errors.js';

/**
 * Event-storm prevention (article: "Event Storm Prevention"). Two independent brakes:
 * a token bucket per message type that delays publishers above the rate (throttles, never
 * drops), and a causation-depth limit that rejects a message caused by too long a chain of
 * messages, the signature of a feedback loop between services.
 */
export interface StormGuardOptions {
  /** Sustained messages per second per type. */
  readonly ratePerSecond: number;
  /** Burst allowance per type. */
  readonly burst: number;
  /** Largest allowed causation depth (the first message of a flow has depth 0). */
  readonly maxDepth: number;
  readonly now?: () => number;
  readonly wait?: (ms: number) => Promise<unknown>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class StormGuard {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<unknown>;
  private throttledCount = 0;

  constructor(private readonly options: StormGuardOptions) {
    this.now = options.now ?? Date.now;
    this.wait = options.wait ?? ((ms) => sleep(ms));
  }

  /** How many admissions had to wait so far (for metrics and tests). */
  get throttled(): number {
    return this.throttledCount;
  }

  checkDepth(type: string, depth: number): void {
    if (depth > this.options.maxDepth) {
      throw new MessagingError(
        'CAUSATION_LOOP',
        `refusing to emit ${type}: causation depth ${depth} exceeds ${this.options.maxDepth} (a loop between handlers?)`,
      );
    }
  }

  /** Resolves when a token for `type` is available; waits (throttles) when the bucket is empty. */
  async admit(type: string): Promise<void> {
    for (;;) {
      const waitMs = this.take(type);
      if (waitMs === 0) return;
      this.throttledCount += 1;
      await this.wait(waitMs);
    }
  }

  /** Takes a token and returns 0, or returns how long until one is available. */
  private take(type: string): number {
    const { ratePerSecond, burst } = this.options;
    const now = this.now();
    const bucket = this.buckets.get(type) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(type, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
  }
}
