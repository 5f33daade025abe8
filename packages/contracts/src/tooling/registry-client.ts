import type { CompatibilityMode } from '../compatibility.js';
import { ContractError } from '../errors.js';

/**
 * The slice of the Confluent schema-registry REST API that the schema CLI needs, over Node's
 * fetch. Works against Confluent and against Apicurio's ccompat API (`.../apis/ccompat/v7`).
 */
export interface RegisteredVersion {
  readonly id: number;
  readonly version: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const TIMEOUT_MS = 10_000;

export class RegistryClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Versions registered under the subject; [] when the subject does not exist yet. */
  async versions(subject: string): Promise<number[]> {
    return (await this.optional<number[]>('GET', `/subjects/${enc(subject)}/versions`)) ?? [];
  }

  /** The subject's own compatibility setting, or undefined when it falls back to the global one. */
  async compatibility(subject: string): Promise<string | undefined> {
    const res = await this.optional<{ compatibilityLevel?: string; compatibility?: string }>(
      'GET',
      `/config/${enc(subject)}`,
    );
    return res?.compatibilityLevel ?? res?.compatibility;
  }

  /** Sets the subject's compatibility; false when the registry needs the subject to exist first (Apicurio). */
  async setCompatibility(subject: string, mode: CompatibilityMode): Promise<boolean> {
    const res = await this.optional<unknown>('PUT', `/config/${enc(subject)}`, {
      compatibility: mode,
    });
    return res !== undefined;
  }

  /** The id and version under which this exact schema is registered, if it is. */
  async lookup(subject: string, schema: string): Promise<RegisteredVersion | undefined> {
    const res = await this.optional<{ id: number; version: number }>(
      'POST',
      `/subjects/${enc(subject)}`,
      { schema },
    );
    return res && { id: res.id, version: res.version };
  }

  /** Registers the schema (the registry returns the existing id if it already holds it). */
  async register(subject: string, schema: string): Promise<number> {
    const res = await this.required<{ id: number }>('POST', `/subjects/${enc(subject)}/versions`, {
      schema,
    });
    return res.id;
  }

  /** Asks the registry whether `schema` may follow the subject's latest version under its mode. */
  async testCompatibility(
    subject: string,
    schema: string,
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const res = await this.required<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
      { schema },
    );
    return { compatible: res.is_compatible, messages: res.messages ?? [] };
  }

  /** A 404 (subject, version or schema not found) yields undefined; other failures throw. */
  private async optional<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    return this.call<T>(method, path, body, true);
  }

  private async required<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(method, path, body, false)) as T;
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    notFoundOk: boolean,
  ): Promise<T | undefined> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: CONTENT_TYPE,
          ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ContractError(
        'REGISTRY_UNREACHABLE',
        `cannot reach the schema registry at ${this.baseUrl} (${reason}); is it running? Start the local stack or point --registry / SCHEMA_REGISTRY_URL at one`,
        { cause: err },
      );
    }
    if (res.status === 404 && notFoundOk) return undefined;
    const text = await res.text();
    if (!res.ok) {
      const detail = registryMessage(text);
      throw new ContractError(
        'REGISTRY_REJECTED',
        `registry refused ${method} ${path}: HTTP ${res.status} ${detail}`,
      );
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function registryMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; error_code?: number };
    return body.message
      ? `${body.message}${body.error_code ? ` (error ${body.error_code})` : ''}`
      : text;
  } catch {
    return text.slice(0, 300);
  }
}
