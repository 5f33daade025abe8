import { setTimeout as sleep } from 'node:timers/promises';
import type { DeclineReason } from '../domain/payment.js';
import {
  GatewayError,
  type CancelChargeResult,
  type ChargeRequest,
  type ChargeResult,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
} from './payment-gateway.js';

/**
 * A SIMULATED payment gateway for local runs and tests: no money moves. The payment token
 * chooses the behaviour:
 *
 *   tok_decline_insufficient_funds | tok_decline_card | tok_decline_fraud | tok_decline_limit
 *                       → declined with that reason
 *   tok_transient_<N>   → throws a retryable GATEWAY_UNAVAILABLE N times per order, then approves
 *   tok_slow_<ms>       → approves after <ms> milliseconds (capped by `maxDelayMs`)
 *   tok_refund_refused_<N> → approves; the first N refunds of the order are refused with a
 *                       non-retryable GATEWAY_REQUEST_REJECTED (as for a closed card account),
 *                       later ones go through: N at least the saga's compensation sends parks
 *                       the saga, and an operator's resume then finishes it
 *   anything else (tok_approve, ...) → approves
 *
 * `cancelCharge` reports a capture made under the key, or cancels the key so that no charge
 * with it captures afterwards, even one already sleeping in `tok_slow_<ms>`.
 *
 * State (failures so far per order, results per idempotency key, the token behind each capture)
 * is kept in memory on purpose: it stands for the provider's side, which must not roll back with
 * our transaction — a counter in our database, written inside the consumer's transaction, would
 * be undone by the very failure it counts. After a restart the counts start again (at most N
 * more failures), and the captures made before it are forgotten (their refunds go through).
 */
export type SimulatedBehaviour =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly reason: DeclineReason }
  | { readonly kind: 'transient'; readonly failures: number }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'refund_refused'; readonly refusals: number };

const DECLINES: Readonly<Record<string, DeclineReason>> = {
  tok_decline_insufficient_funds: 'INSUFFICIENT_FUNDS',
  tok_decline_card: 'CARD_DECLINED',
  tok_decline_fraud: 'FRAUD_SUSPECTED',
  tok_decline_limit: 'LIMIT_EXCEEDED',
};

/** Pure: what the simulator does for a token. */
export function simulatedBehaviour(token: string): SimulatedBehaviour {
  const reason = DECLINES[token];
  if (reason) return { kind: 'decline', reason };
  const transient = /^tok_transient_(\d{1,3})$/.exec(token);
  if (transient) return { kind: 'transient', failures: Number(transient[1]) };
  const slow = /^tok_slow_(\d{1,7})$/.exec(token);
  if (slow) return { kind: 'slow', delayMs: Number(slow[1]) };
  const refundRefused = /^tok_refund_refused_(\d{1,3})$/.exec(token);
  if (refundRefused) return { kind: 'refund_refused', refusals: Number(refundRefused[1]) };
  return { kind: 'approve' };
}

export interface SimulatedGatewayOptions {
  readonly maxDelayMs?: number;
  /** Injected so tests need not wait; defaults to a real timer. */
  readonly delay?: (ms: number) => Promise<void>;
  readonly newRef?: (prefix: string) => string;
}

export class SimulatedGateway implements PaymentGateway {
  private readonly failures = new Map<string, number>();
  private readonly charges = new Map<string, ChargeResult>();
  private readonly refunds = new Map<string, RefundResult>();
  /** The token each capture was made with, by its reference: a refund's behaviour depends on it. */
  private readonly capturedTokens = new Map<string, string>();
  private readonly refundRefusals = new Map<string, number>();
  /** Idempotency keys cancelled before any capture: a charge with one is refused, even one in flight. */
  private readonly cancelled = new Set<string>();
  private readonly maxDelayMs: number;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly newRef: (prefix: string) => string;
  private seq = 0;

  constructor(options: SimulatedGatewayOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.delay = options.delay ?? ((ms) => sleep(ms));
    this.newRef = options.newRef ?? ((prefix) => `${prefix}_${Date.now()}_${++this.seq}`);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const earlier = this.charges.get(request.idempotencyKey);
    if (earlier) return earlier; // what a provider does for a repeated idempotency key
    const result = await this.decide(request);
    // A cancel that came while this charge was in flight wins: nothing is captured.
    if (this.cancelled.has(request.idempotencyKey))
      return { kind: 'declined', reason: 'PAYMENT_VOIDED' };
    // Two calls with one key in flight at once (a retry after a client-side timeout): the first
    // to finish is the charge, the other answers with it.
    const first = this.charges.get(request.idempotencyKey);
    if (first) return first;
    this.charges.set(request.idempotencyKey, result);
    if (result.kind === 'captured') this.capturedTokens.set(result.gatewayRef, request.token);
    return result;
  }

  cancelCharge(idempotencyKey: string): Promise<CancelChargeResult> {
    const charged = this.charges.get(idempotencyKey);
    if (charged?.kind === 'captured')
      return Promise.resolve({ kind: 'captured', gatewayRef: charged.gatewayRef });
    this.cancelled.add(idempotencyKey);
    return Promise.resolve({ kind: 'cancelled' });
  }

  private async decide(request: ChargeRequest): Promise<ChargeResult> {
    const behaviour = simulatedBehaviour(request.token);
    let result: ChargeResult;
    switch (behaviour.kind) {
      case 'decline':
        result = { kind: 'declined', reason: behaviour.reason };
        break;
      case 'transient': {
        const failed = this.failures.get(request.orderId) ?? 0;
        if (failed < behaviour.failures) {
          this.failures.set(request.orderId, failed + 1);
          throw new GatewayError(
            'GATEWAY_UNAVAILABLE',
            `simulated outage ${failed + 1}/${behaviour.failures} for order ${request.orderId}`,
          );
        }
        result = { kind: 'captured', gatewayRef: this.newRef('sim_ch') };
        break;
      }
      case 'slow':
        await this.delay(Math.min(behaviour.delayMs, this.maxDelayMs));
        result = { kind: 'captured', gatewayRef: this.newRef('sim_ch') };
        break;
      case 'approve':
      case 'refund_refused':
        result = { kind: 'captured', gatewayRef: this.newRef('sim_ch') };
        break;
    }
    return result;
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    const earlier = this.refunds.get(request.idempotencyKey);
    if (earlier) return Promise.resolve(earlier);
    const behaviour = simulatedBehaviour(this.capturedTokens.get(request.gatewayRef) ?? '');
    if (behaviour.kind === 'refund_refused') {
      const refused = this.refundRefusals.get(request.orderId) ?? 0;
      if (refused < behaviour.refusals) {
        this.refundRefusals.set(request.orderId, refused + 1);
        return Promise.reject(
          new GatewayError(
            'GATEWAY_REQUEST_REJECTED',
            `simulated refund refusal ${refused + 1}/${behaviour.refusals} for order ${request.orderId}`,
          ),
        );
      }
    }
    const result = { gatewayRef: this.newRef('sim_re') };
    this.refunds.set(request.idempotencyKey, result);
    return Promise.resolve(result);
  }
}
