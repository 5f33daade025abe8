import type { Kafka } from 'kafkajs';
import { allTopics } from '@orderflow/contracts';
import type { AvroSerde } from '@orderflow/messaging';
import { readDlq, replayDlq, type DlqFilter, type DlqRecord } from '@orderflow/messaging/dlq';
import { HttpProblem, type HttpApp } from '@orderflow/service-runtime';
import { recordView } from '../dlq/record-view.js';

/**
 * HTTP entry point for dead letters, the one thing the services have no HTTP API for: the
 * catalogue's DLQ topics with their depth, their records (filtered, decoded), and replay of the
 * chosen ones to their origin topics through @orderflow/messaging/dlq, the operator's name on
 * each replayed record (x-replayed-by) and in the log.
 */
export const DLQ_TOPICS: readonly string[] = allTopics()
  .filter((t) => t.kind === 'dlq')
  .map((t) => t.name);

export interface DlqDeps {
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  readonly replayMax: number;
}

const ISO = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})?)?$';
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topic: { type: 'string', enum: DLQ_TOPICS },
    errorCode: { type: 'string', minLength: 1, maxLength: 64 },
    orderId: { type: 'string', minLength: 1, maxLength: 128 },
    since: { type: 'string', pattern: ISO },
    until: { type: 'string', pattern: ISO },
  },
} as const;

type ListQuery = {
  topic?: string;
  errorCode?: string;
  orderId?: string;
  since?: string;
  until?: string;
};

interface Position {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Records in each DLQ topic (high watermark minus low), one admin round trip for all. */
export async function dlqDepths(kafka: Kafka): Promise<{ topic: string; count: number }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await Promise.all(
      DLQ_TOPICS.map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        const count = offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
        return { topic, count };
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

function time(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new HttpProblem({
      status: 400,
      code: 'validation-error',
      detail: `${name} is not a time`,
    });
  }
  return at;
}

export function dlqRoutes(app: HttpApp, deps: DlqDeps): void {
  const publicRoute = { access: 'public' } as const;

  app.get('/api/dlq/topics', { config: publicRoute }, async () => ({
    items: await dlqDepths(deps.kafka),
  }));

  app.get<{ Querystring: ListQuery }>(
    '/api/dlq',
    { config: publicRoute, schema: { querystring: listQuery } },
    async (request) => {
      const q = request.query;
      const filter: DlqFilter = {
        errorCode: q.errorCode,
        key: q.orderId,
        since: time(q.since, 'since'),
        until: time(q.until, 'until'),
      };
      const depths = await dlqDepths(deps.kafka);
      const topics = depths
        .filter((d) => d.count > 0 && (q.topic === undefined || d.topic === q.topic))
        .map((d) => d.topic);
      const perTopic = await Promise.all(
        topics.map(async (topic) => {
          const records = await readDlq(deps.kafka, topic, filter);
          return Promise.all(records.map((r) => recordView(deps.serde, topic, r)));
        }),
      );
      const items = perTopic.flat().sort((a, b) => b.lastFailureAt.localeCompare(a.lastFailureAt));
      return { items };
    },
  );

  app.post<{ Body: { operator: string; records: Position[] } }>(
    '/api/dlq/replay',
    {
      config: publicRoute,
      schema: {
        summary: 'Sends the chosen DLQ records back to their origin topics, in the given order',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['operator', 'records'],
          properties: {
            operator: { type: 'string', pattern: '^[\\w .@-]{1,128}$' },
            records: {
              type: 'array',
              minItems: 1,
              maxItems: deps.replayMax,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['dlqTopic', 'partition', 'offset'],
                properties: {
                  dlqTopic: { type: 'string', enum: DLQ_TOPICS },
                  partition: { type: 'integer', minimum: 0, maximum: 10_000 },
                  offset: { type: 'string', pattern: '^[0-9]{1,19}$' },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { operator, records: wanted } = request.body;
      const picked = await pick(deps.kafka, wanted);
      const orphans = picked.filter((r) => !r.originTopic);
      if (orphans.length > 0) {
        throw new HttpProblem({
          status: 422,
          code: 'not-replayable',
          detail: `${orphans.length} chosen record(s) have no x-origin-topic header, so there is nowhere to replay them`,
        });
      }
      const replayed: {
        dlqTopic: string;
        partition: number;
        offset: string;
        originTopic: string;
        replayedAt: string;
      }[] = [];
      const topicOf = new Map(picked.map((r, i) => [r, wanted[i]?.dlqTopic ?? '']));
      await replayDlq(deps.kafka, picked, {
        ratePerSecond: 20,
        replayedBy: operator,
        onReplayed: ({ record, replayedAt }) => {
          const line = {
            dlqTopic: topicOf.get(record) ?? '',
            partition: record.partition,
            offset: record.offset,
            originTopic: record.originTopic,
            replayedAt,
          };
          replayed.push(line);
          request.log.info({ ...line, key: record.key, operator }, 'dead letter replayed');
        },
      });
      return { operator, replayed };
    },
  );
}

/** The wanted records, read from their topics; a position no longer there is a 409. */
async function pick(kafka: Kafka, wanted: readonly Position[]): Promise<DlqRecord[]> {
  const topics = [...new Set(wanted.map((w) => w.dlqTopic))];
  const byTopic = new Map(
    await Promise.all(topics.map(async (t) => [t, await readDlq(kafka, t)] as const)),
  );
  const missing: string[] = [];
  const found: DlqRecord[] = [];
  for (const w of wanted) {
    const record = byTopic
      .get(w.dlqTopic)
      ?.find((r) => r.partition === w.partition && r.offset === w.offset);
    if (record) found.push(record);
    else missing.push(`${w.dlqTopic} ${w.partition}:${w.offset}`);
  }
  if (missing.length > 0) {
    throw new HttpProblem({
      status: 409,
      code: 'dlq-record-gone',
      detail: `No such record in the DLQ (expired or never there): ${missing.slice(0, 5).join(', ')}`,
    });
  }
  return found;
}
