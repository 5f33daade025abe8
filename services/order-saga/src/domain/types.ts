import type {
  MessagePayload,
  MessageType,
  SagaCancelledV1,
  SagaStepsChangedV1,
} from '@orderflow/contracts';

/** The four steps, named as on the wire so the step log needs no translation. */
export type SagaStep = SagaStepsChangedV1.SagaStep;
export type StepStatus = SagaStepsChangedV1.SagaStepStatus;
export type CancellationReason = SagaCancelledV1.CancellationReason;

export const STEPS = [
  'RESERVE_INVENTORY',
  'PROCESS_PAYMENT',
  'COMMIT_INVENTORY',
  'SCHEDULE_SHIPMENT',
] as const satisfies readonly SagaStep[];

/**
 * RUNNING: a forward step is in flight. COMPENSATING: unwinding the stack. COMPLETED/CANCELLED:
 * the outcome (CANCELLED may briefly return to COMPENSATING if a late success must be undone).
 * FAILED_NEEDS_ATTENTION: a compensation ran out of attempts; an operator or a late
 * confirmation resumes it.
 */
export type SagaStatus =
  'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'CANCELLED' | 'FAILED_NEEDS_ATTENTION';

/**
 * How a forward step waits for its reply, after Temporal's activity options: each send waits
 * `attemptTimeoutMs` (growing by `backoffCoefficient` per re-send, up to `maxAttemptTimeoutMs`),
 * then the same command is re-sent (participants dedupe per order); only when `deadlineMs` from
 * the first send has passed does the step fail with STEP_TIMEOUT and compensation start.
 */
export interface StepRetryPolicy {
  readonly attemptTimeoutMs: number;
  readonly backoffCoefficient: number;
  readonly maxAttemptTimeoutMs: number;
  readonly deadlineMs: number;
}

/** How long to wait for each reply and how often to retry an unconfirmed compensation. */
export interface SagaPolicy {
  /** Per forward step: its re-sends and its overall deadline. */
  readonly steps: Readonly<Record<SagaStep, StepRetryPolicy>>;
  /** Per step: how long to wait for its compensation's confirmation before re-sending. */
  readonly compensationTimeoutMs: Readonly<Record<SagaStep, number>>;
  /** Sends of one compensation (first try included) before the saga parks. */
  readonly maxCompensationAttempts: number;
}

export interface StepLogEntry {
  readonly step: SagaStep;
  readonly status: StepStatus;
  /** Epoch milliseconds, from the clock passed in. */
  readonly at: number;
  readonly detail: string | null;
}

/** The one timer a saga waits on: sequential steps and compensations never need two. */
export interface Deadline {
  readonly kind: 'step' | 'compensation';
  readonly step: SagaStep;
  readonly attempt: number;
  /** Epoch milliseconds. */
  readonly dueAt: number;
  /**
   * Epoch milliseconds: a step's overall deadline (past it the step fails instead of re-sending);
   * null for a compensation. Absent in states saved before step retries: then `dueAt`.
   */
  readonly giveUpAt?: number | null;
}

export interface InFlightCompensation {
  readonly step: SagaStep;
  /** Sends so far over the saga's life (never reset, so deadlines and re-sends stay distinct). */
  readonly attempt: number;
  /** Re-sends still allowed before parking; an operator's resume refills it. */
  readonly sendsLeft: number;
}

type OrderPlaced = MessagePayload<'orders.OrderPlaced'>;
type Reserved = MessagePayload<'inventory.InventoryReserved'>;

/**
 * Everything the saga knows about one order. Plain data only (no Dates, Maps or classes), so
 * JSON.parse(JSON.stringify(state)) round-trips it for the Postgres jsonb column.
 */
