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

/** Where a record stands in its retry journey: from its headers, or its first delivery. */
export function failureState(
  topic: string,
  partition: number,
  offset: string,
  headers: IHeaders | undefined,
): FailureState {
  const originTopic = headerString(headers, X.originTopic);
  if (!originTopic)
    return { origin: { topic, partition, offset }, attempts: 0, tier: 0, notBefore: 0 };
  return {
    origin: {
      topic: originTopic,
      partition: Number(headerString(headers, X.originPartition) ?? partition),
      offset: headerString(headers, X.originOffset) ?? offset,
    },
    attempts: Number(headerString(headers, X.attempts) ?? 0),
    tier: Number(headerString(headers, X.retryTier) ?? 0),
    notBefore: Number(headerString(headers, X.notBefore) ?? 0),
    firstFailure: headerString(headers, X.firstFailure),
  };
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
