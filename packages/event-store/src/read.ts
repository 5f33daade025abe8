import { EventStoreError } from './errors.js';
import type { Aggregate, DomainEvent, Queryable, Rebuilt, StoredEvent } from './types.js';

export interface ReadRange {
  /** First version to return (inclusive); defaults to 1. */
  readonly fromVersion?: number;
  /** Last version to return (inclusive); defaults to the end of the stream. */
  readonly toVersion?: number;
}

export interface RebuildOptions {
  /** Rebuild the state as of this version ("state as of"); defaults to the latest. */
  readonly upTo?: number;
}

interface EventRow {
  version: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

export function assertVersion(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new EventStoreError(
      'INVALID_ARGUMENT',
      `${name} must be an integer >= ${min}, got ${value}`,
    );
  }
}

/** The events of one stream in version order; an unknown stream reads as empty. */
export async function readStream<E extends DomainEvent>(
  client: Queryable,
  streamId: string,
  range: ReadRange = {},
): Promise<StoredEvent<E>[]> {
  const from = range.fromVersion ?? 1;
  assertVersion('fromVersion', from, 1);
  if (range.toVersion !== undefined) assertVersion('toVersion', range.toVersion, 0);
  // The primary key (stream_id, version) serves this as one index range scan, however long the stream.
  const { rows } = await client.query<EventRow>(
    `SELECT version, type, data, metadata, recorded_at FROM events
      WHERE stream_id = $1 AND version >= $2 AND ($3::integer IS NULL OR version <= $3)
      ORDER BY version`,
    [streamId, from, range.toVersion ?? null],
  );
  return rows.map((row) => ({
    streamId,
    version: row.version,
    type: row.type,
    // The store wrote `data` from an E, so reading it back as E is the store's own invariant.
    data: row.data as E,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  }));
}

function fold<S, E extends DomainEvent>(
  aggregate: Aggregate<S, E>,
  start: Rebuilt<S>,
  events: readonly StoredEvent<E>[],
): Rebuilt<S> {
  let { state, version } = start;
  for (const event of events) {
    state = aggregate.evolve(state, event.data);
    version = event.version;
  }
  return { state, version };
}

/**
 * State of a stream: the latest snapshot at or before `upTo`, then the events after it folded
 * with the aggregate's `evolve`. With `upTo` it is the state as it was at that version.
 */
export async function rebuild<S, E extends DomainEvent>(
  client: Queryable,
  streamId: string,
  aggregate: Aggregate<S, E>,
  options: RebuildOptions = {},
): Promise<Rebuilt<S>> {
  if (options.upTo !== undefined) assertVersion('upTo', options.upTo, 0);
  const { rows } = await client.query<{ version: number; state: unknown }>(
    `SELECT version, state FROM snapshots
      WHERE stream_id = $1 AND ($2::integer IS NULL OR version <= $2)
      ORDER BY version DESC LIMIT 1`,
    [streamId, options.upTo ?? null],
  );
  const snapshot = rows[0];
  const start: Rebuilt<S> = snapshot
    ? // Snapshots are written by `append` from this aggregate's own states.
      {
        state: aggregate.upcastSnapshot?.(snapshot.state as S) ?? (snapshot.state as S),
        version: snapshot.version,
      }
    : { state: aggregate.initialState(), version: 0 };
  const events = await readStream<E>(client, streamId, {
    fromVersion: start.version + 1,
    ...(options.upTo === undefined ? {} : { toVersion: options.upTo }),
  });
  return fold(aggregate, start, events);
}

/** The same as `rebuild` but from the first event, ignoring snapshots: the reference to check them against. */
export async function rebuildFromEvents<S, E extends DomainEvent>(
  client: Queryable,
  streamId: string,
  aggregate: Aggregate<S, E>,
  options: RebuildOptions = {},
): Promise<Rebuilt<S>> {
  if (options.upTo !== undefined) assertVersion('upTo', options.upTo, 0);
  const events = await readStream<E>(client, streamId, {
    ...(options.upTo === undefined ? {} : { toVersion: options.upTo }),
  });
  return fold(aggregate, { state: aggregate.initialState(), version: 0 }, events);
}
