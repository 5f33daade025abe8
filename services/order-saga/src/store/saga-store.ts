import type { Queryable } from '@orderflow/messaging';
import { MessagingError } from '@orderflow/messaging';
import { upcastState, type SagaState } from '../domain/index.js';

/**
 * SQL for the saga rows. Every function runs on the caller's client/transaction. Writes are
 * optimistic: an update names the version it read, and a concurrent writer (a reply racing the
 * deadline scheduler, two replies of one order on retry) makes it fail with SagaConflictError.
 */
export interface StoredSaga {
  readonly state: SagaState;
  readonly correlationId: string | null;
}

/**
 * Another writer changed the saga since it was read. Retryable: the consumer retries the record
 * (reload and re-decide), and the scheduler picks the deadline up on its next round.
 */
export class SagaConflictError extends MessagingError {
  constructor(orderId: string, expectedVersion: number) {
    super(
      'TRANSIENT',
      `order saga ${orderId}: concurrent update (expected version ${expectedVersion})`,
    );
    this.name = 'SagaConflictError';
  }
}

interface SagaRow {
  state: SagaState;
  correlation_id: string | null;
}

const toStored = (row: SagaRow): StoredSaga => ({
  state: upcastState(row.state),
  correlationId: row.correlation_id,
});

const dueAt = (state: SagaState): Date | null =>
  state.deadline === null ? null : new Date(state.deadline.dueAt);

export async function findSaga(db: Queryable, orderId: string): Promise<StoredSaga | undefined> {
  const { rows } = await db.query<SagaRow>(
    'SELECT state, correlation_id FROM order_saga WHERE order_id = $1',
    [orderId],
  );
  return rows[0] && toStored(rows[0]);
}

/** Inserts a new saga; a row already there means a concurrent start. */
export async function insertSaga(
  tx: Queryable,
  state: SagaState,
  correlationId: string | null,
): Promise<void> {
  const { rowCount } = await tx.query(
    `INSERT INTO order_saga (order_id, version, status, state, deadline_at, correlation_id)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
    [
      state.orderId,
      state.version,
      state.status,
      JSON.stringify(state),
      dueAt(state),
      correlationId,
    ],
  );
  if (rowCount !== 1) throw new SagaConflictError(state.orderId, 0);
}

/** Writes `state` over the row if it still has `expectedVersion`. */
export async function updateSaga(
  tx: Queryable,
  state: SagaState,
  expectedVersion: number,
): Promise<void> {
  const { rowCount } = await tx.query(
    `UPDATE order_saga
        SET version = $2, status = $3, state = $4::jsonb, deadline_at = $5, updated_at = now()
      WHERE order_id = $1 AND version = $6`,
    [
      state.orderId,
      state.version,
      state.status,
      JSON.stringify(state),
      dueAt(state),
      expectedVersion,
    ],
  );
  if (rowCount !== 1) throw new SagaConflictError(state.orderId, expectedVersion);
}

/**
 * Sagas whose deadline is at or before `now`, locked for the caller's transaction. SKIP LOCKED:
 * several instances (or a row a handler is writing) never block each other's rounds.
 */
export async function lockDueSagas(tx: Queryable, now: Date, limit: number): Promise<StoredSaga[]> {
  const { rows } = await tx.query<SagaRow>(
    `SELECT state, correlation_id FROM order_saga
      WHERE deadline_at <= $1
      ORDER BY deadline_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toStored);
}
