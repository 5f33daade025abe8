/**
 * The event store's errors: a stable `code`, a `retryable` flag and the native `cause`, the same
 * shape as the messaging errors so one consumer error policy handles both.
 */
export const EVENT_STORE_ERROR_CODES = {
  CONCURRENCY_CONFLICT: { retryable: true },
  INVALID_ARGUMENT: { retryable: false },
} as const;

export type EventStoreErrorCode = keyof typeof EVENT_STORE_ERROR_CODES;

export class EventStoreError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EventStoreError';
    this.retryable = EVENT_STORE_ERROR_CODES[code].retryable;
  }
}

/**
 * Another writer appended to the stream since the caller read it. Retrying means re-reading
 * the state and deciding again, which is why it is retryable (HTTP 409 if it still loses).
 */
export class ConcurrencyError extends EventStoreError {
  readonly httpStatus = 409;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      'CONCURRENCY_CONFLICT',
      `stream ${streamId}: expected version ${expectedVersion}` +
        (actualVersion === undefined
          ? ' but another writer got there first'
          : `, found ${actualVersion}`),
      options,
    );
    this.name = 'ConcurrencyError';
  }
}

/** True for pg's unique violation (SQLSTATE 23505) on the events primary key: a lost race. */
export function isVersionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'events_pkey';
}
