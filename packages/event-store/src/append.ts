import { ConcurrencyError, isVersionConflict } from './errors.js';
import { assertVersion, rebuild } from './read.js';
import type { Aggregate, DomainEvent, EventMetadata, Queryable } from './types.js';

export interface SnapshotPolicy<S, E> {
  readonly aggregate: Aggregate<S, E>;
  /** Take a snapshot whenever an append crosses a multiple of this many events. */
  readonly every: number;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  readonly version: number;
  /** The version a snapshot was taken at by this append, if one was. */
  readonly snapshotVersion: number | null;
}

/**
 * Appends `events` after `expectedVersion` (0 for a new stream) or throws ConcurrencyError.
 * Call it inside the caller's transaction (BEGIN on a PoolClient), so the events, the snapshot
 * and the caller's outbox rows commit together; after a ConcurrencyError that transaction is
 * aborted and must be rolled back.
 */
export async function appendToStream<S, E extends DomainEvent>(
  tx: Queryable,
  streamId: string,
  expectedVersion: number,
  events: readonly E[],
  metadata: EventMetadata = {},
  snapshots?: SnapshotPolicy<S, E>,
): Promise<AppendResult> {
  assertVersion('expectedVersion', expectedVersion, 0);
  if (snapshots) assertVersion('snapshot interval', snapshots.every, 1);
  if (events.length === 0) return { version: expectedVersion, snapshotVersion: null };
  const version = expectedVersion + events.length;
  let inserted: number | null;
  try {
    // The WHERE guard refuses an expectedVersion ahead of the stream (which would leave a gap);
    // two writers behind or racing at the same version are settled by the primary key, not by
    // this read, so there is no read-then-write window.
    const result = await tx.query(
      `INSERT INTO events (stream_id, version, type, data, metadata)
       SELECT $1, $2::integer + e.ord::integer, e.data->>'type', e.data, $4::jsonb
         FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(data, ord)
        WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1) = $2::integer`,
      [streamId, expectedVersion, JSON.stringify(events), JSON.stringify(metadata)],
    );
    inserted = result.rowCount;
  } catch (error) {
    if (isVersionConflict(error)) {
      throw new ConcurrencyError(streamId, expectedVersion, undefined, { cause: error });
    }
    throw error;
  }
  if (inserted !== events.length) {
    const { rows } = await tx.query<{ version: number }>(
      'SELECT coalesce(max(version), 0)::integer AS version FROM events WHERE stream_id = $1',
      [streamId],
    );
    throw new ConcurrencyError(streamId, expectedVersion, rows[0]?.version);
  }
  const snapshotVersion = snapshots
    ? await snapshotIfDue(tx, streamId, expectedVersion, version, snapshots)
    : null;
  return { version, snapshotVersion };
}

async function snapshotIfDue<S, E extends DomainEvent>(
  tx: Queryable,
  streamId: string,
  before: number,
  after: number,
  { aggregate, every }: SnapshotPolicy<S, E>,
): Promise<number | null> {
  if (Math.floor(after / every) === Math.floor(before / every)) return null;
  // Read back through the store (previous snapshot + the few events since) rather than trusting
  // a state the caller might hand in, so a snapshot is always exactly the fold of its events.
  const { state } = await rebuild(tx, streamId, aggregate, { upTo: after });
  await tx.query(
    `INSERT INTO snapshots (stream_id, version, state) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (stream_id, version) DO NOTHING`,
    [streamId, after, JSON.stringify(state)],
  );
  return after;
}
