import type pg from 'pg';
import { withTransaction, type Logger, type Publisher } from '@orderflow/messaging';
import { decide } from '../domain/index.js';
import type { SagaContracts } from '../contracts.js';
import { recordDecision } from '../store/record-decision.js';
import { lockDueSagas } from '../store/saga-store.js';

/**
 * The saga's clock: every `pollIntervalMs` it locks the sagas whose deadline has passed (SKIP
 * LOCKED, so instances share the work), feeds each one `DeadlineElapsed` built from its own
 * `state.deadline`, and writes the new state and the outbox rows in that transaction.
 */
export interface DeadlineSchedulerOptions {
  readonly pool: pg.Pool;
  readonly publisher: Publisher;
  readonly contracts: SagaContracts;
  readonly logger: Logger;
  readonly now: () => number;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
}

export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: DeadlineSchedulerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops polling and waits for the round in flight to commit or roll back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round; returns how many sagas moved. Public so tests can drive it without waiting. */
  fireDue(): Promise<number> {
    const { pool, publisher, contracts, logger, now, batchSize } = this.options;
    return withTransaction(pool, async (client) => {
      let moved = 0;
      // The same clock selects and decides, so a selected deadline is never "early" to decide.
      const at = now();
      const due = await lockDueSagas(client, new Date(at), batchSize);
      for (const { state, correlationId } of due) {
        const deadline = state.deadline;
        if (deadline === null) continue; // deadline_at mirrors state.deadline; cannot happen
        // A savepoint per saga: one that cannot be decided must not hold the others back.
        await client.query('SAVEPOINT saga');
        try {
          const decision = decide(
            state,
            {
              type: 'DeadlineElapsed',
              kind: deadline.kind,
              step: deadline.step,
              attempt: deadline.attempt,
            },
            at,
          );
          const publish = (message: Parameters<Publisher['publish']>[1]) =>
            publisher.publish(client, { ...message, correlationId: correlationId ?? undefined });
          const { written } = await recordDecision(client, publish, contracts, state, decision);
          await client.query('RELEASE SAVEPOINT saga');
          if (written) moved += 1;
          logger.info(
            {
              orderId: state.orderId,
              deadline,
              ignored: decision.ignored,
              status: decision.state.status,
            },
            'saga deadline elapsed',
          );
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT saga');
          logger.error({ err: error, orderId: state.orderId, deadline }, 'saga deadline failed');
        }
      }
      return moved;
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.options.pollIntervalMs);
  }

  private async round(): Promise<void> {
    try {
      // A full batch means more may be due: go again at once rather than after a poll interval.
      while (!this.stopped && (await this.fireDue()) >= this.options.batchSize);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'deadline scheduler round failed; will retry');
    }
  }
}
