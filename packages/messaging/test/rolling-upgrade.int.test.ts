import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { dlqTopic, retryTopic, ContractError } from '@orderflow/contracts';
import { checkChain, RegistryClient } from '@orderflow/contracts/tooling';
import { createTestDatabase, eventually, type TestDatabase } from '@orderflow/testkit';
import {
  AvroSerde,
  envelopeHeaders,
  Messaging,
  silentLogger,
  type MessageContract,
  type Outcome,
} from '../src/index.js';
import {
  brokers,
  collectRecords,
  createTopicsFor,
  env,
  MIGRATIONS,
  rawKafka,
  uniqueName,
} from './support.js';

/**
 * Rolling-upgrade drill: two instances of one consumer group, one still reading with v1 of a
 * record and one already on v2 (a new field with a default), while the producer switches from
 * writing v1 to writing v2 mid-run. Nothing may fail or be dead-lettered, and each instance must
 * see records of both versions. Then a breaking v3 is refused by the offline gate and by the
 * registry. The record is test-only, on a private topic and subject.
 */
const topic = uniqueName('test.upgrade');
const group = uniqueName('upgrade-consumer');
const TYPE = 'test.UpgradeProbe';
const field = (name: string, type: unknown, extra: object = {}) => ({
  name,
  type,
  doc: name,
  ...extra,
});
const record = (fields: object[]) => ({
  type: 'record',
  name: 'UpgradeProbe',
  namespace: 'orderflow.test',
  doc: 'Rolling-upgrade probe.',
  fields,
});
const V1 = record([field('orderId', 'string'), field('amountMinor', 'long')]);
const V2 = record([...V1.fields, field('note', 'string', { default: '' })]);
const V3_BREAKING = record([...V2.fields, field('currency', 'string')]); // required, no default
const contract = (schema: object): MessageContract => ({
  type: TYPE,
  topic,
  subject: `${topic}-orderflow.test.UpgradeProbe`,
  emitters: ['order-saga'],
  schema: schema as avro.Schema,
});
const [c1, c2] = [contract(V1), contract(V2)];
const PER_PHASE = 30;

interface Seen {
  readonly instance: 'old' | 'new';
  readonly writer: 'v1' | 'v2';
  readonly payload: Record<string, unknown>;
}
const seen: Seen[] = [];
const outcomes: Outcome[] = [];
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer({ idempotent: true });
let db: TestDatabase;
const instances: Messaging[] = [];

function instance(name: 'old' | 'new', reader: MessageContract): Messaging {
  const messaging = new Messaging({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: db.pool,
    logger: silentLogger,
    autoRegisterSchemas: true,
  });
  messaging.consumer({
    group,
    observer: { onRecord: (e) => outcomes.push(e.outcome) },
    subscriptions: [
      {
        contract: reader,
        handle: (payload) => {
          const p = payload as Record<string, unknown>;
          seen.push({
            instance: name,
            writer: String(p.orderId).startsWith('v1-') ? 'v1' : 'v2',
            payload: p,
          });
          return Promise.resolve();
        },
      },
    ],
  });
  instances.push(messaging);
  return messaging;
}

async function produce(writer: MessageContract, phase: 'v1' | 'v2'): Promise<void> {
  const messages = await Promise.all(
    Array.from({ length: PER_PHASE }, async (_, i) => {
      const orderId = `${phase}-${i}-${randomUUID().slice(0, 8)}`;
      const payload = { orderId, amountMinor: 100 + i, ...(phase === 'v2' ? { note: 'v2' } : {}) };
      const { value, schemaId } = await serde.encode(writer, payload);
      const headers = envelopeHeaders({
        id: randomUUID(),
        type: TYPE,
        source: '/services/order-saga',
        time: new Date().toISOString(),
        subject: orderId,
        dataschema: serde.schemaUrl(schemaId),
        correlationId: `corr-${orderId}`,
        causationDepth: 0,
      });
      return { key: orderId, value, headers };
    }),
  );
  await producer.send({ topic, acks: -1, messages });
}

