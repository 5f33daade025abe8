import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@orderflow/testkit';
import type { Outcome } from '../src/consumer.js';
import { KILL_AFTER_COMMIT_ENV } from '../src/fault-injection.js';
import { AvroSerde } from '../src/serde.js';
import { committedOffsets, reserveRecord, type ReservePayload } from './runtime-support.js';
import {
  createTopicsFor,
  env,
  harness,
  rawKafka,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * A consumer running records in parallel dies by SIGKILL in the middle of its work: the next
 * member of the group gets back only what lies above the committed offsets, and the inbox turns
 * whatever of that was already done into a duplicate, so every record has exactly one effect.
 */
const topic = uniqueName('test.runtime.crash');
const group = uniqueName('inventory-service');
const contract = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'runtime-crash-consumer.ts');

const KEYS = 9;
const WAVE = 30; // records per wave: 3 per key, keys spread over the 3 partitions
const KILL_AT = 45; // the child's 45th commit: the 15th record of the second wave

const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
const admin = rawKafka.admin();
let h: Harness;

beforeAll(async () => {
  await createTopicsFor(topic, group);
  await Promise.all([producer.connect(), admin.connect()]);
  h = await harness('inventory-service');
  await h.db.pool.query('CREATE TABLE effects (order_id text NOT NULL, seq int NOT NULL)');
});

afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await h.close();
});

/** Records `from`..`from + WAVE - 1`: record i is key i % KEYS, on partition key % 3. */
async function produceWave(from: number): Promise<void> {
  const records = await Promise.all(
    Array.from({ length: WAVE }, async (_, j) => {
      const i = from + j;
      const key = i % KEYS;
      const record = await reserveRecord(serde, contract, { orderId: `k${key}`, seq: i });
      return { ...record, partition: key % 3 };
    }),
  );
  await producer.send({ topic, acks: -1, messages: records });
}

function startArmedConsumer() {
  const child = spawn(
    process.execPath,
    ['--conditions=@orderflow/source', '--import', 'tsx', FIXTURE],
    {
      env: {
        ...process.env,
        FIXTURE_DATABASE_URL: h.db.url,
        FIXTURE_TOPIC: topic,
        FIXTURE_GROUP: group,
        [KILL_AFTER_COMMIT_ENV]: String(KILL_AT),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the armed consumer did not die within 60 s; stderr: ${stderr}`));
      }, 60_000);
      child.once('exit', (_code, signal) => {
        clearTimeout(timer);
        resolve({ signal, stderr });
      });
    },
  );
  return { exited, kill: () => child.kill('SIGKILL') };
}

async function effectCount(): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects');
  return rows[0]?.n ?? 0;
}

describe('consumer runtime: SIGKILL while records run in parallel', () => {
  it('re-delivers only what lies above the committed offsets, and the inbox makes it harmless', async () => {
    const child = startArmedConsumer();
    try {
      // Wave 1 fully done and committed, so the committed offsets are well above zero.
      await produceWave(0);
      const ends = await admin.fetchTopicOffsets(topic);
      await eventually(
        'the first wave committed',
        async () => {
          const committed = await committedOffsets(admin, group, topic);
          for (const { partition, offset } of ends) {
            const at = committed.get(partition);
            if (at !== Number(offset))
              throw new Error(`partition ${partition} at ${at} of ${offset}`);
          }
        },
        { timeoutMs: 60_000 },
      );
      await produceWave(WAVE);
      const exit = await child.exited;
      expect(exit.signal).toBe('SIGKILL');
      expect(exit.stderr).toContain(KILL_AFTER_COMMIT_ENV);
    } finally {
      child.kill();
    }

    // What the dead process left: effects of at least KILL_AT records, and committed offsets.
    const doneBefore = await effectCount();
    expect(doneBefore).toBeGreaterThanOrEqual(KILL_AT);
    expect(doneBefore).toBeLessThan(2 * WAVE);
    const committed = await committedOffsets(admin, group, topic);
    const { rows: inbox } = await h.db.pool.query<{ kafka_partition: number; offset: string }>(
      'SELECT kafka_partition, kafka_offset::text AS offset FROM inbox WHERE consumer_group = $1',
      [group],
    );
    expect(inbox).toHaveLength(doneBefore);
    // Done but not committed: exactly these come back as duplicates (the killed one at least).
    const doneAboveCommit = inbox.filter(
      (row) => Number(row.offset) >= (committed.get(row.kafka_partition) ?? 0),
    ).length;
    expect(doneAboveCommit).toBeGreaterThanOrEqual(1);
    expect(doneAboveCommit).toBeLessThan(doneBefore);

    const outcomes: Outcome[] = [];
    h.messaging.consumer({
      group,
      observer: { onRecord: (e) => outcomes.push(e.outcome) },
      subscriptions: [
        {
          contract,
          handle: async (payload, ctx) => {
            const { orderId, lines } = payload as ReservePayload;
            await ctx.tx.query('INSERT INTO effects (order_id, seq) VALUES ($1, $2)', [
              orderId,
              lines[0]?.quantity,
            ]);
          },
        },
      ],
    });
    await h.messaging.start();
    const expected = doneAboveCommit + (2 * WAVE - doneBefore);
    await eventually(
      `${expected} records re-delivered to the next member`,
      async () => {
        if (outcomes.length < expected || (await effectCount()) < 2 * WAVE)
          throw new Error(`${outcomes.length} outcomes, ${await effectCount()} effects`);
      },
      { timeoutMs: 60_000 },
    );
    expect({
      duplicate: outcomes.filter((o) => o === 'duplicate').length,
      ok: outcomes.filter((o) => o === 'ok').length,
      other: outcomes.filter((o) => o !== 'duplicate' && o !== 'ok').length,
    }).toEqual({ duplicate: doneAboveCommit, ok: 2 * WAVE - doneBefore, other: 0 });
    const { rows } = await h.db.pool.query<{ seq: number; n: number }>(
      'SELECT seq, count(*)::int AS n FROM effects GROUP BY seq ORDER BY seq',
    );
    expect(rows).toEqual(Array.from({ length: 2 * WAVE }, (_, seq) => ({ seq, n: 1 })));
  }, 120_000);
});
