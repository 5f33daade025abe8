import { HttpProblem } from '@orderflow/service-runtime';

/**
 * A bound on open Server-Sent Events streams: each one holds a connection and polls Postgres
 * every SSE_POLL_INTERVAL_MS, so one client opening hundreds would cost the database as much as
 * hundreds of clients. Bounded per client (token subject) and in total; past either, a 429.
 */
export interface StreamLimits {
  readonly perClient: number;
  readonly total: number;
  /** The Retry-After of a refusal, in seconds. */
  readonly retryAfterSeconds: number;
}

export class StreamSlots {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: StreamLimits) {}

  /** Takes a slot for `client` and returns its release (idempotent), or throws a 429 problem. */
  acquire(client: string): () => void {
    const mine = this.open.get(client) ?? 0;
    const { perClient, total, retryAfterSeconds } = this.limits;
    if (mine >= perClient || this.total >= total) {
      throw new HttpProblem({
        status: 429,
        code: 'too-many-streams',
        detail:
          mine >= perClient
            ? `This client already has ${mine} open order streams, the most allowed; close one first`
            : `The service has ${this.total} open order streams, the most it serves; retry later`,
        extensions: { retryAfterSeconds, limit: mine >= perClient ? perClient : total },
      });
    }
    this.open.set(client, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left === 0) this.open.delete(client);
      else this.open.set(client, left);
    };
  }

  /** Streams open for `client` now (for tests and logs). */
  count(client: string): number {
    return this.open.get(client) ?? 0;
  }
}
