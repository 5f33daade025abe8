import { describe, expect, it } from '@jest/globals';
import {
  capturedReply,
  decideCharge,
  decideRefund,
  declinedReply,
  paymentView,
  refundedReply,
  type Payment,
  type PaymentState,
  type Refund,
} from '../../src/domain/payment.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const command = {
  orderId: 'o-1',
  customerId: 'c-1',
  paymentToken: 'tok_transient_2',
  amountMinor: 2500,
  currency: 'EUR',
  notAfter: NOW + 60_000,
};

const captured: Payment = {
  orderId: 'o-1',
  paymentId: 'p-1',
  customerId: 'c-1',
  status: 'CAPTURED',
  amountMinor: 2500,
  currency: 'EUR',
  gatewayRef: 'ch_1',
  declineReason: null,
};
const declined: Payment = {
  ...captured,
  status: 'DECLINED',
  gatewayRef: null,
  declineReason: 'INSUFFICIENT_FUNDS',
};
const refunded: Refund = {
  orderId: 'o-1',
  paymentId: 'p-1',
  amountMinor: 2500,
  currency: 'EUR',
  gatewayRef: 're_1',
};
const nothingRefunded: Refund = {
  orderId: 'o-1',
  paymentId: null,
  amountMinor: 0,
  currency: 'EUR',
  gatewayRef: null,
};

function state(payment?: Payment, refund?: Refund): PaymentState {
  return { payment, refund };
}

describe('decideCharge', () => {
  it('charges a new order once, with an idempotency key derived from the order', () => {
    expect(decideCharge(command, state(), NOW)).toEqual({
      kind: 'charge',
      token: 'tok_transient_2',
      idempotencyKey: 'charge:o-1',
    });
  });

  it('replays the recorded outcome instead of charging again', () => {
    expect(decideCharge(command, state(captured), NOW)).toEqual({
      kind: 'replay',
      payment: captured,
    });
    expect(decideCharge(command, state(declined), NOW)).toEqual({
      kind: 'replay',
      payment: declined,
    });
  });

  it('refuses a charge that arrives after the refund or void, captured or not', () => {
    for (const after of [state(undefined, nothingRefunded), state(captured, refunded)])
      expect(decideCharge(command, after, NOW)).toMatchObject({
        kind: 'refuse',
        reason: 'PAYMENT_VOIDED',
      });
  });

  it('declines without charging once the saga has given up (past notAfter), not before', () => {
    expect(decideCharge(command, state(), command.notAfter + 1)).toMatchObject({
      kind: 'decline',
      reason: 'DEADLINE_PASSED',
    });
    expect(decideCharge(command, state(), command.notAfter).kind).toBe('charge');
    // A command from a saga older than ProcessPayment v3 has no deadline.
    expect(decideCharge({ ...command, notAfter: null }, state(), NOW + 1e9).kind).toBe('charge');
  });

  it('declines without calling the gateway when there is nothing valid to capture', () => {
    for (const amountMinor of [0, -1, 1.5])
      expect(decideCharge({ ...command, amountMinor }, state(), NOW)).toMatchObject({
        kind: 'decline',
        reason: 'OTHER',
      });
    expect(decideCharge({ ...command, currency: 'euro' }, state(), NOW)).toMatchObject({
      kind: 'decline',
      reason: 'OTHER',
    });
  });

  it('declines a v1 command, which names no payment method, rather than guess one', () => {
    expect(decideCharge({ ...command, paymentToken: null }, state(), NOW)).toEqual({
      kind: 'decline',
      reason: 'OTHER',
      why: 'the command carries no payment token',
    });
  });
});

describe('decideRefund', () => {
  it('refunds a capture in full', () => {
    expect(decideRefund('o-1', state(captured))).toEqual({
      kind: 'refund',
      payment: captured,
      idempotencyKey: 'refund:o-1',
    });
  });

  it('has nothing to refund after a decline', () => {
    expect(decideRefund('o-1', state(declined))).toEqual({ kind: 'nothing-to-refund' });
  });

  it('voids an order with no charge on record: ask the gateway about the charge key first', () => {
    expect(decideRefund('o-1', state())).toEqual({
      kind: 'void',
      chargeKey: 'charge:o-1',
      refundKey: 'refund:o-1',
    });
  });

  it('replays a recorded refund', () => {
    expect(decideRefund('o-1', state(captured, refunded))).toEqual({
      kind: 'replay',
      refund: refunded,
    });
    expect(decideRefund('o-1', state(undefined, nothingRefunded))).toEqual({
      kind: 'replay',
      refund: nothingRefunded,
    });
  });
});

describe('replies', () => {
  it('match the contracts', () => {
    expect(capturedReply(captured)).toEqual({
      orderId: 'o-1',
      paymentId: 'p-1',
      amountMinor: 2500,
      currency: 'EUR',
    });
    expect(declinedReply(declined)).toEqual({
      orderId: 'o-1',
      reason: 'INSUFFICIENT_FUNDS',
      amountMinor: 2500,
      currency: 'EUR',
    });
    expect(refundedReply(refunded)).toEqual({
      orderId: 'o-1',
      paymentId: 'p-1',
      amountMinor: 2500,
      currency: 'EUR',
    });
    expect(refundedReply(nothingRefunded)).toEqual({
      orderId: 'o-1',
      paymentId: '',
      amountMinor: 0,
      currency: 'EUR',
    });
  });
});

describe('paymentView', () => {
  it('summarises what was recorded', () => {
    expect(paymentView(state())).toBeUndefined();
    expect(paymentView(state(captured))?.status).toBe('CAPTURED');
    expect(paymentView(state(declined))?.status).toBe('DECLINED');
    expect(paymentView(state(captured, refunded))?.status).toBe('REFUNDED');
    expect(paymentView(state(declined, nothingRefunded))?.status).toBe('DECLINED');
    expect(paymentView(state(undefined, nothingRefunded))).toEqual({
      orderId: 'o-1',
      status: 'NOT_CHARGED',
      payment: null,
      refund: nothingRefunded,
    });
  });
});
