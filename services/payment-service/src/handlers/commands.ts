import {
  MessagingError,
  subscribe,
  unsettledCall,
  type ExternalCall,
  type HandlerContext,
  type SettleContext,
  type Subscription,
} from '@orderflow/messaging';
import type { PaymentContracts } from '../contracts.js';
import {
  capturedReply,
  decideCharge,
  decideRefund,
  declinedReply,
  refundedReply,
  type Payment,
  type ProcessPayment,
  type Refund,
  type RefundPayment,
} from '../domain/payment.js';
import type {
  CancelChargeResult,
  ChargeRequest,
  ChargeResult,
  PaymentGateway,
  RefundRequest,
  RefundResult,
} from '../gateway/payment-gateway.js';
import { insertPayment, insertRefund, loadState, lockOrder } from '../store/payment-store.js';

/**
 * Kafka entry point: the saga's payment commands → domain decisions → payment rows and a reply
 * through the outbox. The gateway is never called inside a transaction: the handler records the
 * call (`ctx.defer`), the messaging runtime makes it after the commit with only this order's key
 * held, and `settle` records the result and replies in a second transaction. The order is locked
 * first in each transaction, so one order's commands never interleave. A RefundPayment for an
 * order with no charge on record is the saga's void (see domain/payment.ts).
 */
export interface PaymentHandlerDeps {
  readonly gateway: PaymentGateway;
  readonly newPaymentId: () => string;
  /** Per gateway attempt; well under the saga's payment step deadline. */
  readonly gatewayTimeoutMs: number;
  /** Gateway attempts per command (the first included) for retryable failures. */
  readonly gatewayAttempts: number;
  /** Epoch milliseconds; compared with a command's `notAfter`. */
  readonly now: () => number;
}

/** What a charge needs once the transaction that decided it has committed. */
interface ChargeInput extends ChargeRequest {
  readonly paymentId: string;
  readonly customerId: string;
}

interface RefundInput extends RefundRequest {
  readonly paymentId: string;
}

/** A void of an order with no charge on record: what to refund if the gateway reports one. */
interface VoidInput {
  readonly orderId: string;
  readonly chargeKey: string;
  readonly refundKey: string;
  readonly amountMinor: number;
  readonly currency: string;
}

type VoidResult =
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'refunded'; readonly chargeRef: string; readonly refundRef: string };

export const CHARGE_CALL = 'payment.charge';
export const REFUND_CALL = 'payment.refund';
export const VOID_CALL = 'payment.void';

export interface PaymentHandlers {
  readonly subscriptions: Subscription[];
  /** Registered with the runtime at start, so a restart resumes unsettled calls. */
  readonly calls: readonly ExternalCall<never, unknown>[];
}

