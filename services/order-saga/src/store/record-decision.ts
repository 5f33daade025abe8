import type { Envelope, MessageContract, Queryable } from '@orderflow/messaging';
import type { Decision, SagaState } from '../domain/index.js';
import type { SagaContracts } from '../contracts.js';
import { insertSaga, updateSaga } from './saga-store.js';

/**
 * Makes one decision durable in the caller's transaction: the saga row (insert or optimistic
 * update) and an outbox row per command (to its `*.commands` topic) and event (to
 * `order-saga.events`), keyed by orderId. Nothing is written for an ignored input.
 */
export type PublishFn = (message: {
  readonly contract: MessageContract;
  readonly key: string;
  readonly payload: unknown;
}) => Promise<Envelope>;

export interface Recorded {
  readonly written: boolean;
}

export async function recordDecision(
  tx: Queryable,
  publish: PublishFn,
  contracts: SagaContracts,
  previous: SagaState | undefined,
  decision: Decision,
  correlationId: string | null = null,
): Promise<Recorded> {
  if (decision.ignored !== null) return { written: false };
  const { state } = decision;
  if (previous === undefined) await insertSaga(tx, state, correlationId);
  else await updateSaga(tx, state, previous.version);
  for (const command of decision.commands) {
    await publish({
      contract: contracts.commands[command.type],
      key: state.orderId,
      payload: command.payload,
    });
  }
  for (const event of decision.events) {
    await publish({
      contract: contracts.events[event.type],
      key: state.orderId,
      payload: event.payload,
    });
  }
  return { written: true };
}