/** Both instances joined and each holds at least one partition, so the drill splits the work. */
async function groupSplitAcrossBoth(): Promise<void> {
  const admin = rawKafka.admin();
  await admin.connect();
  try {
    await eventually(
      `group ${group} stable with two members holding partitions`,
      async () => {
        const { groups } = await admin.describeGroups([group]);
        const g = groups[0];
        const holding = g?.members.filter((m) => m.memberAssignment.length > 0).length ?? 0;
        if (g?.state !== 'Stable' || g.members.length !== 2 || holding !== 2) {
          throw new Error(`state ${g?.state}, ${g?.members.length ?? 0} members`);
        }
      },
      { timeoutMs: 60_000 },
    );
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await createTopicsFor(topic, group);
  db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
  await producer.connect();
  await instance('old', c1).start();
  await instance('new', c2).start();
  await groupSplitAcrossBoth();
});

afterAll(async () => {
  await producer.disconnect();
  for (const m of instances) await m.stop();
  await db.drop();
});

describe('rolling upgrade from v1 to v2 of a record', () => {
  it('old and new readers share the group while the producer switches writer schema', async () => {
    const dead = await collectRecords(dlqTopic(topic, group));
    const retried = await collectRecords(retryTopic(topic, group, 1));
    try {
      await produce(c1, 'v1');
      await eventually('some v1 records handled', () => {
        if (seen.length === 0) throw new Error('none yet');
      });
      await produce(c2, 'v2');
      await eventually(
        `${2 * PER_PHASE} records handled`,
        () => {
          if (seen.length < 2 * PER_PHASE) throw new Error(`${seen.length} handled`);
        },
        { timeoutMs: 60_000 },
      );

      expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
      expect(seen).toHaveLength(2 * PER_PHASE);
      expect(dead.records).toHaveLength(0);
      expect(retried.records).toHaveLength(0);
      for (const who of ['old', 'new'] as const) {
        const versions = new Set(seen.filter((s) => s.instance === who).map((s) => s.writer));
        expect([who, [...versions].sort()]).toEqual([who, ['v1', 'v2']]);
      }
      // The old reader drops the field it does not know; the new one fills in its default.
      for (const s of seen.filter((x) => x.instance === 'old'))
        expect(s.payload).not.toHaveProperty('note');
      for (const s of seen.filter((x) => x.instance === 'new')) {
        expect(s.payload.note).toBe(s.writer === 'v1' ? '' : 'v2');
      }
    } finally {
      await dead.stop();
      await retried.stop();
    }
  });

  it('a new required field is refused by the offline gate and by the registry', async () => {
    const chain = [V1, V2, V3_BREAKING].map((s, i) => ({
      version: i + 1,
      avro: avro.Type.forSchema(s as avro.Schema),
    }));
    expect(checkChain(TYPE, chain, 'BACKWARD_TRANSITIVE')).toEqual([
      `${TYPE} v3 is not BACKWARD compatible with v1: field \`currency\` was added without a default`,
      `${TYPE} v3 is not BACKWARD compatible with v2: field \`currency\` was added without a default`,
    ]);

    const registry = new RegistryClient(env.schemaRegistryUrl);
    const subject = c1.subject;
    expect(await registry.versions(subject)).toHaveLength(2); // v1 and v2, registered by the drill
    await registry.setCompatibility(subject, 'BACKWARD_TRANSITIVE');
    const verdict = await registry.testCompatibility(subject, JSON.stringify(V3_BREAKING));
    expect(verdict.compatible).toBe(false);
    const refused = await registry
      .register(subject, JSON.stringify(V3_BREAKING))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ContractError);
    expect((refused as ContractError).code).toBe('REGISTRY_REJECTED');
    expect(await registry.versions(subject)).toHaveLength(2);
  });
});
