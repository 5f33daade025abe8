import type { MessagePayload } from '@orderflow/contracts';
import type {
  CancellationReason,
  ParticipantReply,
  SagaCommand,
  SagaState,
  SagaStep,
  StepRetryPolicy,
} from './types.js';

/**
 * The saga's definition as data (docs/architecture.md §3), one entry per step, read the way
 * Eventuate's saga DSL reads: `invoke` a participant with a command, `onReply` tells what each
 * answer means, `withCompensation` undoes it, `retry` says how long to wait and when to give up.
 * The state machine in saga.ts and compensation.ts never names a step or a message, so adding a
 * step is a change here only, and the README's step table is printed from this one
 * (`stepTable()`, checked by test/step-table.test.ts).
 */
type CommandType = SagaCommand['type'];
type ReplyType = ParticipantReply['type'];

/** What a reply means for its step: success (with what to keep in state) or a business failure. */
type AnyPayload = MessagePayload<ReplyType>;
export type ReplyRule =
  | {
      readonly type: ReplyType;
      readonly outcome: 'success';
      readonly keep: (payload: AnyPayload) => Partial<SagaState>;
    }
  | {
      readonly type: ReplyType;
      readonly outcome: 'failure';
      readonly reason: (payload: AnyPayload) => CancellationReason;
      readonly detail: (payload: AnyPayload) => string;
    };

// The rules are built typed per reply and kept type-erased in the table; a rule only ever sees
// its own type's payload (classifyReply looks it up by type), which is what the casts declare.
const succeeds = <T extends ReplyType>(
  type: T,
  keep: (payload: MessagePayload<T>) => Partial<SagaState> = () => ({}),
): ReplyRule => ({
  type,
  outcome: 'success',
  keep: keep as (payload: AnyPayload) => Partial<SagaState>,
});

const fails = <T extends ReplyType>(
  type: T,
  reason: (payload: MessagePayload<T>) => CancellationReason,
  detail: (payload: MessagePayload<T>) => string,
): ReplyRule => ({
  type,
  outcome: 'failure',
  reason: reason as (payload: AnyPayload) => CancellationReason,
  detail: detail as (payload: AnyPayload) => string,
});

const confirmedBy = <T extends ReplyType>(
  type: T,
  keep: (payload: MessagePayload<T>) => Partial<SagaState> = () => ({}),
) => ({ type, keep: keep as (payload: AnyPayload) => Partial<SagaState> });

/** When the command goes out: its attempt and the step's overall deadline (epoch ms). */
export interface SendContext {
  readonly attempt: number;
  readonly giveUpAt: number;
}

export interface StepDefinition {
  readonly invoke: {
    readonly command: CommandType;
    readonly payload: (state: SagaState, send: SendContext) => SagaCommand['payload'];
  };
  readonly onReply: readonly ReplyRule[];
  readonly withCompensation: {
    readonly command: CommandType;
    readonly payload: (state: SagaState) => SagaCommand['payload'];
    /** The reply that confirms it, and what to keep in state from it. */
    readonly confirmedBy: ReturnType<typeof confirmedBy>;
    /**
     * Also compensate when the step is given up without an answer: its outcome is unknown (a
     * gateway may have charged), so the saga voids it before cancelling rather than waiting for
     * a late success to undo.
     */
    readonly whenGivenUp: boolean;
  };
  /** Defaults; `SAGA_<STEP>_*` settings override them (config.ts). */
  readonly retry: StepRetryPolicy;
  readonly next: SagaStep | null;
}

const orderOnly = (s: SagaState) => ({ orderId: s.orderId });

/** A minute rides out a participant's restart (about 10 s) with its backlog; see README. */
const RETRY = { backoffCoefficient: 2, maxAttemptTimeoutMs: 30_000, deadlineMs: 60_000 };

