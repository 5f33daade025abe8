import type { IHeaders } from 'kafkajs';
import { headerString } from './envelope.js';
import type { Classification } from './errors.js';

/**
 * Headers the consumer adds when it forwards a record to a retry tier or the DLQ. The origin
 * (topic/partition/offset of the first delivery) survives every hop, so a DLQ record always says
 * where it came from and a replay knows where to go.
 */
export const X = {
  originTopic: 'x-origin-topic',
  originPartition: 'x-origin-partition',
  originOffset: 'x-origin-offset',
  group: 'x-consumer-group',
  attempts: 'x-attempts',
  retryTier: 'x-retry-tier',
  notBefore: 'x-retry-not-before',
  firstFailure: 'x-first-failure-at',
  lastFailure: 'x-last-failure-at',
  errorCode: 'x-error-code',
  errorClass: 'x-error-class',
  errorMessage: 'x-error-message',
  replayedAt: 'x-replayed-at',
} as const;

export interface Origin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface FailureState {
  readonly origin: Origin;
  readonly attempts: number;
  readonly tier: number;
  readonly notBefore: number;
  readonly firstFailure?: string;
}

/** One of a consumer group's own retry topics: the main topic it retries, its tier and delay. */
export interface RetryTier {
  readonly originTopic: string;
  /** 1-based. */
  readonly tier: number;
  readonly delayMs: number;
}

/**
 * Where a record stands in its retry journey. The failure headers are believed only on a retry
 * topic of the consumer's own group (`tier`), which only its consumers write: on any other topic
 * anyone can produce them, and a forged `x-retry-not-before` would pause the partition and a forged
 * `x-origin-topic` would pick where its retries and dead letter go. There the record is a first
 * delivery whatever it carries. Even on a retry topic the origin topic and the tier come from
 * the topic's name, and numbers that do not parse fall back to neutral values; the not-before
 * it claims (NaN when none) is clamped by `RetryGate` to the tier's delay.
 */
export function failureState(
  delivered: Origin,
  headers: IHeaders | undefined,
  tier?: RetryTier,
): FailureState {
  if (!tier) return { origin: delivered, attempts: 0, tier: 0, notBefore: 0 };
  return {
    origin: {
      topic: tier.originTopic,
      partition: count(headerString(headers, X.originPartition)) ?? delivered.partition,
      offset: offsetText(headerString(headers, X.originOffset)) ?? delivered.offset,
    },
    attempts: count(headerString(headers, X.attempts)) ?? 0,
    tier: tier.tier,
    notBefore: Number(headerString(headers, X.notBefore) ?? Number.NaN),
    firstFailure: timestamp(headerString(headers, X.firstFailure)),
  };
}

/**
 * A record's own headers for storage beyond the consumer (an external call's intent), with the
 * failure headers it arrived with replaced by the state the consumer believed.
 */
export function withTrustedState(
  headers: Readonly<Record<string, string>>,
  state: FailureState,
): Record<string, string> {
  const ours = new Set<string>(Object.values(X));
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !ours.has(name)));
  if (state.tier === 0 && state.attempts === 0) return kept;
  return {
    ...kept,
    [X.attempts]: String(state.attempts),
    [X.retryTier]: String(state.tier),
    ...(state.firstFailure ? { [X.firstFailure]: state.firstFailure } : {}),
  };
}

/** The state `withTrustedState` stored with a record whose origin is known. */
export function storedFailureState(
  origin: Origin,
  headers: Readonly<Record<string, string>>,
): FailureState {
  return {
    origin,
    attempts: count(headers[X.attempts]) ?? 0,
    tier: count(headers[X.retryTier]) ?? 0,
    notBefore: 0,
    firstFailure: timestamp(headers[X.firstFailure]),
  };
}

function count(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

function offsetText(raw: string | undefined): string | undefined {
  return raw !== undefined && /^\d{1,19}$/.test(raw) ? raw : undefined;
}

function timestamp(raw: string | undefined): string | undefined {
  return raw !== undefined && raw.length <= 40 && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
}

/** The original headers (without our failure bookkeeping) plus the new failure state. */
export function failureHeaders(
  original: IHeaders | undefined,
  state: FailureState,
  group: string,
  error: Classification,
  now: Date,
  extra: Record<string, string> = {},
): IHeaders {
  const kept: IHeaders = {};
  const ours = new Set<string>(Object.values(X));
  for (const [name, value] of Object.entries(original ?? {})) {
    if (!ours.has(name) && value !== undefined) kept[name] = value;
  }
  return {
    ...kept,
    [X.originTopic]: state.origin.topic,
    [X.originPartition]: String(state.origin.partition),
    [X.originOffset]: state.origin.offset,
    [X.group]: group,
    [X.attempts]: String(state.attempts),
    [X.firstFailure]: state.firstFailure ?? now.toISOString(),
    [X.lastFailure]: now.toISOString(),
    [X.errorCode]: error.code,
    [X.errorClass]: error.errorClass,
    [X.errorMessage]: error.message.slice(0, 1_000),
    ...extra,
  };
}
