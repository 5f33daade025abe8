import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { dlqTopic } from '@orderflow/contracts';
import { eventually } from '@orderflow/testkit';
import type { Queryable } from '../src/db.js';
import { NonRetryableError } from '../src/errors.js';
import { X } from '../src/retry-headers.js';
import { AvroSerde } from '../src/serde.js';
import {
  committedOffsets,
  gate,
  reserveRecord,
  type CommandSpec,
  type ReservePayload,
} from './runtime-support.js';
import {
  collectRecords,
  createTopicsFor,
  env,
  harness,
  header,
  rawKafka,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * The consumer runtime against the real broker and Postgres: a slow key holds only itself,
 * one key stays in order under concurrency, a poison record leaves its transaction group
 * alone, and offsets are committed up to the lowest unfinished record and no further.
 */
const topic = uniqueName('test.runtime.commands');
const group = uniqueName('inventory-service');
const contract = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
// Records of the group test are produced before its consumer starts, so they arrive together.
const groupTopic = uniqueName('test.runtime.group');
const groupGroup = uniqueName('inventory-service');
const groupContract = testContract('saga.ReserveInventory', undefined, groupTopic, ['order-saga']);

const SLOW_HANDLER_S = 20;
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
const admin = rawKafka.admin();
let h: Harness;

/** What the test sees of handlers running right now (their effects are in the database). */
const observed = {
  slowStartedAt: undefined as number | undefined,
  slowReturnedAt: undefined as number | undefined,
  blockedStarted: false,
  active: 0,
  maxActive: 0,
};
const blocked = gate();

async function handle(payload: ReservePayload, tx: Queryable) {
  const { orderId, lines } = payload;
  const seq = lines[0]?.quantity ?? 0;
  if (orderId.startsWith('slow-')) {
    observed.slowStartedAt = Date.now();
    // Holds its transaction (and its pooled connection) the whole time, as a slow handler would.
    await tx.query('SELECT pg_sleep($1::float8)', [SLOW_HANDLER_S]);
    observed.slowReturnedAt = Date.now();
  } else if (orderId.startsWith('blocked-')) {
    observed.blockedStarted = true;
    await blocked.opened;
  } else if (orderId.startsWith('ord-')) {
    observed.active += 1;
    observed.maxActive = Math.max(observed.maxActive, observed.active);
    try {
      await sleep(Number(lines[0]?.sku.slice(1))); // the record's own work time ("d<ms>")
    } finally {
      observed.active -= 1;
    }
  }
  await tx.query('INSERT INTO effects (order_id, seq) VALUES ($1, $2)', [orderId, seq]);
}

/** Produces the records in one send; with `partition`, all to it, returning their offsets. */
async function produce(
  to: string,
  records: readonly CommandSpec[],
  partition?: number,
  on = contract,
): Promise<number[]> {
  const messages = await Promise.all(records.map((r) => reserveRecord(serde, on, r)));
  const meta = await producer.send({
    topic: to,
    acks: -1,
    messages: messages.map((m) => (partition === undefined ? m : { ...m, partition })),
  });
  const base = Number(meta[0]?.baseOffset);
  return partition === undefined ? [] : records.map((_, i) => base + i);
}

async function count(pattern: string): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM effects WHERE order_id LIKE $1',
    [pattern],
  );
  return rows[0]?.n ?? 0;
}

async function eventuallyCount(pattern: string, n: number, timeoutMs?: number): Promise<void> {
  await eventually(
    `${n} effect(s) of ${pattern}`,
    async () => {
      const seen = await count(pattern);
      if (seen < n) throw new Error(`${seen} effects`);
    },
    { timeoutMs },
  );
}

beforeAll(async () => {
  await Promise.all([createTopicsFor(topic, group), createTopicsFor(groupTopic, groupGroup)]);
  await Promise.all([producer.connect(), admin.connect()]);
  h = await harness('inventory-service');
  await h.db.pool.query(`CREATE TABLE effects (
    n        bigserial   PRIMARY KEY,
    order_id text        NOT NULL,
    seq      int         NOT NULL,
    txid     bigint      NOT NULL DEFAULT txid_current(),
    at       timestamptz NOT NULL DEFAULT clock_timestamp())`);
  h.messaging.consumer({
    group,
    concurrency: 4,
    commitIntervalMs: 100,
    subscriptions: [
      { contract, handle: (payload, ctx) => handle(payload as ReservePayload, ctx.tx) },
    ],
  });
  await h.messaging.start();
});

afterAll(async () => {
  blocked.open();
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await h.close();
});

