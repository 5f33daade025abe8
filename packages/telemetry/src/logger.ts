import { hostname } from 'node:os';
import { trace, isSpanContextValid } from '@opentelemetry/api';
import {
  pino,
  type DestinationStream,
  type LevelWithSilent,
  type Logger,
  type LoggerOptions,
} from 'pino';
import { currentLogContext } from './log-context.js';

export type { Logger } from 'pino';

export interface LoggerConfig {
  readonly service: string;
  readonly level: LevelWithSilent;
  /** Human-readable output through pino-pretty (a dev dependency); JSON otherwise. */
  readonly pretty?: boolean;
}

/** Paths whose values never reach a log sink, whatever a caller passes in. */
export const REDACTED_PATHS: readonly string[] = [
  'headers.authorization',
  'req.headers.authorization',
  'payment.token',
  'password',
  '*.password',
];

/**
 * A pino logger whose lines carry `service`, the active span's traceId/spanId and the ids
 * from `withLogContext`. `destination` (JSON only) lets tests and tools capture the output.
 */
export function createLogger(config: LoggerConfig, destination?: DestinationStream): Logger {
  if (config.pretty === true && destination !== undefined) {
    throw new Error(
      'createLogger: `pretty` writes through a transport and cannot target a custom destination',
    );
  }
  const options: LoggerOptions = {
    level: config.level,
    base: { service: config.service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    mixin: contextFields,
    // Labels ("info") rather than numbers keep JSON lines readable and queryable as-is.
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.pretty === true) {
    // A transport runs pino-pretty in a worker thread, so it is only loaded when asked for.
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return destination === undefined ? pino(options) : pino(options, destination);
}

// Called for every line, so it only reads two async-local stores and allocates one object.
function contextFields(): Record<string, string> {
  const fields: Record<string, string> = { ...currentLogContext() };
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext !== undefined && isSpanContextValid(spanContext)) {
    fields.traceId = spanContext.traceId;
    fields.spanId = spanContext.spanId;
  }
  return fields;
}
