/** The console server's API as the page calls it; a problem answer becomes an ApiError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly problem: unknown,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export interface Answer<T> {
  readonly body: T;
  readonly headers: Headers;
  readonly status: number;
}

export async function call<T>(path: string, init: RequestInit = {}): Promise<Answer<T>> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const detail =
      typeof body === 'object' && body !== null && 'detail' in body
        ? String(body.detail)
        : `HTTP ${response.status}`;
    throw new ApiError(response.status, detail, body);
  }
  return { body: body as T, headers: response.headers, status: response.status };
}

export async function getJson<T>(path: string): Promise<T> {
  return (await call<T>(path)).body;
}

export function query(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const money = (minor: number | null, currency: string | null): string =>
  minor === null || currency === null
    ? '—'
    : new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100);

export const when = (iso: string | null | undefined): string =>
  iso
    ? new Date(iso)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '—';
