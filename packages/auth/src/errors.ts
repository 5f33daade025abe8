/**
 * Why a request was not authenticated: a closed list of codes, each with the HTTP status it maps
 * to (RFC 6750 §3.1: a missing or bad token is 401; a key source that cannot answer is 503).
 */
export type AuthErrorCode =
  'token-missing' | 'token-invalid' | 'token-expired' | 'keys-unavailable';

const STATUS: Readonly<Record<AuthErrorCode, number>> = {
  'token-missing': 401,
  'token-invalid': 401,
  'token-expired': 401,
  'keys-unavailable': 503,
};

export class AuthError extends Error {
  readonly status: number;
  /** Whether the same token may be accepted later (only when the keys could not be fetched). */
  readonly retryable: boolean;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthError';
    this.status = STATUS[code];
    this.retryable = code === 'keys-unavailable';
  }
}