export const STEP_DEFINITIONS: Readonly<Record<SagaStep, StepDefinition>> = {
  RESERVE_INVENTORY: {
    invoke: {
      command: 'saga.ReserveInventory',
      payload: (s) => ({ orderId: s.orderId, lines: s.order.lines }),
    },
    onReply: [
      succeeds('inventory.InventoryReserved', ({ lines, amountMinor, currency }) => ({
        priced: { lines, amountMinor, currency },
      })),
      fails(
        'inventory.InventoryReservationRejected',
        (p) => p.reason,
        (p) => `inventory rejected the reservation (${p.reason}): ${p.skus.join(', ')}`,
      ),
    ],
    withCompensation: {
      command: 'saga.ReleaseInventory',
      payload: orderOnly,
      confirmedBy: confirmedBy('inventory.InventoryReleased'),
      whenGivenUp: false,
    },
    retry: { attemptTimeoutMs: 10_000, ...RETRY },
    next: 'PROCESS_PAYMENT',
  },
  PROCESS_PAYMENT: {
    invoke: {
      command: 'saga.ProcessPayment',
      // The charged total is the one inventory priced, never anything the client sent; past
      // `notAfter` the saga has given up, so payment-service must not start the charge.
      payload: (s, { giveUpAt }) => ({
        orderId: s.orderId,
        customerId: s.order.customerId,
        paymentToken: s.order.paymentToken ?? null,
        amountMinor: required(s.priced, 'priced total').amountMinor,
        currency: required(s.priced, 'priced total').currency,
        notAfter: giveUpAt,
      }),
    },
    onReply: [
      succeeds('payments.PaymentCaptured', (payment) => ({ payment })),
      fails(
        'payments.PaymentDeclined',
        () => 'PAYMENT_DECLINED',
        (p) => `payment declined (${p.reason})`,
      ),
    ],
    // Refund what was captured; given up without an answer, "refund" is the void: payment-service
    // refunds a capture it finds (asking the gateway about an unsettled charge) or records that
    // nothing may be charged any more, and confirms with the amount (0 when nothing was taken).
    withCompensation: {
      command: 'saga.RefundPayment',
      payload: (s) => {
        const money = s.payment ?? required(s.priced, 'priced total');
        return { orderId: s.orderId, amountMinor: money.amountMinor, currency: money.currency };
      },
      confirmedBy: confirmedBy('payments.PaymentRefunded', (p) => ({
        refund: { amountMinor: p.amountMinor, currency: p.currency },
      })),
      whenGivenUp: true,
    },
    // Above payment-service's in-process gateway retries, so transient errors resolve first.
    retry: { attemptTimeoutMs: 15_000, ...RETRY, deadlineMs: 90_000 },
    next: 'COMMIT_INVENTORY',
  },
  COMMIT_INVENTORY: {
    invoke: { command: 'saga.CommitInventory', payload: orderOnly },
    onReply: [succeeds('inventory.InventoryCommitted')],
    withCompensation: {
      command: 'saga.RestockInventory',
      payload: orderOnly,
      confirmedBy: confirmedBy('inventory.InventoryRestocked'),
      whenGivenUp: false,
    },
    retry: { attemptTimeoutMs: 10_000, ...RETRY },
    next: 'SCHEDULE_SHIPMENT',
  },
  SCHEDULE_SHIPMENT: {
    invoke: {
      command: 'saga.ScheduleShipment',
      payload: (s) => ({
        orderId: s.orderId,
        lines: s.order.lines,
        address: s.order.shippingAddress,
      }),
    },
    onReply: [
      succeeds('shipping.ShipmentScheduled', (shipment) => ({ shipment })),
      fails(
        'shipping.ShipmentRejected',
        () => 'SHIPPING_REJECTED',
        (p) => `shipping rejected (${p.reason}): ${p.detail}`,
      ),
    ],
    withCompensation: {
      command: 'saga.CancelShipment',
      payload: orderOnly,
      confirmedBy: confirmedBy('shipping.ShipmentCancelled'),
      whenGivenUp: false,
    },
    retry: { attemptTimeoutMs: 15_000, ...RETRY },
    next: null,
  },
};

