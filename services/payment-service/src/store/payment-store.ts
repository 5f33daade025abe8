import type { Queryable } from '@orderflow/messaging';
import type {
  DeclineReason,
  Payment,
  PaymentState,
  PaymentStatus,
  Refund,
} from '../domain/payment.js';

/** SQL for payments and refunds. Every function runs on the caller's client/transaction. */
interface PaymentRow {
  order_id: string;
  payment_id: string;
  customer_id: string | null;
  status: PaymentStatus;
  amount_minor: string;
  currency: string;
  gateway_ref: string | null;
  decline_reason: DeclineReason | null;
}

interface RefundRow {
  order_id: string;
  payment_id: string | null;
  amount_minor: string;
  currency: string;
  gateway_ref: string | null;
}

/**
 * Serialises every command of one order until the transaction ends. A row lock is not enough:
 * before the first command there is no row to lock, and a command back from a retry topic can
 * run alongside one on the main topic (different partitions, same order).
 */
export async function lockOrder(tx: Queryable, orderId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('payment:' || $1, 0))", [orderId]);
}

export async function loadState(db: Queryable, orderId: string): Promise<PaymentState> {
  const [payments, refunds] = await Promise.all([
    db.query<PaymentRow>(
      `SELECT order_id, payment_id, customer_id, status, amount_minor, currency, gateway_ref, decline_reason
         FROM payments WHERE order_id = $1`,
      [orderId],
    ),
    db.query<RefundRow>(
      `SELECT order_id, payment_id, amount_minor, currency, gateway_ref
         FROM refunds WHERE order_id = $1`,
      [orderId],
    ),
  ]);
  const p = payments.rows[0];
  const r = refunds.rows[0];
  return {
    payment: p && {
      orderId: p.order_id,
      paymentId: p.payment_id,
      customerId: p.customer_id,
      status: p.status,
      amountMinor: Number(p.amount_minor),
      currency: p.currency,
      gatewayRef: p.gateway_ref,
      declineReason: p.decline_reason,
    },
    refund: r && {
      orderId: r.order_id,
      paymentId: r.payment_id,
      amountMinor: Number(r.amount_minor),
      currency: r.currency,
      gatewayRef: r.gateway_ref,
    },
  };
}

export async function insertPayment(tx: Queryable, payment: Payment): Promise<void> {
  await tx.query(
    `INSERT INTO payments
       (order_id, payment_id, customer_id, status, amount_minor, currency, gateway_ref, decline_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      payment.orderId,
      payment.paymentId,
      payment.customerId,
      payment.status,
      payment.amountMinor,
      payment.currency,
      payment.gatewayRef,
      payment.declineReason,
    ],
  );
}

export async function insertRefund(tx: Queryable, refund: Refund): Promise<void> {
  await tx.query(
    `INSERT INTO refunds (order_id, payment_id, amount_minor, currency, gateway_ref)
     VALUES ($1, $2, $3, $4, $5)`,
    [refund.orderId, refund.paymentId, refund.amountMinor, refund.currency, refund.gatewayRef],
  );
}
