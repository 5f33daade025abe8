import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@orderflow/testkit';
import { KILL_AFTER_COMMIT_ENV } from '../src/fault-injection.js';
import { AvroSerde, type Outcome } from '../src/index.js';
import {
  createTopicsFor,
  env,
  harness,
  rawKafka,
  sagaCommandHeaders,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * The after-commit fault, end to end: a consumer process armed with it dies by SIGKILL right
 * after its first handler transaction commits, before the offset is committed; the record then
 * comes back to the group and the inbox skips it, so its effect stays single.
 */
const topic = uniqueName('test.fault.commands');
const group = uniqueName('inventory-service');
const contract = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'kill-after-commit-consumer.ts');

let h: Harness;

beforeAll(async () => {
  await createTopicsFor(topic, group);
  h = await harness('inventory-service');
  await h.db.pool.query('CREATE TABLE effects (order_id text NOT NULL)');
});

afterAll(async () => {
  await h.close();
});

function runArmedConsumer(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@orderflow/source', '--import', 'tsx', FIXTURE],
    {
      env: {
        ...process.env,
        FIXTURE_DATABASE_URL: h.db.url,
        FIXTURE_TOPIC: topic,
        FIXTURE_GROUP: group,
        [KILL_AFTER_COMMIT_ENV]: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the armed consumer did not die within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe(`${KILL_AFTER_COMMIT_ENV}`, () => {
  it('kills the process between the handler commit and the offset commit; the inbox absorbs the redelivery', async () => {
    const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
    const { value, schemaId } = await serde.encode(contract, {
      orderId: 'o-fault-1',
      lines: [{ sku: 'SKU-1', quantity: 1 }],
    });
    const producer = rawKafka.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: 'o-fault-1',
          value,
          headers: sagaCommandHeaders(contract.type, 'o-fault-1', serde.schemaUrl(schemaId)),
        },
      ],
    });
    await producer.disconnect();

    const exit = await runArmedConsumer();
    expect(exit.signal).toBe('SIGKILL');

    // The handler's effect and the inbox row are committed...
    const effects = async () =>
      (await h.db.pool.query('SELECT 1 FROM effects WHERE order_id = $1', ['o-fault-1'])).rowCount;
    expect(await effects()).toBe(1);
    const inbox = await h.db.pool.query('SELECT 1 FROM inbox WHERE consumer_group = $1', [group]);
    expect(inbox.rowCount).toBe(1);
    // ...but the offset is not: the group would read the record again.
    const admin = rawKafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    const committed = offsets?.partitions.find((p) => p.partition === sent?.partition)?.offset;
    expect(Number(committed)).toBeLessThanOrEqual(Number(sent?.baseOffset));

    // The next member of the group gets it again, and the inbox skips it.
    const outcomes: Outcome[] = [];
    h.messaging.consumer({
      group,
      observer: { onRecord: (e) => outcomes.push(e.outcome) },
      subscriptions: [
        {
          contract,
          handle: async (payload, ctx) => {
            const { orderId } = payload as { orderId: string };
            await ctx.tx.query('INSERT INTO effects (order_id) VALUES ($1)', [orderId]);
          },
        },
      ],
    });
    await h.messaging.start();
    await eventually('the redelivered record', () => {
      if (!outcomes.includes('duplicate')) throw new Error(`outcomes: ${outcomes.join(',')}`);
    });
    expect(outcomes).toEqual(['duplicate']);
    expect(await effects()).toBe(1);
  });
});
