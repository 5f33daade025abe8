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

/**
 * The CLI's exit codes, one meaning each, so a script can tell an order's outcome from a
 * mistake in the command and from a service that is not there (--help and the README list them).
 */
export const EXIT = {
  /** The command did what was asked; for `follow` and `place --follow`: the order COMPLETED. */
  OK: 0,
  /** The order ended without completing: CANCELLED, or FAILED_NEEDS_ATTENTION (an operator's turn). */
  NOT_COMPLETED: 1,
  /** `--timeout` passed before the order was final: "not known yet", not "failed". */
  TIMEOUT: 2,
  /** Fix the command: bad arguments or environment, or the service refused the request (4xx: an invalid order, an unknown order id). */
  BAD_REQUEST: 3,
  /** Try again later: order-service did not answer, broke off, failed (5xx, 429) or is not order-service. */
  UNAVAILABLE: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const EXIT_OF: Readonly<Record<CliErrorCode, ExitCode>> = {
  INVALID_CONFIG: EXIT.BAD_REQUEST,
  SERVICE_UNREACHABLE: EXIT.UNAVAILABLE,
  CONNECTION_LOST: EXIT.UNAVAILABLE,
  // Its status decides (HttpProblemError).
  HTTP_PROBLEM: EXIT.UNAVAILABLE,
  BAD_RESPONSE: EXIT.UNAVAILABLE,
  FOLLOW_TIMEOUT: EXIT.TIMEOUT,
};

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly retryable: boolean;
  readonly exitCode: ExitCode;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    options: {
      readonly cause?: unknown;
      readonly retryable?: boolean;
      readonly exitCode?: ExitCode;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.exitCode = options.exitCode ?? EXIT_OF[code];
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
    // A 5xx or 429 can be gone on the next try; a 4xx will be refused again.
    const retryable = status >= 500 || status === 429;
    super('HTTP_PROBLEM', problem?.detail ?? `order-service answered ${status} ${statusText}`, {
      retryable,
      exitCode: retryable ? EXIT.UNAVAILABLE : EXIT.BAD_REQUEST,
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
