import type { MessagePayload } from '@orderflow/contracts';
import {
  NonRetryableError,
  subscribe,
  type HandlerContext,
  type Subscription,
} from '@orderflow/messaging';
import {
  OrderDomainError,
  type OrderCommand,
  type OrderState,
  type StepLogEntry,
} from '../domain/index.js';
import type { OrderContracts } from '../contracts.js';
import { executeOrderCommand, type OrderEventStore } from '../order-commands.js';
import { lockOrderView } from '../store/orders-store.js';

/**
 * Kafka entry point: the saga's events → Order commands → events appended to the order's stream,
 * its read-model row and (for a final outcome) orders.OrderCompleted/OrderCancelled, all in the
 * consumer's transaction with the inbox row. A domain refusal (unknown order, an outcome that
 * contradicts the recorded one) cannot succeed on retry, so it goes to the DLQ.
 */
type StepChanged = MessagePayload<'saga.SagaStepChanged'>;
type StepsChanged = MessagePayload<'saga.SagaStepsChanged'>;
type SagaCompleted = MessagePayload<'saga.SagaCompleted'>;
type SagaCancelled = MessagePayload<'saga.SagaCancelled'>;
type SagaParked = MessagePayload<'saga.SagaParked'>;

type WireEntry = StepsChanged['entries'][number];
const logEntry = (e: WireEntry): StepLogEntry => ({
  step: e.step,
  status: e.status,
  at: new Date(e.at).toISOString(),
  detail: e.detail,
});

/** Records an older saga sent, one step-log entry each. */
export const fromStepChanged = (e: StepChanged): OrderCommand => ({
  type: 'RecordStep',
  ...logEntry(e),
});

/** One record per saga decision: all of its entries in one command, one transaction. */
export const fromStepsChanged = (e: StepsChanged): OrderCommand => ({
  type: 'RecordSteps',
  entries: e.entries.map(logEntry),
});

// SagaCompleted v1 data reads with no lines (the v2 default): such an order shows only its total.
export const fromSagaCompleted = (e: SagaCompleted): OrderCommand => ({
  type: 'Complete',
  pricedLines: e.lines,
  totalMinor: e.amountMinor,
  currency: e.currency,
  trackingNumber: e.trackingNumber,
});

export const fromSagaCancelled = (e: SagaCancelled): OrderCommand => ({
  type: 'Cancel',
  reason: e.reason,
  failedStep: e.failedStep,
  detail: e.detail,
  totalMinor: e.amountMinor,
  currency: e.currency,
  chargedMinor: e.chargedMinor,
  refundedMinor: e.refundedMinor,
});

export const fromSagaParked = (e: SagaParked): OrderCommand => ({
  type: 'Park',
  step: e.step,
  reason: `compensation failed after ${e.attempts} attempt(s): ${e.lastError}`,
});

/**
 * orders.OrderCancelled goes out once per order: a parked order the saga cancels again (see the
 * domain's decide) was announced cancelled already.
 */
export const announcedCancelled = (before: OrderState): boolean =>
  before.status !== 'NONE' && before.cancellation !== null;

export function sagaSubscriptions(
  contracts: OrderContracts,
  store: OrderEventStore,
  now: () => Date,
): Subscription[] {
  function handler<P extends { orderId: string }>(toCommand: (payload: P) => OrderCommand) {
    return async (event: P, ctx: HandlerContext): Promise<void> => {
      const command = toCommand(event);
      // Rows of one order queue here, so two handlers never decide on the same version.
      await lockOrderView(ctx.tx, event.orderId);
      let executed;
      try {
        executed = await executeOrderCommand(ctx.tx, store, event.orderId, command, now(), {
          correlationId: ctx.envelope.correlationId,
          causationId: ctx.envelope.id,
          messageType: ctx.envelope.type,
        });
      } catch (error) {
        if (error instanceof OrderDomainError) {
          throw new NonRetryableError(`${ctx.envelope.type} refused: ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
      for (const emitted of executed.events) {
        if (emitted.type === 'OrderCompleted') {
          await ctx.publish({
            contract: contracts.completed,
            key: event.orderId,
            payload: {
              orderId: event.orderId,
              amountMinor: emitted.totalMinor,
              currency: emitted.currency,
              trackingNumber: emitted.trackingNumber ?? '',
            } satisfies MessagePayload<'orders.OrderCompleted'>,
          });
        } else if (emitted.type === 'OrderCancelled' && !announcedCancelled(executed.before)) {
          await ctx.publish({
            contract: contracts.cancelled,
            key: event.orderId,
            payload: {
              orderId: event.orderId,
              reason: emitted.reason,
              detail: emitted.detail ?? '',
            } satisfies MessagePayload<'orders.OrderCancelled'>,
          });
        }
      }
    };
  }

  return [
    subscribe(contracts.stepChanged, handler(fromStepChanged)),
    subscribe(contracts.stepsChanged, handler(fromStepsChanged)),
    subscribe(contracts.sagaCompleted, handler(fromSagaCompleted)),
    subscribe(contracts.sagaCancelled, handler(fromSagaCancelled)),
    subscribe(contracts.sagaParked, handler(fromSagaParked)),
  ];
}
