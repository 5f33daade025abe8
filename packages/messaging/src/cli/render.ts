import Table from 'cli-table3';
import type { KafkaMessage } from 'kafkajs';
import { findMessageSpec } from '@orderflow/contracts';
import { fromSpec } from '../contract.js';
import { CE, headerString } from '../envelope.js';
import { MessagingError } from '../errors.js';
import { X } from '../retry-headers.js';
import type { AvroSerde } from '../serde.js';
import type { Position } from './options.js';
import type { SelectedRecord } from './session.js';

/** How the DLQ tool prints records: a table, JSON lines, and one record in full. */
function short(text: string, max: number): string {
  const first = text.split('\n')[0] ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

const seconds = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

const COLUMNS = [
  'DLQ TOPIC',
  'AT',
  'TYPE',
  'ORDER ID',
  'CODE',
  'CLASS',
  'ATTEMPTS',
  'LAST FAILURE',
  'MESSAGE',
];

export function recordTable(selected: readonly SelectedRecord[]): string {
  if (selected.length === 0) return '';
  const table = new Table({ head: COLUMNS, style: { head: [], border: [] } });
  for (const { dlqTopic, record: r } of selected) {
    table.push([
      dlqTopic,
      `${r.partition}:${r.offset}`,
      r.type || '?',
      r.key,
      r.errorCode,
      r.errorClass,
      String(r.attempts),
      seconds(r.lastFailureAt),
      short(r.errorMessage, 60),
    ]);
  }
  return table.toString();
}

export function jsonLine({ dlqTopic, record }: SelectedRecord): string {
  const { message: _kafkaMessage, ...fields } = record;
  return JSON.stringify({ dlqTopic, ...fields });
}

type ValueView =
  | { readonly decoded: true; readonly value: unknown; readonly note: string }
  | { readonly decoded: false; readonly why: string };

/** Decodes with the manifest's reader schema; a value that will not decode is a finding, not a crash. */
async function viewValue(serde: AvroSerde, type: string, value: Buffer | null): Promise<ValueView> {
  if (!value) return { decoded: false, why: 'the record has no value' };
  const spec = findMessageSpec(type);
  if (!spec) {
    return {
      decoded: false,
      why: type
        ? `UNKNOWN_TYPE: ${type} is not in the ownership manifest, so there is no reader schema`
        : 'MISSING_HEADER: the record has no ce_type header, so there is no reader schema',
    };
  }
  try {
    const { value: decoded, schemaId } = await serde.decode(value, fromSpec(spec));
    return {
      decoded: true,
      value: decoded,
      note: `${type}, writer schema id ${schemaId}, read as v${spec.version}`,
    };
  } catch (error) {
    // DLQ records are here because something about them was wrong; whatever the decoder
    // objects to is exactly what the user came to see.
    if (error instanceof MessagingError) {
      const hint = error.code === 'TRANSIENT' ? ' (check SCHEMA_REGISTRY_URL)' : '';
      return { decoded: false, why: `${error.code}: ${error.message}${hint}` };
    }
    if (error instanceof Error) return { decoded: false, why: `${error.name}: ${error.message}` };
    throw error;
  }
}

function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key]; // before Buffer#toJSON turned it into an array of numbers
      if (Buffer.isBuffer(raw)) return raw.toString('base64');
      return typeof v === 'bigint' ? v.toString() : v;
    },
    2,
  );
}

function headerLines(message: KafkaMessage): string[] {
  const entries = Object.entries(message.headers ?? {}).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((one) => [name, one?.toString() ?? ''] as const),
  );
  const width = Math.max(0, ...entries.map(([name]) => name.length));
  return entries.map(([name, v]) => `  ${name.padEnd(width)}  ${v}`);
}

export async function renderRecord(
  serde: AvroSerde,
  dlqTopic: string,
  { partition, offset }: Position,
  message: KafkaMessage,
): Promise<string> {
  const h = (name: string) => headerString(message.headers, name) ?? '';
  const type = h(CE.type);
  const view = await viewValue(serde, type, message.value);
  const field = (label: string, value: string) => `${label.padEnd(10)} ${value}`;
  return [
    field('record', `${dlqTopic} ${partition}:${offset}`),
    field('written', new Date(Number(message.timestamp)).toISOString()),
    field('key', message.key?.toString('utf8') ?? '(none)'),
    field('type', type || '(no ce_type)'),
    field('origin', `${h(X.originTopic)} ${h(X.originPartition)}:${h(X.originOffset)}`),
    field('group', h(X.group)),
    field('error', `${h(X.errorCode)} (${h(X.errorClass)}): ${h(X.errorMessage)}`),
    field(
      'attempts',
      `${h(X.attempts)}, first failure ${h(X.firstFailure)}, last ${h(X.lastFailure)}`,
    ),
    '',
    'headers',
    ...headerLines(message),
    '',
    view.decoded
      ? `${field('value', view.note)}\n${toJson(view.value)}`
      : `${field('value', `not decoded: ${view.why}`)}\n${field('base64', message.value?.toString('base64') ?? '')}`,
  ].join('\n');
}
