import { findMessageSpec } from '@orderflow/contracts';
import type { AvroSerde } from '@orderflow/messaging';
import { CE, fromSpec, MessagingError, stringHeaders } from '@orderflow/messaging';
import type { DlqRecord } from '@orderflow/messaging/dlq';

/**
 * A DLQ record as the console shows it: where it came from, why it failed, every header, and
 * its value decoded with the manifest's reader schema when it will decode. A value that will not
 * decode is what the operator came to see, so that is reported, never thrown.
 */
export interface DlqRecordView {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly writtenAt: string;
  readonly key: string;
  readonly type: string;
  readonly originTopic: string;
  readonly originPartition: string;
  readonly originOffset: string;
  readonly group: string;
  readonly errorCode: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  readonly traceId: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value:
    | { readonly decoded: true; readonly json: unknown; readonly note: string }
    | { readonly decoded: false; readonly why: string; readonly base64: string };
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export async function recordView(
  serde: AvroSerde,
  dlqTopic: string,
  record: DlqRecord,
): Promise<DlqRecordView> {
  const headers = stringHeaders(record.message.headers);
  const trace = TRACEPARENT.exec(headers[CE.traceparent] ?? '');
  return {
    dlqTopic,
    partition: record.partition,
    offset: record.offset,
    writtenAt: record.timestamp,
    key: record.key,
    type: record.type,
    originTopic: record.originTopic,
    originPartition: record.originPartition,
    originOffset: record.originOffset,
    group: record.group,
    errorCode: record.errorCode,
    errorClass: record.errorClass,
    errorMessage: record.errorMessage,
    attempts: record.attempts,
    firstFailureAt: record.firstFailureAt,
    lastFailureAt: record.lastFailureAt,
    traceId: trace?.[1] ?? null,
    headers,
    value: await decodeValue(serde, record.type, record.message.value),
  };
}

async function decodeValue(
  serde: AvroSerde,
  type: string,
  value: Buffer | null,
): Promise<DlqRecordView['value']> {
  const base64 = value?.toString('base64') ?? '';
  if (!value) return { decoded: false, why: 'the record has no value', base64 };
  const spec = findMessageSpec(type);
  if (!spec) {
    const why = type
      ? `UNKNOWN_TYPE: ${type} is not in the ownership manifest, so there is no reader schema`
      : 'MISSING_HEADER: the record has no ce_type header, so there is no reader schema';
    return { decoded: false, why, base64 };
  }
  try {
    const { value: decoded, schemaId } = await serde.decode(value, fromSpec(spec));
    return {
      decoded: true,
      json: plain(decoded),
      note: `${type}, writer schema id ${schemaId}, read as v${spec.version}`,
    };
  } catch (error) {
    if (error instanceof MessagingError)
      return { decoded: false, why: `${error.code}: ${error.message}`, base64 };
    if (error instanceof Error)
      return { decoded: false, why: `${error.name}: ${error.message}`, base64 };
    throw error;
  }
}

/** Avro values as JSON can carry them: bytes as base64, longs as strings. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      if (Buffer.isBuffer(raw)) return raw.toString('base64');
      return typeof v === 'bigint' ? v.toString() : v;
    }),
  );
}
