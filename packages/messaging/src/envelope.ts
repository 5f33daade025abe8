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

/** The `ce_source` of a service's messages. */
export function serviceSource(service: string): string {
  return `/services/${service}`;
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

/** Kafka headers as plain strings, decoded once per record (the first value of a repeated header). */
export function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name in headers) {
    const value = headerString(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Reads the envelope of a consumed record; a record without the required attributes is rejected. */
export function parseEnvelope(raw: IHeaders | Record<string, string> | undefined): Envelope {
  const headers = stringHeaders(raw);
  const required = (name: string): string => {
    const value = headers[name];
    if (!value) throw new MessagingError('MISSING_HEADER', `record has no ${name} header`);
    return value;
  };
  const depth = Number(headers[CE.causationDepth] ?? '0');
  const id = required(CE.id);
  return {
    id,
    type: required(CE.type),
    source: required(CE.source),
    time: headers[CE.time] ?? '',
    subject: headers[CE.subject] ?? '',
    dataschema: headers[CE.dataschema] ?? '',
    correlationId: headers[CE.correlationId] ?? id,
    causationId: headers[CE.causationId],
    causationDepth: Number.isInteger(depth) && depth >= 0 ? depth : 0,
    traceparent: headers[CE.traceparent],
    tracestate: headers[CE.tracestate],
  };
}
