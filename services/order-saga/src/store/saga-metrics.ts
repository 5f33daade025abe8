import type pg from 'pg';
import type { SagaCounts } from '@orderflow/telemetry';
import { STEPS, type SagaStatus } from '../domain/types.js';

const PARKED: SagaStatus = 'FAILED_NEEDS_ATTENTION';
// Every status and step is reported, 0 included, so a panel or alert sees 0 rather than no data.
const STATUSES: readonly SagaStatus[] = [
  'RUNNING',
  'COMPENSATING',
  'COMPLETED',
  'CANCELLED',
  'FAILED_NEEDS_ATTENTION',
];

/**
 * The saga table counted for Prometheus, read once per scrape: one grouped scan of order_saga
 * (a row per order) giving sagas per status and the steps given up on at their deadline.
 */
export function readSagaCounts(pool: pg.Pool): () => Promise<SagaCounts> {
  return async () => {
    const { rows } = await pool.query<{ status: string; timed_out_step: string | null; n: number }>(
      `SELECT status,
              CASE WHEN state->'failure'->>'reason' = 'STEP_TIMEOUT'
                   THEN state->'failure'->>'step' END AS timed_out_step,
              count(*)::int AS n
         FROM order_saga
        GROUP BY 1, 2`,
    );
    const byStatus: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    const stepTimeoutsByStep: Record<string, number> = Object.fromEntries(
      STEPS.map((step) => [step, 0]),
    );
    for (const { status, timed_out_step: step, n } of rows) {
      byStatus[status] = (byStatus[status] ?? 0) + n;
      if (step !== null) stepTimeoutsByStep[step] = (stepTimeoutsByStep[step] ?? 0) + n;
    }
    return { byStatus, parked: byStatus[PARKED] ?? 0, stepTimeoutsByStep };
  };
}
