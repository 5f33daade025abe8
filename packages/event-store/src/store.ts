import { appendToStream, type AppendResult } from './append.js';
import { assertVersion, readStream, rebuild, rebuildFromEvents } from './read.js';
import type { ReadRange, RebuildOptions } from './read.js';
import type {
  Aggregate,
  DomainEvent,
  EventMetadata,
  Queryable,
  Rebuilt,
  StoredEvent,
} from './types.js';

export interface EventStoreOptions<S, E> {
  readonly aggregate: Aggregate<S, E>;
  /** Snapshot every N events (configurable per service); a positive integer. */
  readonly snapshotEvery: number;
}

/** One aggregate type's event store: the free functions with the aggregate and snapshot policy bound. */
export class EventStore<S, E extends DomainEvent> {
  constructor(private readonly options: EventStoreOptions<S, E>) {
    assertVersion('snapshotEvery', options.snapshotEvery, 1);
  }

  append(
    tx: Queryable,
    streamId: string,
    expectedVersion: number,
    events: readonly E[],
    metadata: EventMetadata = {},
  ): Promise<AppendResult> {
    return appendToStream(tx, streamId, expectedVersion, events, metadata, {
      aggregate: this.options.aggregate,
      every: this.options.snapshotEvery,
    });
  }

  readStream(client: Queryable, streamId: string, range?: ReadRange): Promise<StoredEvent<E>[]> {
    return readStream<E>(client, streamId, range);
  }

  rebuild(client: Queryable, streamId: string, options?: RebuildOptions): Promise<Rebuilt<S>> {
    return rebuild(client, streamId, this.options.aggregate, options);
  }

  rebuildFromEvents(
    client: Queryable,
    streamId: string,
    options?: RebuildOptions,
  ): Promise<Rebuilt<S>> {
    return rebuildFromEvents(client, streamId, this.options.aggregate, options);
  }
}
