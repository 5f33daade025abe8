/**
 * Refusals of the Order aggregate: a stable `code`, the HTTP status the edge answers with, and
 * `retryable` (never: deciding again on the same state gives the same answer). A consumer
 * treats them as non-retryable, so a contradictory saga outcome lands in the DLQ for a human.
 */
export const ORDER_ERROR_CODES = {
  ORDER_ALREADY_PLACED: { httpStatus: 409 },
  ORDER_NOT_FOUND: { httpStatus: 404 },
  ORDER_ALREADY_FINAL: { httpStatus: 409 },
  INVALID_ORDER: { httpStatus: 422 },
} as const;

export type OrderErrorCode = keyof typeof ORDER_ERROR_CODES;

export class OrderDomainError extends Error {
  readonly retryable = false;
  readonly httpStatus: number;

  constructor(
    readonly code: OrderErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OrderDomainError';
    this.httpStatus = ORDER_ERROR_CODES[code].httpStatus;
  }
}
