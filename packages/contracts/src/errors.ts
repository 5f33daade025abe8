/**
 * The one error type of the contracts package. `code` is stable (callers and the CLI switch on
 * it); `retryable` says whether trying the same thing again can succeed (only registry I/O can).
 */
export const CONTRACT_ERROR_CODES = {
  UNKNOWN_MESSAGE_TYPE: { retryable: false },
  UNKNOWN_SCHEMA_VERSION: { retryable: false },
  NOT_OWNER: { retryable: false },
  SCHEMA_DIR_MISSING: { retryable: false },
  SCHEMA_EXISTS: { retryable: false },
  REGISTRY_UNREACHABLE: { retryable: true },
  REGISTRY_REJECTED: { retryable: false },
} as const;

export type ContractErrorCode = keyof typeof CONTRACT_ERROR_CODES;

export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly retryable: boolean;

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = CONTRACT_ERROR_CODES[code].retryable;
  }
}
