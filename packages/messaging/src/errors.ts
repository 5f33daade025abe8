/**
 * The messaging error hierarchy: a stable `code`, a `retryable` flag that drives the consumer's
 * error policy, and the native `cause`. Business refusals are events, never these.
 */
export const ERROR_CODES = {
  CONTRACT_VIOLATION: { retryable: false },
  NOT_OWNER: { retryable: false },
  CAUSATION_LOOP: { retryable: false },
  NOT_AVRO: { retryable: false },
  /** An Avro value whose counts, lengths or nesting exceed its own bytes (avro-bounds.ts). */
  AVRO_BOUNDS: { retryable: false },
  UNKNOWN_SCHEMA_ID: { retryable: false },
  WRONG_SCHEMA: { retryable: false },
  MISSING_HEADER: { retryable: false },
  UNKNOWN_TYPE: { retryable: false },
  /** A record whose ce_source is not an emitter of its type in the ownership manifest. */
  FORBIDDEN_SOURCE: { retryable: false },
  HANDLER_REJECTED: { retryable: false },
  TRANSIENT: { retryable: true },
  CALL_TIMEOUT: { retryable: true },
  HANDLER_FAILED: { retryable: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MessagingError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions & { retryable?: boolean },
  ) {
    super(message, options);
    this.name = 'MessagingError';
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
  }
}

/** Throw from a handler when retrying cannot help (bad data, violated invariant): straight to the DLQ. */
export class NonRetryableError extends MessagingError {
  constructor(message: string, options?: ErrorOptions) {
    super('HANDLER_REJECTED', message, options);
    this.name = 'NonRetryableError';
  }
}

export interface Classification {
  readonly code: string;
  readonly retryable: boolean;
  readonly errorClass: string;
  readonly message: string;
}

// Postgres SQLSTATEs that are worth retrying: serialization/deadlock, connection loss, shutdown.
const RETRYABLE_SQLSTATE = /^(40001|40P01|08\d{3}|57P0[123]|53300)$/;

/**
 * Decides what the consumer does with an error: ours by code, Postgres's by SQLSTATE, any error
 * with a boolean `retryable` (and optional string `code`) by those. Unknown errors count as retryable: a handler's
 * bug is then retried a bounded number of times and ends in the DLQ rather than being dropped.
 */
export function classifyError(error: unknown): Classification {
  if (error instanceof MessagingError) {
    return {
      code: error.code,
      retryable: error.retryable,
      errorClass: error.name,
      message: error.message,
    };
  }
  if (error instanceof Error) {
    const sqlState = (error as { code?: unknown }).code;
    if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
      return {
        code: `PG_${sqlState}`,
        retryable: RETRYABLE_SQLSTATE.test(sqlState),
        errorClass: error.name,
        message: error.message,
      };
    }
    // Any error of another hierarchy that states its own policy (a gateway's, a domain's).
    const { retryable, code } = error as { retryable?: unknown; code?: unknown };
    if (typeof retryable === 'boolean') {
      return {
        code:
          typeof code === 'string' && code !== ''
            ? code
            : retryable
              ? 'HANDLER_FAILED'
              : 'HANDLER_REJECTED',
        retryable,
        errorClass: error.name,
        message: error.message,
      };
    }
    const kafkaRetriable = (error as { retriable?: unknown }).retriable;
    if (typeof kafkaRetriable === 'boolean') {
      return {
        code: 'KAFKA',
        retryable: kafkaRetriable,
        errorClass: error.name,
        message: error.message,
      };
    }
    return {
      code: 'HANDLER_FAILED',
      retryable: true,
      errorClass: error.name,
      message: error.message,
    };
  }
  return {
    code: 'HANDLER_FAILED',
    retryable: true,
    errorClass: 'NonError',
    message: String(error),
  };
}