export interface SagaState {
  readonly orderId: string;
  /** Bumped by every decision that changes state: the optimistic-concurrency token. */
  readonly version: number;
  readonly status: SagaStatus;
  readonly policy: SagaPolicy;
  readonly order: Pick<OrderPlaced, 'customerId' | 'lines' | 'shippingAddress'> & {
    /** From OrderPlaced v3; absent in states persisted before v3 and null in v1/v2 orders. */
    readonly paymentToken?: string | null;
  };
  /** Set by InventoryReserved: the only source of prices and the total to charge. */
  readonly priced: Pick<Reserved, 'lines' | 'amountMinor' | 'currency'> | null;
  readonly payment: MessagePayload<'payments.PaymentCaptured'> | null;
  /** Set by PaymentRefunded (also a void's confirmation, amount 0); absent in older states. */
  readonly refund?: Pick<
    MessagePayload<'payments.PaymentRefunded'>,
    'amountMinor' | 'currency'
  > | null;
  readonly shipment: MessagePayload<'shipping.ShipmentScheduled'> | null;
  /** Latest status per step; PENDING until its command is sent. */
  readonly steps: Readonly<Record<SagaStep, StepStatus | 'PENDING'>>;
  /** The forward step awaiting its reply (RUNNING only). */
  readonly current: SagaStep | null;
  /** When `current` was first sent (epoch ms); absent in states saved before step retries. */
  readonly stepStartedAt?: number | null;
  /** Steps whose effects must be undone, last completed on top (end of the array). */
  readonly compensationStack: readonly SagaStep[];
  readonly compensating: InFlightCompensation | null;
  readonly deadline: Deadline | null;
  /** Why the saga is being cancelled: the first step failure. */
  readonly failure: {
    readonly step: SagaStep;
    readonly reason: CancellationReason;
    readonly detail: string;
  } | null;
  /**
   * Whether the saga's outcome (SagaCompleted/SagaCancelled) stands announced. It goes out once,
   * and once more only after a SagaParked superseded it (see compensationTimedOut).
   */
  readonly outcomeEmitted: boolean;
  readonly log: readonly StepLogEntry[];
  readonly startedAt: number;
  readonly updatedAt: number;
}

/** A message as the saga sees it: its CloudEvents type and its generated payload type. */
export interface Msg<T extends MessageType> {
  readonly type: T;
  readonly payload: MessagePayload<T>;
}

/** Replies from participants, keyed by their CloudEvents type. */
export type ParticipantReply =
  | Msg<'inventory.InventoryReserved'>
  | Msg<'inventory.InventoryReservationRejected'>
  | Msg<'inventory.InventoryCommitted'>
  | Msg<'inventory.InventoryReleased'>
  | Msg<'inventory.InventoryRestocked'>
  | Msg<'payments.PaymentCaptured'>
  | Msg<'payments.PaymentDeclined'>
  | Msg<'payments.PaymentRefunded'>
  | Msg<'shipping.ShipmentScheduled'>
  | Msg<'shipping.ShipmentRejected'>
  | Msg<'shipping.ShipmentCancelled'>;

/** Fired by the scheduler for `state.deadline`; stale or early firings are ignored. */
export interface DeadlineElapsed {
  readonly type: 'DeadlineElapsed';
  readonly kind: Deadline['kind'];
  readonly step: SagaStep;
  readonly attempt: number;
}

/** An operator's "try again" for a parked saga: re-sends the stuck compensation. */
export interface ResumeCompensation {
  readonly type: 'ResumeCompensation';
}

export type SagaInput =
  Msg<'orders.OrderPlaced'> | ParticipantReply | DeadlineElapsed | ResumeCompensation;

type CommandType =
  | 'saga.ReserveInventory'
  | 'saga.ProcessPayment'
  | 'saga.CommitInventory'
  | 'saga.ScheduleShipment'
  | 'saga.ReleaseInventory'
  | 'saga.RefundPayment'
  | 'saga.RestockInventory'
  | 'saga.CancelShipment';

/** A command to publish (through the outbox). `attempt` > 1 marks a re-send of the same command. */
export type SagaCommand = {
  [T in CommandType]: Msg<T> & { readonly attempt: number };
}[CommandType];

export type SagaEvent =
  | Msg<'saga.SagaStepsChanged'>
  | Msg<'saga.SagaCompleted'>
  | Msg<'saga.SagaCancelled'>
  | Msg<'saga.SagaParked'>;

export type IgnoredReason = 'duplicate' | 'stale-deadline' | 'early-deadline' | 'unexpected';

/**
 * The outcome of one input. When `ignored` is set the state is returned unchanged (same object,
 * same version) and nothing is emitted, so the handler can skip the write.
 */
export interface Decision {
  readonly state: SagaState;
  readonly commands: readonly SagaCommand[];
  readonly events: readonly SagaEvent[];
  readonly ignored: IgnoredReason | null;
}