export function paymentHandlers(
  contracts: PaymentContracts,
  deps: PaymentHandlerDeps,
): PaymentHandlers {
  type Replier = Pick<HandlerContext, 'publish'>;

  async function replyPayment(ctx: Replier, payment: Payment): Promise<void> {
    if (payment.status === 'CAPTURED')
      await ctx.publish({
        contract: contracts.captured,
        key: payment.orderId,
        payload: capturedReply(payment),
      });
    else
      await ctx.publish({
        contract: contracts.declined,
        key: payment.orderId,
        payload: declinedReply(payment),
      });
  }

  async function replyRefund(ctx: Replier, refund: Refund): Promise<void> {
    await ctx.publish({
      contract: contracts.refunded,
      key: refund.orderId,
      payload: refundedReply(refund),
    });
  }

  const retry = { attempts: deps.gatewayAttempts, baseMs: 100, maxMs: 1_000 };

  const charge: ExternalCall<ChargeInput, ChargeResult> = {
    name: CHARGE_CALL,
    timeoutMs: deps.gatewayTimeoutMs,
    retry,
    call: (input) => deps.gateway.charge(input),
    async settle(result, input, ctx: SettleContext) {
      await lockOrder(ctx.tx, input.orderId);
      const state = await loadState(ctx.tx, input.orderId);
      // Settled twice (a resumed call racing its original) or refunded meanwhile: the first
      // record stands and is replied again.
      if (state.payment) return replyPayment(ctx, state.payment);
      const base = {
        orderId: input.orderId,
        paymentId: input.paymentId,
        customerId: input.customerId,
        amountMinor: input.amountMinor,
        currency: input.currency,
      };
      const payment: Payment =
        result.kind === 'captured'
          ? { ...base, status: 'CAPTURED', gatewayRef: result.gatewayRef, declineReason: null }
          : { ...base, status: 'DECLINED', gatewayRef: null, declineReason: result.reason };
      await insertPayment(ctx.tx, payment);
      await replyPayment(ctx, payment);
    },
  };

  const refund: ExternalCall<RefundInput, RefundResult> = {
    name: REFUND_CALL,
    timeoutMs: deps.gatewayTimeoutMs,
    retry,
    call: (input) => deps.gateway.refund(input),
    async settle(result, input, ctx: SettleContext) {
      await lockOrder(ctx.tx, input.orderId);
      const state = await loadState(ctx.tx, input.orderId);
      if (state.refund) return replyRefund(ctx, state.refund);
      const recorded: Refund = {
        orderId: input.orderId,
        paymentId: input.paymentId,
        amountMinor: input.amountMinor,
        currency: input.currency,
        gatewayRef: result.gatewayRef,
      };
      await insertRefund(ctx.tx, recorded);
      await replyRefund(ctx, recorded);
    },
  };

  // Asks the gateway about the order's charge; a capture it reports is refunded in the same
  // call (both idempotent by key, so a retry or a resumed call repeats nothing).
  const voidCharge: ExternalCall<VoidInput, VoidResult> = {
    name: VOID_CALL,
    timeoutMs: deps.gatewayTimeoutMs,
    retry,
    async call(input) {
      const found: CancelChargeResult = await deps.gateway.cancelCharge(input.chargeKey);
      if (found.kind === 'cancelled') return found;
      const refunded = await deps.gateway.refund({
        orderId: input.orderId,
        gatewayRef: found.gatewayRef,
        amountMinor: input.amountMinor,
        currency: input.currency,
        idempotencyKey: input.refundKey,
      });
      return { kind: 'refunded', chargeRef: found.gatewayRef, refundRef: refunded.gatewayRef };
    },
    async settle(result, input, ctx: SettleContext) {
      await lockOrder(ctx.tx, input.orderId);
      const state = await loadState(ctx.tx, input.orderId);
      if (state.refund) return replyRefund(ctx, state.refund);
      let paymentId: string | null = null;
      if (result.kind === 'refunded') {
        // The charge we never heard back about had been captured: record it as the gateway
        // reports it, then its refund, so the books show both.
        const payment: Payment = {
          orderId: input.orderId,
          paymentId: deps.newPaymentId(),
          customerId: null,
          status: 'CAPTURED',
          amountMinor: input.amountMinor,
          currency: input.currency,
          gatewayRef: result.chargeRef,
          declineReason: null,
        };
        await insertPayment(ctx.tx, payment);
        paymentId = payment.paymentId;
        ctx.logger.warn(
          { orderId: input.orderId, gatewayRef: result.chargeRef },
          'void found a capture at the gateway; refunded it',
        );
      }
      const recorded: Refund = {
        orderId: input.orderId,
        paymentId,
        amountMinor: paymentId === null ? 0 : input.amountMinor,
        currency: input.currency,
        gatewayRef: result.kind === 'refunded' ? result.refundRef : null,
      };
      await insertRefund(ctx.tx, recorded);
      await replyRefund(ctx, recorded);
    },
  };

  /** A command of an order whose gateway call is still out waits for it (retried, key held). */
  async function waitForCallInFlight(ctx: HandlerContext, orderId: string): Promise<void> {
    const inFlight = await unsettledCall(ctx.tx, [CHARGE_CALL, REFUND_CALL, VOID_CALL], orderId);
    if (inFlight)
      throw new MessagingError(
        'TRANSIENT',
        `a ${inFlight} for order ${orderId} is still in flight`,
      );
  }

  async function process(command: ProcessPayment, ctx: HandlerContext): Promise<void> {
    const { orderId } = command;
    await lockOrder(ctx.tx, orderId);
    await waitForCallInFlight(ctx, orderId);
    const decision = decideCharge(command, await loadState(ctx.tx, orderId), deps.now());
    if (decision.kind === 'refuse') {
      // Nothing is recorded (the refund on record already closes the order); the saga logs it.
      ctx.logger.warn({ orderId, why: decision.why }, 'ProcessPayment refused without charging');
      await ctx.publish({
        contract: contracts.declined,
        key: orderId,
        payload: {
          orderId,
          reason: decision.reason,
          amountMinor: command.amountMinor,
          currency: command.currency,
        },
      });
      return;
    }
    if (decision.kind === 'replay') return replyPayment(ctx, decision.payment);
    const base = {
      orderId,
      paymentId: deps.newPaymentId(),
      customerId: command.customerId,
      amountMinor: command.amountMinor,
      currency: command.currency,
    };
    if (decision.kind === 'decline') {
      ctx.logger.warn({ orderId, why: decision.why }, 'ProcessPayment declined without charging');
      const payment: Payment = {
        ...base,
        status: 'DECLINED',
        gatewayRef: null,
        declineReason: decision.reason,
      };
      await insertPayment(ctx.tx, payment);
      return replyPayment(ctx, payment);
    }
    await ctx.defer(charge, {
      ...base,
      token: decision.token,
      idempotencyKey: decision.idempotencyKey,
    });
  }

  async function refundCommand(command: RefundPayment, ctx: HandlerContext): Promise<void> {
    const { orderId } = command;
    await lockOrder(ctx.tx, orderId);
    await waitForCallInFlight(ctx, orderId);
    const decision = decideRefund(orderId, await loadState(ctx.tx, orderId));
    if (decision.kind === 'replay') return replyRefund(ctx, decision.refund);
    if (decision.kind === 'void') {
      await ctx.defer(voidCharge, {
        orderId,
        chargeKey: decision.chargeKey,
        refundKey: decision.refundKey,
        amountMinor: command.amountMinor,
        currency: command.currency,
      });
      return;
    }
    if (decision.kind === 'nothing-to-refund') {
      const recorded: Refund = {
        orderId,
        paymentId: null,
        amountMinor: 0,
        currency: command.currency,
        gatewayRef: null,
      };
      await insertRefund(ctx.tx, recorded);
      return replyRefund(ctx, recorded);
    }
    const { payment } = decision;
    if (command.amountMinor !== payment.amountMinor || command.currency !== payment.currency)
      // The command means "refund the capture in full"; our record of the capture is the truth.
      ctx.logger.warn(
        { orderId, asked: command.amountMinor, captured: payment.amountMinor },
        'RefundPayment amount differs from the capture; refunding the capture',
      );
    await ctx.defer(refund, {
      orderId,
      paymentId: payment.paymentId,
      gatewayRef: payment.gatewayRef ?? '',
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      idempotencyKey: decision.idempotencyKey,
    });
  }

  return {
    subscriptions: [
      subscribe(contracts.process, process),
      subscribe(contracts.refund, refundCommand),
    ],
    calls: [charge, refund, voidCharge],
  };
}