// The table's command builders return the union's payload; pairing it with its own type is
// what the entry declares, which TypeScript cannot follow through the record: hence the casts.
export function stepCommand(step: SagaStep, state: SagaState, send: SendContext): SagaCommand {
  const { command, payload } = STEP_DEFINITIONS[step].invoke;
  return { type: command, attempt: send.attempt, payload: payload(state, send) } as SagaCommand;
}

export function compensationCommand(
  step: SagaStep,
  state: SagaState,
  attempt: number,
): SagaCommand {
  const { command, payload } = STEP_DEFINITIONS[step].withCompensation;
  return { type: command, attempt, payload: payload(state) } as SagaCommand;
}

/**
 * A reply's meaning for the saga: a step succeeded (with what to keep), a step failed (with the
 * cancellation reason), or a step's compensation was confirmed.
 */
export type ReplyMeaning =
  | { readonly kind: 'succeeded'; readonly step: SagaStep; readonly keep: Partial<SagaState> }
  | {
      readonly kind: 'failed';
      readonly step: SagaStep;
      readonly reason: CancellationReason;
      readonly detail: string;
    }
  | { readonly kind: 'compensated'; readonly step: SagaStep; readonly keep: Partial<SagaState> };

const FORWARD_REPLIES = new Map<ReplyType, ReplyRule & { readonly step: SagaStep }>(
  Object.entries(STEP_DEFINITIONS).flatMap(([step, def]) =>
    def.onReply.map((rule) => [rule.type, { ...rule, step: step as SagaStep }] as const),
  ),
);

const CONFIRMATIONS = new Map<ReplyType, SagaStep>(
  Object.entries(STEP_DEFINITIONS).map(([step, def]) => [
    def.withCompensation.confirmedBy.type,
    step as SagaStep,
  ]),
);

export function classifyReply(reply: ParticipantReply): ReplyMeaning {
  const payload: AnyPayload = reply.payload;
  const forward = FORWARD_REPLIES.get(reply.type);
  if (forward?.outcome === 'success')
    return { kind: 'succeeded', step: forward.step, keep: forward.keep(payload) };
  if (forward?.outcome === 'failure')
    return {
      kind: 'failed',
      step: forward.step,
      reason: forward.reason(payload),
      detail: forward.detail(payload),
    };
  const confirmed = CONFIRMATIONS.get(reply.type);
  if (confirmed === undefined)
    throw new Error(`order saga: ${reply.type} is in no step's onReply or withCompensation`);
  const keep = STEP_DEFINITIONS[confirmed].withCompensation.confirmedBy.keep(payload);
  return { kind: 'compensated', step: confirmed, keep };
}

/** The README's saga table, from the definitions above (message names without their owner). */
export function stepTable(): string {
  const name = (type: string) => type.slice(type.indexOf('.') + 1);
  const seconds = (ms: number) => `${ms / 1000} s`;
  const rows = Object.entries(STEP_DEFINITIONS).map(([step, def]) => {
    const by = (outcome: ReplyRule['outcome']) =>
      def.onReply
        .filter((rule) => rule.outcome === outcome)
        .map((rule) => name(rule.type))
        .join(', ') || '—';
    const { retry, withCompensation: c } = def;
    return [
      step,
      name(def.invoke.command),
      by('success'),
      by('failure'),
      `${name(c.command)}${c.whenGivenUp ? ' (also voids when given up)' : ''}`,
      name(c.confirmedBy.type),
      `${seconds(retry.attemptTimeoutMs)} ×${retry.backoffCoefficient} (≤ ${seconds(retry.maxAttemptTimeoutMs)}), give up at ${seconds(retry.deadlineMs)}`,
    ];
  });
  const header = ['step', 'command', 'success', 'failure', 'compensation', 'confirmation', 'retry'];
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

// Only reachable if the step order in this table is broken: crash loudly.
function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`order saga invariant broken: ${what} is missing`);
  return value;
}
