import type { MessagePayload } from '@orderflow/contracts';

/**
 * One order's payment as a small state machine, so every saga command is idempotent per order
 * and a cancelled order nets to zero money:
 *
 *   (none) --process--> CAPTURED | DECLINED          (one payments row per order)
 *   CAPTURED --refund--> refunded in full             (one refunds row per order)
 *   DECLINED | (none) --refund--> refunded with amount 0 (nothing was taken; the saga still
 *                                  needs its confirmation)
 *   refunded --process--> declined PAYMENT_VOIDED    (a late, re-sent or replayed charge must
 *                                                      not take money from an order the saga
 *                                                      cancelled; the saga logs the refusal)
 *   (none) --process past its notAfter--> DECLINED DEADLINE_PASSED (the saga has given up)
 *   (none) --refund--> void: ask the gateway about the order's charge by its idempotency key;
 *                      a capture it reports is recorded and refunded, otherwise the gateway
 *                      guarantees none will happen, and a refund of 0 is recorded
 *
 * A repeated command re-sends the recorded reply and never calls the gateway again.
 */
export type ProcessPayment = MessagePayload<'saga.ProcessPayment'>;
export type RefundPayment = MessagePayload<'saga.RefundPayment'>;
export type PaymentCaptured = MessagePayload<'payments.PaymentCaptured'>;
export type PaymentDeclined = MessagePayload<'payments.PaymentDeclined'>;
export type PaymentRefunded = MessagePayload<'payments.PaymentRefunded'>;
export type DeclineReason = PaymentDeclined['reason'];

export type PaymentStatus = 'CAPTURED' | 'DECLINED';

export interface Payment {
  readonly orderId: string;
  readonly paymentId: string;
  /** Null for a capture a void found at the gateway (it names no customer). */
  readonly customerId: string | null;
  readonly status: PaymentStatus;
  readonly amountMinor: number;
  readonly currency: string;
  readonly gatewayRef: string | null;
  readonly declineReason: DeclineReason | null;
}

export interface Refund {
  readonly orderId: string;
  /** The refunded capture; null when nothing had been captured (amount 0). */
  readonly paymentId: string | null;
  readonly amountMinor: number;
  readonly currency: string;
  readonly gatewayRef: string | null;
}

/** What the service has recorded for one order. */
export interface PaymentState {
  readonly payment: Payment | undefined;
  readonly refund: Refund | undefined;
}

export type ChargeDecision =
  | { readonly kind: 'charge'; readonly token: string; readonly idempotencyKey: string }
  | { readonly kind: 'decline'; readonly reason: DeclineReason; readonly why: string }
  | { readonly kind: 'replay'; readonly payment: Payment }
  /** Refused without recording anything: the refund on record already closes the order. */
  | { readonly kind: 'refuse'; readonly reason: DeclineReason; readonly why: string };

export type RefundDecision =
  | { readonly kind: 'refund'; readonly payment: Payment; readonly idempotencyKey: string }
  /** No charge on record: its outcome may be unknown (a gateway timeout), so ask, then close. */
  | { readonly kind: 'void'; readonly chargeKey: string; readonly refundKey: string }
  | { readonly kind: 'nothing-to-refund' }
  | { readonly kind: 'replay'; readonly refund: Refund };

const CURRENCY = /^[A-Z]{3}$/;

const chargeKey = (orderId: string) => `charge:${orderId}`;
const refundKey = (orderId: string) => `refund:${orderId}`;

export function decideCharge(
  command: ProcessPayment,
  state: PaymentState,
  now: number,
): ChargeDecision {
  if (state.refund)
    return {
      kind: 'refuse',
      reason: 'PAYMENT_VOIDED',
      why: 'the order was refunded or voided; a late charge must not run',
    };
  if (state.payment) return { kind: 'replay', payment: state.payment };
  if (command.notAfter !== null && now > command.notAfter)
    return {
      kind: 'decline',
      reason: 'DEADLINE_PASSED',
      why: `the saga gave up on this payment at ${new Date(command.notAfter).toISOString()}`,
    };
  if (!Number.isSafeInteger(command.amountMinor) || command.amountMinor <= 0)
    return { kind: 'decline', reason: 'OTHER', why: `amount ${command.amountMinor} is not > 0` };
  if (!CURRENCY.test(command.currency))
    return {
      kind: 'decline',
      reason: 'OTHER',
      why: `currency ${command.currency} is not ISO 4217`,
    };
  // A v1 command (from a saga older than ProcessPayment v2) names no payment method: nothing to
  // charge, and guessing one would charge the customer without their say.
  if (command.paymentToken === null)
    return { kind: 'decline', reason: 'OTHER', why: 'the command carries no payment token' };
  return {
    kind: 'charge',
    token: command.paymentToken,
    idempotencyKey: chargeKey(command.orderId),
  };
}

export function decideRefund(orderId: string, state: PaymentState): RefundDecision {
  if (state.refund) return { kind: 'replay', refund: state.refund };
  if (state.payment?.status === 'CAPTURED')
    return { kind: 'refund', payment: state.payment, idempotencyKey: refundKey(orderId) };
  if (state.payment === undefined)
    return { kind: 'void', chargeKey: chargeKey(orderId), refundKey: refundKey(orderId) };
  return { kind: 'nothing-to-refund' };
}

export function capturedReply(payment: Payment): PaymentCaptured {
  return {
    orderId: payment.orderId,
    paymentId: payment.paymentId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
  };
}

export function declinedReply(payment: Payment): PaymentDeclined {
  return {
    orderId: payment.orderId,
    reason: payment.declineReason ?? 'OTHER',
    amountMinor: payment.amountMinor,
    currency: payment.currency,
  };
}

/** paymentId is '' when nothing was captured (the contract field is required). */
export function refundedReply(refund: Refund): PaymentRefunded {
  return {
    orderId: refund.orderId,
    paymentId: refund.paymentId ?? '',
    amountMinor: refund.amountMinor,
    currency: refund.currency,
  };
}

export type PaymentView = {
  readonly orderId: string;
  /** NOT_CHARGED: a refund arrived before any charge, so the order can no longer be charged. */
  readonly status: 'CAPTURED' | 'DECLINED' | 'REFUNDED' | 'NOT_CHARGED';
  readonly payment: Payment | null;
  readonly refund: Refund | null;
};

export function paymentView(state: PaymentState): PaymentView | undefined {
  const { payment, refund } = state;
  if (!payment && !refund) return undefined;
  const orderId = (payment?.orderId ?? refund?.orderId) as string;
  const status =
    payment?.status === 'CAPTURED' && refund ? 'REFUNDED' : (payment?.status ?? 'NOT_CHARGED');
  return { orderId, status, payment: payment ?? null, refund: refund ?? null };
}
