import type { Catalogue, CatalogueMessage, CatalogueTopic, CatalogueVersion } from './catalogue.js';
import { headersSchema } from '../cloudevents-headers.js';

/**
 * The catalogue as an AsyncAPI 3.0 document: one channel per topic, one message per schema
 * version (the .avsc inline, as an Avro multi-format schema), a `send` operation per emitting
 * service and topic and a `receive` operation per consuming group. AsyncAPI describes one
 * application; this document describes the platform, so every operation is tagged with the
 * service that performs it.
 */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro;version=1.9.0';
const KAFKA_BINDING = '0.5.0';
const HEADERS_REF = '#/components/schemas/CloudEventsHeaders';

export interface AsyncApiInfo {
  /** The document's version (the contracts package version). */
  readonly version: string;
}

export function messageId(name: string, version: number): string {
  return `${name}.v${version}`;
}

export function asyncApiDocument(catalogue: Catalogue, info: AsyncApiInfo): object {
  const messages = catalogue.topics.flatMap((t) =>
    t.messages.flatMap((m) =>
      m.versions.map((v): [string, object] => [messageId(m.name, v.version), message(m, v)]),
    ),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'orderflow messaging contracts',
      version: info.version,
      description: [
        'Every topic, message and message version of the order platform, generated from the',
        'ownership manifest (packages/contracts/src/manifest.ts) and schemas/ by',
        '`./dev schemas asyncapi`; do not edit by hand. Retry and dead-letter topics',
        '(`<topic>.<group>.retry.<n>`, `<topic>.<group>.dlq`) carry the same records and are not',
        'listed. Producers write the latest version of each message; consumers read every',
        'version with the latest schema (Avro schema resolution).',
      ].join(' '),
    },
    defaultContentType: 'application/avro',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description:
          'The local stack (`./dev stack up`); its schema registry serves the Confluent API.',
      },
    },
    channels: Object.fromEntries(catalogue.topics.map((t) => [t.name, channel(t)])),
    operations: Object.fromEntries(catalogue.topics.flatMap(operations)),
    components: {
      schemas: { CloudEventsHeaders: headersSchema() },
      messages: Object.fromEntries(messages),
    },
  };
}

function channel(topic: CatalogueTopic): object {
  return {
    address: topic.name,
    title: topic.name,
    description: `Owned by ${topic.owner}; consumed by ${list(topic.consumers)}. Record key: the orderId.`,
    messages: Object.fromEntries(
      topic.messages.flatMap((m) =>
        m.versions.map((v) => {
          const id = messageId(m.name, v.version);
          return [id, { $ref: `#/components/messages/${id}` }];
        }),
      ),
    ),
    bindings: {
      kafka: {
        topic: topic.name,
        partitions: topic.partitions,
        topicConfiguration: { 'retention.ms': topic.retentionMs },
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

function operations(topic: CatalogueTopic): [string, object][] {
  const refs = (messages: readonly CatalogueMessage[]) =>
    messages.flatMap((m) =>
      m.versions.map((v) => ({
        $ref: `#/channels/${topic.name}/messages/${messageId(m.name, v.version)}`,
      })),
    );
  const senders = [...new Set(topic.messages.flatMap((m) => m.producers))];
  const sends = senders.map((service): [string, object] => {
    const sent = topic.messages.filter((m) => m.producers.includes(service));
    return [
      `${service}.send.${topic.name}`,
      {
        action: 'send',
        channel: { $ref: `#/channels/${topic.name}` },
        title: `${service} sends to ${topic.name}`,
        summary: `${service} emits ${list(sent.map((m) => m.name))} (the latest version of each).`,
        tags: [{ name: service }],
        messages: refs(sent),
      },
    ];
  });
  const receives = topic.consumers.map((group): [string, object] => [
    `${group}.receive.${topic.name}`,
    {
      action: 'receive',
      channel: { $ref: `#/channels/${topic.name}` },
      title: `${group} consumes ${topic.name}`,
      summary: `Consumer group ${group} receives every message on ${topic.name}, every version.`,
      tags: [{ name: group }],
      messages: refs(topic.messages),
      bindings: {
        kafka: { groupId: { type: 'string', enum: [group] }, bindingVersion: KAFKA_BINDING },
      },
    },
  ]);
  return [...sends, ...receives];
}

function message(m: CatalogueMessage, v: CatalogueVersion): object {
  const latest = m.versions[m.versions.length - 1]?.version;
  return {
    name: m.type,
    title: `${m.name} v${v.version}`,
    summary: v.schema.doc ?? m.name,
    description: [
      `${m.kind === 'command' ? 'Command' : 'Event'} owned by ${m.owner};`,
      `sent by ${list(m.producers)}, consumed by ${list(m.consumers)}.`,
      `Registry subject \`${m.subject}\` version ${v.version}, compatibility ${m.compatibility}.`,
      `Schema file: ${v.file}.`,
      v.version === latest ? 'The latest version.' : `Superseded by v${latest}.`,
    ].join(' '),
    contentType: 'application/avro',
    tags: [{ name: m.owner }, { name: m.kind }],
    headers: {
      allOf: [
        { $ref: HEADERS_REF },
        {
          type: 'object',
          properties: {
            ce_type: { type: 'string', const: m.type },
            ce_source: { type: 'string', enum: m.producers.map((s) => `/services/${s}`) },
          },
        },
      ],
    },
    payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema: v.schema },
    correlationId: {
      description: 'The flow (order) this message belongs to.',
      location: '$message.header#/ce_correlationid',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The orderId: one order’s messages share a partition.',
        },
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'TopicRecordNameStrategy',
        bindingVersion: KAFKA_BINDING,
      },
    },
    'x-orderflow': {
      type: m.type,
      version: v.version,
      owner: m.owner,
      producers: m.producers,
      consumers: m.consumers,
      subject: m.subject,
      compatibility: m.compatibility,
      file: v.file,
    },
  };
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'nobody' : items.join(', ');
}
