import {
  MessagingError,
  NonRetryableError,
  type HandlerContext,
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
import { GatewayError, type PaymentGateway } from '../gateway/payment-gateway.js';
import { insertPayment, insertRefund, loadState, lockOrder } from '../store/payment-store.js';

/**
 * Kafka entry point: the saga's payment commands → domain decisions → gateway call, payment rows
 * and a reply through the outbox, all in the consumer's transaction (inbox + writes + outbox
 * commit together). The order is locked first, so one order's commands never interleave.
 */
export interface PaymentHandlerDeps {
  readonly gateway: PaymentGateway;
  readonly newPaymentId: () => string;
}

export function paymentSubscriptions(
  contracts: PaymentContracts,
  deps: PaymentHandlerDeps,
): Subscription[] {
  async function replyPayment(ctx: HandlerContext, payment: Payment): Promise<void> {
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

  async function replyRefund(ctx: HandlerContext, refund: Refund): Promise<void> {
    await ctx.publish({
      contract: contracts.refunded,
      key: refund.orderId,
      payload: refundedReply(refund),
    });
  }

  async function process(payload: unknown, ctx: HandlerContext): Promise<void> {
    const command = payload as ProcessPayment;
    const { orderId } = command;
    await lockOrder(ctx.tx, orderId);
    const decision = decideCharge(command, await loadState(ctx.tx, orderId));
    if (decision.kind === 'ignore') {
      ctx.logger.info({ orderId, why: decision.why }, 'ProcessPayment ignored');
      return;
    }
    if (decision.kind === 'replay') {
      await replyPayment(ctx, decision.payment);
      return;
    }
    const base = {
      orderId,
      paymentId: deps.newPaymentId(),
      customerId: command.customerId,
      amountMinor: command.amountMinor,
      currency: command.currency,
    };
    let payment: Payment;
    if (decision.kind === 'decline') {
      ctx.logger.warn({ orderId, why: decision.why }, 'ProcessPayment declined without charging');
      payment = { ...base, status: 'DECLINED', gatewayRef: null, declineReason: decision.reason };
    } else {
      const result = await gatewayCall(() =>
        deps.gateway.charge({
          orderId,
          amountMinor: command.amountMinor,
          currency: command.currency,
          token: decision.token,
          idempotencyKey: decision.idempotencyKey,
        }),
      );
      payment =
        result.kind === 'captured'
          ? { ...base, status: 'CAPTURED', gatewayRef: result.gatewayRef, declineReason: null }
          : { ...base, status: 'DECLINED', gatewayRef: null, declineReason: result.reason };
    }
    await insertPayment(ctx.tx, payment);
    await replyPayment(ctx, payment);
  }

  async function refund(payload: unknown, ctx: HandlerContext): Promise<void> {
    const command = payload as RefundPayment;
    const { orderId } = command;
    await lockOrder(ctx.tx, orderId);
    const decision = decideRefund(await loadState(ctx.tx, orderId));
    if (decision.kind === 'replay') {
      await replyRefund(ctx, decision.refund);
      return;
    }
    let recorded: Refund;
    if (decision.kind === 'nothing-to-refund') {
      recorded = {
        orderId,
        paymentId: null,
        amountMinor: 0,
        currency: command.currency,
        gatewayRef: null,
      };
    } else {
      const { payment } = decision;
      if (command.amountMinor !== payment.amountMinor || command.currency !== payment.currency)
        // The command means "refund the capture in full"; our record of the capture is the truth.
        ctx.logger.warn(
          { orderId, asked: command.amountMinor, captured: payment.amountMinor },
          'RefundPayment amount differs from the capture; refunding the capture',
        );
      const result = await gatewayCall(() =>
        deps.gateway.refund({
          orderId,
          gatewayRef: payment.gatewayRef ?? '',
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          idempotencyKey: decision.idempotencyKey,
        }),
      );
      recorded = {
        orderId,
        paymentId: payment.paymentId,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        gatewayRef: result.gatewayRef,
      };
    }
    await insertRefund(ctx.tx, recorded);
    await replyRefund(ctx, recorded);
  }

  return [
    { contract: contracts.process, handle: process },
    { contract: contracts.refund, handle: refund },
  ];
}

/** Maps gateway failures onto the messaging error policy: retryable → backoff and retry topics. */
export function gatewayFailure(error: unknown): unknown {
  if (!(error instanceof GatewayError)) return error;
  if (error.retryable)
    return new MessagingError('TRANSIENT', `payment gateway: ${error.message}`, { cause: error });
  return new NonRetryableError(`payment gateway: ${error.message}`, { cause: error });
}

async function gatewayCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gatewayFailure(error);
  }
}
