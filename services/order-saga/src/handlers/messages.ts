import type { MessagePayload } from '@orderflow/contracts';
import {
  NonRetryableError,
  subscribe,
  type HandlerContext,
  type Subscription,
} from '@orderflow/messaging';
import {
  decide,
  start,
  type Decision,
  type ParticipantReply,
  type SagaPolicy,
} from '../domain/index.js';
import type { SagaContracts } from '../contracts.js';
import { recordDecision } from '../store/record-decision.js';
import { findSaga } from '../store/saga-store.js';

/**
 * Kafka entry point: OrderPlaced starts a saga, every participant reply is fed to `decide`; the
 * new state and the decision's commands and events are written in the consumer's transaction
 * (inbox + saga row + outbox commit together). A concurrent write to the same saga throws a
 * retryable SagaConflictError, so the consumer retries the record against the fresh state.
 */
export interface MessageHandlerDeps {
  readonly contracts: SagaContracts;
  readonly policy: SagaPolicy;
  readonly now: () => number;
}

function logDecision(ctx: HandlerContext, orderId: string, decision: Decision): void {
  if (decision.ignored !== null)
    ctx.logger.info(
      { orderId, type: ctx.envelope.type, ignored: decision.ignored },
      'saga input ignored',
    );
  else
    ctx.logger.debug(
      { orderId, type: ctx.envelope.type, status: decision.state.status },
      'saga advanced',
    );
}

export function sagaSubscriptions(deps: MessageHandlerDeps): Subscription[] {
  const { contracts, policy, now } = deps;

  async function onPlaced(
    payload: MessagePayload<'orders.OrderPlaced'>,
    ctx: HandlerContext,
  ): Promise<void> {
    const placed = { type: 'orders.OrderPlaced', payload } as const;
    const { orderId } = payload;
    const existing = await findSaga(ctx.tx, orderId);
    const decision = existing
      ? decide(existing.state, placed, now())
      : start(placed, policy, now());
    logDecision(ctx, orderId, decision);
    await recordDecision(
      ctx.tx,
      (message) => ctx.publish(message),
      contracts,
      existing?.state,
      decision,
      ctx.envelope.correlationId,
    );
  }

  function onReply<T extends ParticipantReply['type']>(type: T): Subscription<T> {
    return subscribe(contracts.replies[type], async (payload, ctx) => {
      // The payload is T's (decoded with T's contract), so this is the union's member for T:
      // TypeScript cannot follow a generic T into a union, hence the assertion.
      const reply = { type, payload } as ParticipantReply;
      const orderId = reply.payload.orderId;
      const existing = await findSaga(ctx.tx, orderId);
      if (!existing) {
        // Every reply answers a command this saga sent after writing its row: no row means a
        // message from elsewhere (another environment, a hand-sent record). Park it in the DLQ.
        throw new NonRetryableError(`${type} for order ${orderId}, which has no saga`);
      }
      const decision = decide(existing.state, reply, now());
      logDecision(ctx, orderId, decision);
      await recordDecision(
        ctx.tx,
        (message) => ctx.publish(message),
        contracts,
        existing.state,
        decision,
      );
    });
  }

  const replyTypes = Object.keys(contracts.replies) as ParticipantReply['type'][];
  return [subscribe(contracts.placed, onPlaced), ...replyTypes.map((type) => onReply(type))];
}
