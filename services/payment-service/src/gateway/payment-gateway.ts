import type { DeclineReason } from '../domain/payment.js';

/**
 * The port to a payment provider. The simulator implements it locally; a real provider's
 * adapter (Stripe, Adyen, ...) implements the same: charge, refund, cancel a charge by its
 * idempotency key, typed errors.
 *
 * Both calls carry an idempotency key derived from the order: the call runs inside the consumer's
 * database transaction, so a crash after the provider charged but before our commit redelivers
 * the command, and the provider must then answer with the original charge instead of a new one.
 */
export interface ChargeRequest {
  readonly orderId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** Which card/wallet to charge: the opaque token the client sent in POST /orders. */
  readonly token: string;
  readonly idempotencyKey: string;
}

export type ChargeResult =
  | { readonly kind: 'captured'; readonly gatewayRef: string }
  | { readonly kind: 'declined'; readonly reason: DeclineReason };

export interface RefundRequest {
  readonly orderId: string;
  /** The provider's reference of the capture being refunded. */
  readonly gatewayRef: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly idempotencyKey: string;
}

export interface RefundResult {
  readonly gatewayRef: string;
}

/**
 * The settled answer about a charge whose outcome we never learned (e.g. every attempt timed
 * out): it was captured (and is to be refunded), or it never will be.
 */
export type CancelChargeResult =
  { readonly kind: 'captured'; readonly gatewayRef: string } | { readonly kind: 'cancelled' };

export interface PaymentGateway {
  /** A business refusal is a `declined` result; a failure to get an answer throws `GatewayError`. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * Looks the charge up by its idempotency key and, unless it was captured, cancels it for good
   * (a request still on its way with that key is refused), as providers do for a payment
   * intent. This is how a void resolves an uncertain outcome.
   */
  cancelCharge(idempotencyKey: string): Promise<CancelChargeResult>;
}

export const GATEWAY_ERROR_CODES = {
  /** The provider could not be reached or answered 5xx/429: try again later. */
  GATEWAY_UNAVAILABLE: { retryable: true },
  /** The provider did not answer in time; the idempotency key makes a retry safe. */
  GATEWAY_TIMEOUT: { retryable: true },
  /** The provider refused the request itself (bad parameters, auth): retrying cannot help. */
  GATEWAY_REQUEST_REJECTED: { retryable: false },
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

/** A failure to get an answer from the provider (not a decline: declines are results). */
export class GatewayError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GatewayError';
    this.retryable = GATEWAY_ERROR_CODES[code].retryable;
  }
}
