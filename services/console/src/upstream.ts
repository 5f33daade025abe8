import { readFile } from 'node:fs/promises';
import type { ServiceName } from '@orderflow/contracts';
import { signerFromPem } from '@orderflow/auth';
import { HttpProblem } from '@orderflow/service-runtime';

/**
 * Every call the console makes to a service goes through here, so the Authorization header is
 * built in one place: a fixed CONSOLE_ADMIN_TOKEN, or admin tokens the console signs itself
 * (CONSOLE_SIGNING_KEY_FILE), or none when neither is set.
 */
export type Authorization = () => Promise<string | undefined>;

export interface TokenSettings {
  readonly CONSOLE_ADMIN_TOKEN?: string | undefined;
  readonly CONSOLE_SIGNING_KEY_FILE?: string | undefined;
  readonly CONSOLE_TOKEN_SUBJECT: string;
}

const TOKEN_LIFETIME_S = 600;
// A minted token is replaced well before it expires, so no request carries one about to lapse.
const TOKEN_RENEW_AFTER_MS = (TOKEN_LIFETIME_S / 2) * 1000;

export async function authorizationFrom(
  settings: TokenSettings,
  now: () => number = Date.now,
): Promise<Authorization> {
  if (settings.CONSOLE_ADMIN_TOKEN !== undefined) {
    const header = `Bearer ${settings.CONSOLE_ADMIN_TOKEN}`;
    return () => Promise.resolve(header);
  }
  if (settings.CONSOLE_SIGNING_KEY_FILE === undefined) return () => Promise.resolve(undefined);
  const sign = await signerFromPem(await readFile(settings.CONSOLE_SIGNING_KEY_FILE, 'utf8'));
  let current: { header: string; at: number } | undefined;
  return async () => {
    if (current === undefined || now() - current.at > TOKEN_RENEW_AFTER_MS) {
      const token = await sign({
        sub: settings.CONSOLE_TOKEN_SUBJECT,
        roles: ['admin'],
        expiresInSeconds: TOKEN_LIFETIME_S,
      });
      current = { header: `Bearer ${token}`, at: now() };
    }
    return current.header;
  };
}

export interface UpstreamAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly contentType: string;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class Upstreams {
  constructor(
    readonly urls: Readonly<Record<ServiceName, string>>,
    private readonly authorization: Authorization,
    private readonly timeoutMs: number,
  ) {}

  /** A raw fetch of a service path with the console's Authorization; the caller reads the body. */
  async fetch(service: ServiceName, path: string, options: CallOptions = {}): Promise<Response> {
    const auth = await this.authorization();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (auth !== undefined) headers.authorization = auth;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    try {
      return await fetch(`${this.urls[service]}${path}`, {
        method: options.method ?? 'GET',
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
    } catch (error) {
      throw unreachable(service, error);
    }
  }

  /** A JSON (or problem+json) answer, whatever its status; the service not answering is a 502. */
  async call<T = unknown>(
    service: ServiceName,
    path: string,
    options: CallOptions = {},
  ): Promise<UpstreamAnswer<T>> {
    const response = await this.fetch(service, path, options);
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text().catch((error: unknown) => {
      throw unreachable(service, error);
    });
    let body: unknown = text;
    if (/json/.test(contentType) && text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new HttpProblem({
          status: 502,
          code: 'bad-upstream-answer',
          detail: `${service} answered ${path} with JSON that does not parse`,
          cause: error,
        });
      }
    }
    return { status: response.status, body: body as T, contentType };
  }

  /** The JSON of a 200, null for a 404, and a 502 problem for anything else. */
  async optional<T>(service: ServiceName, path: string): Promise<T | null> {
    const answer = await this.call<T>(service, path);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw failed(service, path, answer);
    return answer.body;
  }

  async required<T>(service: ServiceName, path: string): Promise<T> {
    const answer = await this.call<T>(service, path);
    if (answer.status !== 200) throw failed(service, path, answer);
    return answer.body;
  }
}

function unreachable(service: ServiceName, error: unknown): HttpProblem {
  const why = error instanceof Error ? error.message : String(error);
  return new HttpProblem({
    status: 502,
    code: 'upstream-unreachable',
    detail: `${service} did not answer: ${why}`,
    cause: error,
  });
}

function failed(service: ServiceName, path: string, answer: UpstreamAnswer): HttpProblem {
  const detail =
    typeof answer.body === 'object' && answer.body !== null && 'detail' in answer.body
      ? String(answer.body.detail)
      : `HTTP ${answer.status}`;
  return new HttpProblem({
    status: 502,
    code: 'upstream-failed',
    detail: `${service} answered ${path} with ${answer.status}: ${detail}`,
    extensions: { upstreamStatus: answer.status },
  });
}
