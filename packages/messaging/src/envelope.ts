import type { IHeaders } from 'kafkajs';
import { MessagingError } from './errors.js';

/**
 * CloudEvents 1.0 Kafka protocol binding, binary mode: the event's attributes travel as `ce_`
 * headers and the Avro payload is the record value. `correlationid`, `causationid` and
 * `causationdepth` are extension attributes; W3C trace context travels beside them.
 */
export const CE = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  causationDepth: 'ce_causationdepth',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export interface Envelope {
  readonly id: string;
  readonly type: string;
  /** `/services/<name>` */
  readonly source: string;
  readonly time: string;
  /** The orderId: the record key and the subject of every message of one order. */
  readonly subject: string;
  readonly dataschema: string;
  readonly correlationId: string;
  /** `ce_id` of the message that caused this one; absent for a flow's first message. */
  readonly causationId?: string;
  /** Length of the causation chain before this message (0 for a flow's first message). */
  readonly causationDepth: number;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export function envelopeHeaders(envelope: Envelope): Record<string, string> {
  const headers: Record<string, string> = {
    [CE.specversion]: '1.0',
    [CE.id]: envelope.id,
    [CE.source]: envelope.source,
    [CE.type]: envelope.type,
    [CE.time]: envelope.time,
    [CE.subject]: envelope.subject,
    [CE.dataschema]: envelope.dataschema,
    [CE.contentType]: 'application/avro',
    [CE.correlationId]: envelope.correlationId,
    [CE.causationDepth]: String(envelope.causationDepth),
  };
  if (envelope.causationId) headers[CE.causationId] = envelope.causationId;
  if (envelope.traceparent) headers[CE.traceparent] = envelope.traceparent;
  if (envelope.tracestate) headers[CE.tracestate] = envelope.tracestate;
  return headers;
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Reads the envelope of a consumed record; a record without the required attributes is rejected. */
export function parseEnvelope(headers: IHeaders | undefined): Envelope {
  const required = (name: string): string => {
    const value = headerString(headers, name);
    if (!value) throw new MessagingError('MISSING_HEADER', `record has no ${name} header`);
    return value;
  };
  const depth = Number(headerString(headers, CE.causationDepth) ?? '0');
  return {
    id: required(CE.id),
    type: required(CE.type),
    source: required(CE.source),
    time: headerString(headers, CE.time) ?? '',
    subject: headerString(headers, CE.subject) ?? '',
    dataschema: headerString(headers, CE.dataschema) ?? '',
    correlationId: headerString(headers, CE.correlationId) ?? required(CE.id),
    causationId: headerString(headers, CE.causationId),
    causationDepth: Number.isInteger(depth) && depth >= 0 ? depth : 0,
    traceparent: headerString(headers, CE.traceparent),
    tracestate: headerString(headers, CE.tracestate),
  };
}