describe('consumer runtime', () => {
  it(`a handler busy for ${SLOW_HANDLER_S} s holds only its key: 100 records of other keys on its partition and the others finish meanwhile`, async () => {
    await produce(topic, [{ orderId: 'slow-1' }], 0);
    await eventually('the slow handler started', () => {
      if (observed.slowStartedAt === undefined) throw new Error('not yet');
    });
    // 34 of them behind the slow record on its own partition, the rest on the two others.
    const producedAt = Date.now();
    for (const partition of [0, 1, 2]) {
      const specs = Array.from({ length: 100 }, (_, i) => ({ orderId: `fast-${i}` })).filter(
        (_, i) => i % 3 === partition,
      );
      await produce(topic, specs, partition);
    }
    const snapshot = await eventually(
      'the 100 other records committed',
      async () => {
        // One snapshot of both: the 100 are in while the slow one is not.
        const { rows } = await h.db.pool.query<{ fast: number; slow: number }>(
          `SELECT count(*) FILTER (WHERE order_id LIKE 'fast-%')::int AS fast,
                  count(*) FILTER (WHERE order_id = 'slow-1')::int AS slow FROM effects`,
        );
        const row = rows[0]!;
        if (row.fast < 100) throw new Error(`${row.fast} of 100 (slow committed: ${row.slow})`);
        return { ...row, afterMs: Date.now() - producedAt };
      },
      { timeoutMs: 15_000 },
    );
    // The slow record is still in its handler: the others did not wait for it.
    expect({ ...snapshot, slowReturned: observed.slowReturnedAt !== undefined }).toMatchObject({
      fast: 100,
      slow: 0,
      slowReturned: false,
    });

    await eventuallyCount('slow-1', 1, (SLOW_HANDLER_S + 20) * 1_000);
    const { rows } = await h.db.pool.query<{ order_id: string; n: number }>(
      `SELECT order_id, count(*)::int AS n FROM effects
        WHERE order_id LIKE 'fast-%' OR order_id = 'slow-1' GROUP BY order_id`,
    );
    expect(rows).toHaveLength(101);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  }, 90_000);

  it('keeps each key in order under concurrency, for random interleavings of several keys', async () => {
    const KEYS = 4;
    const PER_KEY = 6;
    const slots = Array.from({ length: KEYS * PER_KEY }, (_, i) => i % KEYS);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Which key comes next in the topic, the records' work time, how many per send.
        fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }),
        fc.array(fc.integer({ min: 0, max: 20 }), {
          minLength: slots.length,
          maxLength: slots.length,
        }),
        fc.integer({ min: 1, max: 8 }),
        async (order, delays, perSend) => {
          run += 1;
          const prefix = `ord-${run}-`;
          const next = new Map<number, number>();
          const specs = order.map((key, i) => {
            const seq = (next.get(key) ?? 0) + 1;
            next.set(key, seq);
            return { orderId: `${prefix}${key}`, seq, tag: `d${delays[i]}` };
          });
          for (let i = 0; i < specs.length; i += perSend) {
            await produce(topic, specs.slice(i, i + perSend));
          }
          await eventuallyCount(`${prefix}%`, specs.length);
          const { rows } = await h.db.pool.query<{ order_id: string; seq: number }>(
            'SELECT order_id, seq FROM effects WHERE order_id LIKE $1 ORDER BY n',
            [`${prefix}%`],
          );
          const expected = Array.from({ length: PER_KEY }, (_, i) => i + 1);
          for (let key = 0; key < KEYS; key++) {
            const seqs = rows.filter((r) => r.order_id === `${prefix}${key}`).map((r) => r.seq);
            expect({ key, seqs }).toEqual({ key, seqs: expected });
          }
        },
      ),
      { numRuns: 5, endOnFailure: true },
    );
    // Records of different keys did overlap: the order above held under real concurrency.
    expect(observed.maxActive).toBeGreaterThan(1);
  }, 60_000);

  it('commits a transaction group with one poison record once, and dead-letters the poison alone', async () => {
    const keys = ['grp-a', 'grp-b', 'grp-poison', 'grp-c', 'grp-d'];
    const offsets = await produce(
      groupTopic,
      keys.map((orderId) => ({ orderId })),
      0,
      groupContract,
    );
    const poisonOffset = offsets[keys.indexOf('grp-poison')]!;
    const dlq = await collectRecords(dlqTopic(groupTopic, groupGroup));
    const poisonTx: string[] = [];
    const consumer = h.messaging.consumer({
      group: groupGroup,
      commitIntervalMs: 100,
      subscriptions: [
        {
          contract: groupContract,
          handle: async (payload, ctx) => {
            const { orderId } = payload as ReservePayload;
            await ctx.tx.query('INSERT INTO effects (order_id, seq) VALUES ($1, 1)', [orderId]);
            if (orderId === 'grp-poison') {
              const { rows } = await ctx.tx.query<{ txid: string }>(
                'SELECT txid_current()::text AS txid',
              );
              poisonTx.push(rows[0]!.txid);
              throw new NonRetryableError('this order violates an invariant');
            }
          },
        },
      ],
    });
    await consumer.start();
    let dead: KafkaMessage | undefined;
    try {
      dead = await eventually('the poison record in the DLQ', () => {
        const found = dlq.records.find((r) => r.key?.toString() === 'grp-poison');
        if (!found) throw new Error(`DLQ has ${dlq.records.length} records`);
        return found;
      });
      await eventuallyCount('grp-%', keys.length - 1);
    } finally {
      await dlq.stop();
    }

    const { rows: effects } = await h.db.pool.query<{ order_id: string; txid: string }>(
      "SELECT order_id, txid::text FROM effects WHERE order_id LIKE 'grp-%' ORDER BY order_id",
    );
    const good = keys.filter((k) => k !== 'grp-poison').sort();
    expect(effects.map((e) => e.order_id)).toEqual(good);
    // They shared one transaction, the very one the poison record's handler ran in.
    expect(new Set(effects.map((e) => e.txid))).toEqual(new Set(poisonTx));
    expect(poisonTx).toHaveLength(1);
    const { rows: inbox } = await h.db.pool.query<{ kafka_offset: string }>(
      'SELECT kafka_offset::text FROM inbox WHERE consumer_group = $1 ORDER BY kafka_offset',
      [groupGroup],
    );
    expect(inbox.map((r) => Number(r.kafka_offset))).toEqual(
      offsets.filter((o) => o !== poisonOffset),
    );
    expect(header(dead, X.originTopic)).toBe(groupTopic);
    expect(header(dead, X.originPartition)).toBe('0');
    expect(header(dead, X.originOffset)).toBe(String(poisonOffset));
    expect(header(dead, X.group)).toBe(groupGroup);
    expect(header(dead, X.errorCode)).toBe('HANDLER_REJECTED');
    expect(header(dead, X.errorMessage)).toBe('this order violates an invariant');
    expect(header(dead, X.attempts)).toBe('1');
    expect(dlq.records.filter((r) => r.key?.toString() !== 'grp-poison')).toEqual([]);
    // Dead-lettered counts as finished: the group commits past the poison record.
    await eventually('the group committed every record', async () => {
      const committed = (await committedOffsets(admin, groupGroup, groupTopic)).get(0);
      if (committed !== offsets.at(-1)! + 1) throw new Error(`committed ${committed}`);
    });
  });

  it('never commits past a record still in its handler, and commits past it once it finishes', async () => {
    await produce(topic, [{ orderId: 'pre-1' }], 0);
    await eventuallyCount('pre-1', 1);
    const [blockedOffset] = await produce(topic, [{ orderId: 'blocked-1' }], 0);
    await eventually('the blocked handler started', () => {
      if (!observed.blockedStarted) throw new Error('not yet');
    });
    const later = await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ orderId: `later-${i}` })),
      0,
    );
    await eventuallyCount('later-%', later.length);
    expect(await count('blocked-1')).toBe(0);

    // A record on another partition, finished after every later one: once its offset is
    // committed, a commit has run that saw partition 0 with only the blocked record unfinished.
    const [probeOffset] = await produce(topic, [{ orderId: 'probe-1' }], 1);
    const seen: number[] = [];
    await eventually('a commit covering the probe record', async () => {
      const committed = await committedOffsets(admin, group, topic);
      seen.push(committed.get(0) ?? -1);
      const probePartition = committed.get(1) ?? -1;
      if (probePartition <= probeOffset!) throw new Error(`partition 1 at ${probePartition}`);
    });
    expect(seen.filter((offset) => offset > blockedOffset!)).toEqual([]);
    expect(seen.at(-1)).toBe(blockedOffset); // right up to it: everything before it is done

    blocked.open();
    await eventually('the commit moving past the released record', async () => {
      const committed = (await committedOffsets(admin, group, topic)).get(0);
      if (committed !== later.at(-1)! + 1) throw new Error(`partition 0 at ${committed}`);
    });
    expect(await count('blocked-1')).toBe(1);
  });
});
