import { AsyncLocalStorage } from 'node:async_hooks';

/** The message-flow ids every log line should carry while a request or message is handled. */
export interface LogContext {
  readonly correlationId?: string;
  readonly messageId?: string;
  readonly causationId?: string;
}

// A dedicated store rather than OTel context values: OTel context only propagates once an SDK
// (and its context manager) is started, and logs must keep their ids in tests and CLIs too.
const storage = new AsyncLocalStorage<LogContext>();
const EMPTY: LogContext = Object.freeze({});
const LOG_CONTEXT_KEYS = [
  'correlationId',
  'messageId',
  'causationId',
] as const satisfies readonly (keyof LogContext)[];

/**
 * Runs `fn` with these ids attached to every log line written inside it, across awaits.
 * Nested calls inherit the outer ids; a field passed as `undefined` keeps the outer value.
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const merged: Record<string, string> = { ...currentLogContext() };
  for (const key of LOG_CONTEXT_KEYS) {
    const value = fields[key];
    if (value !== undefined) merged[key] = value;
  }
  return storage.run(Object.freeze(merged), fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? EMPTY;
}
