/**
 * The Kafka headers every record carries (CloudEvents 1.0 Kafka binding, binary mode), as the
 * JSON Schema the AsyncAPI document publishes. The names are written by
 * `@orderflow/messaging`'s envelope (which depends on this package, so it cannot be imported
 * here); `packages/messaging/test/asyncapi-headers.test.ts` proves the two lists agree.
 */
export interface HeaderDoc {
  readonly name: string;
  readonly description: string;
  /** Written on every record by the publisher. */
  readonly always: boolean;
  readonly format?: string;
  readonly pattern?: string;
  readonly const?: string;
}

export const CLOUDEVENTS_HEADERS: readonly HeaderDoc[] = [
  { name: 'ce_specversion', description: 'CloudEvents version.', always: true, const: '1.0' },
  {
    name: 'ce_id',
    description: 'Unique id of this message (UUIDv7); consumers deduplicate on it (inbox).',
    always: true,
  },
  {
    name: 'ce_source',
    description:
      'The emitting service, `/services/<name>`; consumers refuse a source the manifest does not list as an emitter.',
    always: true,
  },
  {
    name: 'ce_type',
    description: 'Message type, `<owner-short>.<Name>`; selects the handler and the reader schema.',
    always: true,
  },
  {
    name: 'ce_time',
    description: 'When the message was created (RFC 3339).',
    always: true,
    format: 'date-time',
  },
  { name: 'ce_subject', description: 'The orderId, the same as the record key.', always: true },
  {
    name: 'ce_dataschema',
    description: 'Registry URL of the writer schema (its id is also in the payload prefix).',
    always: true,
  },
  {
    name: 'content-type',
    description: 'Payload encoding: Avro in the Confluent wire format.',
    always: true,
    const: 'application/avro',
  },
  {
    name: 'ce_correlationid',
    description:
      'Id of the flow this message belongs to (the first message’s ce_id); the same on every message of one order.',
    always: true,
  },
  {
    name: 'ce_causationid',
    description: 'ce_id of the message that caused this one; absent on a flow’s first message.',
    always: false,
  },
  {
    name: 'ce_causationdepth',
    description:
      'Length of the causation chain before this message (0 for a flow’s first); publishers refuse runaway loops.',
    always: true,
    pattern: '^[0-9]+$',
  },
  {
    name: 'traceparent',
    description: 'W3C trace context of the span that published the message.',
    always: false,
  },
  { name: 'tracestate', description: 'W3C trace state, when the trace has any.', always: false },
];

/** The headers as one JSON Schema object (what AsyncAPI's `message.headers` takes). */
export function headersSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'CloudEvents 1.0 Kafka protocol binding (binary mode) plus W3C trace context.',
    required: CLOUDEVENTS_HEADERS.filter((h) => h.always).map((h) => h.name),
    properties: Object.fromEntries(
      CLOUDEVENTS_HEADERS.map(({ name, description, format, pattern, const: value }) => [
        name,
        {
          type: 'string',
          description,
          ...(format ? { format } : {}),
          ...(pattern ? { pattern } : {}),
          ...(value ? { const: value } : {}),
        },
      ]),
    ),
  };
}
