import type { ProblemDetails } from './api.js';

/**
 * The CLI's expected failures: each is printed as a message (never a stack trace) and ends the
 * command with `exitCode`. `retryable` tells `follow` whether reconnecting can help. Anything
 * else thrown is a bug and crashes loudly.
 */
export type CliErrorCode =
  | 'INVALID_CONFIG'
  | 'SERVICE_UNREACHABLE'
  | 'CONNECTION_LOST'
  | 'HTTP_PROBLEM'
  | 'BAD_RESPONSE'
  | 'FOLLOW_TIMEOUT';

const RETRYABLE: ReadonlySet<CliErrorCode> = new Set(['SERVICE_UNREACHABLE', 'CONNECTION_LOST']);

/** Exit code of a follow that gave up before the order was final: "not known yet", not "failed". */
export const EXIT_TIMEOUT = 2;

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly retryable: boolean;
  readonly exitCode: number;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.exitCode = code === 'FOLLOW_TIMEOUT' ? EXIT_TIMEOUT : 1;
  }
}

/** order-service answered with an error status; `problem` is its RFC 9457 body when it sent one. */
export class HttpProblemError extends CliError {
  override readonly name = 'HttpProblemError';

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly problem: ProblemDetails | undefined,
    /** The body as received, for an answer that is not problem details (a proxy's page, ...). */
    readonly body: string,
  ) {
    super('HTTP_PROBLEM', problem?.detail ?? `order-service answered ${status} ${statusText}`, {
      // A 5xx or 429 can be gone on the next try; a 4xx will be refused again.
      retryable: status >= 500 || status === 429,
    });
  }
}

export function unreachable(baseUrl: string, cause: unknown): CliError {
  return new CliError(
    'SERVICE_UNREACHABLE',
    `order-service is not answering at ${baseUrl}; start the stack with ./dev stack up`,
    { cause },
  );
}
