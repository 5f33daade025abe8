/**
 * RFC 9457 problem details: the one shape every HTTP error of every service takes. Handlers
 * throw `HttpProblem` for expected refusals; anything else becomes a 500 without internals.
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  /** Extension members (RFC 9457 §3.2), e.g. `errors` or `checks`. */
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `about:blank` means "the HTTP status says it all"; specific problems get their own URN. */
export function problemType(code?: string): string {
  return code === undefined ? 'about:blank' : `urn:orderflow:problem:${code}`;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export interface HttpProblemInit {
  readonly status: number;
  /** Stable machine-readable code; becomes the problem `type` URN. */
  readonly code: string;
  readonly detail: string;
  readonly title?: string;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** An expected HTTP refusal a route throws; the error handler renders it as problem details. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Whether the same request may succeed later (clients may retry 503s, not 404s). */
  readonly retryable: boolean;

  constructor(init: HttpProblemInit) {
    super(init.detail, { cause: init.cause });
    this.name = 'HttpProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? statusTitle(init.status);
    this.extensions = init.extensions ?? {};
    this.retryable = init.status === 503 || init.status === 429;
  }
}

export function notFound(detail: string): HttpProblem {
  return new HttpProblem({ status: 404, code: 'not-found', detail });
}
