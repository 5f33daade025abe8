/** The slice of a pg client the store uses, so a PoolClient (inside BEGIN) or a Pool both fit. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A pure fold: the store needs nothing else from an aggregate to snapshot and rebuild it. */
export interface Aggregate<S, E> {
  initialState(): S;
  evolve(state: S, event: E): S;
  /** A snapshot saved by an earlier release, in today's shape (when the state's shape grew). */
  upcastSnapshot?(saved: S): S;
}

/** Every stored event names its type, which is kept in its own column for queries. */
export interface DomainEvent {
  readonly type: string;
}

export type EventMetadata = Readonly<Record<string, unknown>>;

export interface StoredEvent<E extends DomainEvent> {
  readonly streamId: string;
  readonly version: number;
  readonly type: E['type'];
  readonly data: E;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

export interface Rebuilt<S> {
  readonly state: S;
  /** The version of the last event folded into `state`; 0 for a stream with no events. */
  readonly version: number;
}
