import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { dlqTopic } from '@orderflow/contracts';
import { createTestDatabase, eventually, type TestDatabase } from '@orderflow/testkit';
import { CE } from '../src/envelope.js';
import { ExternalCalls, unsettledCall, type ExternalCall } from '../src/external-call.js';
import { silentLogger } from '../src/logger.js';
import { X } from '../src/retry-headers.js';
import { AvroSerde } from '../src/serde.js';
import { withTransaction } from '../src/transaction.js';
import { gate, reserveRecord, type CommandSpec, type ReservePayload } from './runtime-support.js';
import {
  collectRecords,
  createTopicsFor,
  env,
  harness,
  header,
  MIGRATIONS,
  rawKafka,
  testContract,
  uniqueName,
  type Harness,
} from './support.js';

/**
 * ctx.defer end to end: the call runs after the handler's commit holding only its key, its
 * settle publishes the reply; a call that keeps failing dead-letters the record that asked for
 * it; an intent whose process died is resumed by recover(), once.
 */
const commands = uniqueName('test.calls.commands');
const replies = uniqueName('test.calls.events');
const group = uniqueName('payment-service');
const reserve = testContract('saga.ReserveInventory', undefined, commands, ['order-saga']);
const reserved = testContract('inventory.InventoryReserved', undefined, replies, [
  'inventory-service',
]);

const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();
let h: Harness;

interface CallInput {
  readonly orderId: string;
}

/** Answers only when the test opens its gate. */
const slowGate = gate();
const slowCalls: string[] = [];
const slowCall: ExternalCall<CallInput, { approved: boolean }> = {
  name: 'test.slow-gateway',
  timeoutMs: 30_000,
  retry: { attempts: 1, baseMs: 10, maxMs: 10 },
  async call(input) {
    slowCalls.push(input.orderId);
    await slowGate.opened;
    return { approved: true };
  },
  async settle(result, input, ctx) {
    await ctx.tx.query('INSERT INTO settlements (order_id, approved) VALUES ($1, $2)', [
      input.orderId,
      result.approved,
    ]);
    await ctx.publish({
      contract: reserved,
      key: input.orderId,
      payload: {
        orderId: input.orderId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitAmountMinor: 250, lineAmountMinor: 250 }],
        amountMinor: 250,
        currency: 'EUR',
      },
    });
  },
};

/** Never answers within its (tiny) timeout: every attempt fails retryably. */
const failingAttempts: string[] = [];
const failingCall: ExternalCall<CallInput, never> = {
  name: 'test.down-gateway',
  timeoutMs: 50,
  retry: { attempts: 2, baseMs: 10, maxMs: 20 },
  call(input, signal) {
    failingAttempts.push(input.orderId);
    return new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  },
  settle() {
    return Promise.reject(new Error('a call that never answers is never settled'));
  },
};

async function produce(records: readonly CommandSpec[], partition: number) {
  const messages = await Promise.all(records.map((r) => reserveRecord(serde, reserve, r)));
  const [meta] = await producer.send({
    topic: commands,
    acks: -1,
    messages: messages.map((m) => ({ ...m, partition })),
  });
  return messages.map((m, i) => ({ id: m.headers[CE.id]!, offset: Number(meta?.baseOffset) + i }));
}

async function effects(orderId: string) {
  const { rows } = await h.db.pool.query<{ seq: number; unsettled: boolean }>(
    'SELECT seq, unsettled FROM effects WHERE order_id = $1 ORDER BY seq',
    [orderId],
  );
  return rows;
}

async function callRow(key: string, db = h.db) {
  const { rows } = await db.pool.query<{
    settled: boolean;
    outcome: string | null;
    attempts: number;
  }>(
    `SELECT settled_at IS NOT NULL AS settled, outcome, attempts
       FROM external_calls WHERE message_key = $1`,
    [key],
  );
  return rows;
}

beforeAll(async () => {
  await Promise.all([createTopicsFor(commands, group), createTopicsFor(replies)]);
  await producer.connect();
  h = await harness('inventory-service');
  await h.db.pool.query(`CREATE TABLE effects (order_id text NOT NULL, seq int NOT NULL,
    unsettled boolean NOT NULL)`);
  await h.db.pool.query('CREATE TABLE settlements (order_id text NOT NULL, approved boolean)');
  h.messaging.consumer({
    group,
    subscriptions: [
      {
        contract: reserve,
        handle: async (payload, ctx) => {
          const { orderId, lines } = payload as ReservePayload;
          const seq = lines[0]?.quantity ?? 0;
          // Whether a call of this key is still out when this record runs.
          const unsettled = (await unsettledCall(ctx.tx, [slowCall.name], ctx.key)) !== undefined;
          await ctx.tx.query('INSERT INTO effects (order_id, seq, unsettled) VALUES ($1, $2, $3)', [
            orderId,
            seq,
            unsettled,
          ]);
          if (orderId.startsWith('pay-') && seq === 1) await ctx.defer(slowCall, { orderId });
          if (orderId.startsWith('down-')) await ctx.defer(failingCall, { orderId });
        },
      },
    ],
  });
  await h.messaging.start();
});

afterAll(async () => {
  slowGate.open();
  await producer.disconnect();
  await h.close();
});

describe('ExternalCalls through ctx.defer', () => {
  it("settles the call with its reply, and holds the key's next record until then (only that key)", async () => {
    const out = await collectRecords(replies);
    let reply: KafkaMessage | undefined;
    try {
      const [asking] = await produce([{ orderId: 'pay-1', seq: 1 }], 0);
      await eventually('the call made', () => {
        if (!slowCalls.includes('pay-1')) throw new Error('not yet');
      });
      // Behind it on its partition: the key's next record, then a record of another key.
      await produce([{ orderId: 'pay-1', seq: 2 }], 0);
      await produce([{ orderId: 'other-1', seq: 1 }], 0);
      await eventually('the other key processed', async () => {
        if ((await effects('other-1')).length === 0) throw new Error('not yet');
      });
      // The call is still out: the same key's next record has not run.
      expect(await effects('pay-1')).toEqual([{ seq: 1, unsettled: false }]);
      expect(await callRow('pay-1')).toEqual([{ settled: false, outcome: null, attempts: 0 }]);

      slowGate.open();
      await eventually('the next record of the key processed', async () => {
        if ((await effects('pay-1')).length < 2) throw new Error('not yet');
      });
      // It ran after the settle committed, and the settle ran once.
      expect(await effects('pay-1')).toEqual([
        { seq: 1, unsettled: false },
        { seq: 2, unsettled: false },
      ]);
      expect(await callRow('pay-1')).toEqual([{ settled: true, outcome: 'ok', attempts: 0 }]);
      const { rows } = await h.db.pool.query(
        "SELECT approved FROM settlements WHERE order_id = 'pay-1'",
      );
      expect(rows).toEqual([{ approved: true }]);
      reply = await eventually('the reply published', () => {
        const found = out.records.find((r) => r.key?.toString() === 'pay-1');
        if (!found) throw new Error(`${out.records.length} replies`);
        return found;
      });
      expect(header(reply, CE.type)).toBe('inventory.InventoryReserved');
      expect(header(reply, CE.causationId)).toBe(asking!.id);
      expect(slowCalls).toEqual(['pay-1']);
    } finally {
      await out.stop();
    }
  });

  it('dead-letters the asking record when every attempt fails, undoing its inbox row', async () => {
    const dlq = await collectRecords(dlqTopic(commands, group));
    try {
      const [asking] = await produce([{ orderId: 'down-1', seq: 1 }], 1);
      const dead = await eventually('the asking record in the DLQ', () => {
        const found = dlq.records.find((r) => r.key?.toString() === 'down-1');
        if (!found) throw new Error(`DLQ has ${dlq.records.length} records`);
        return found;
      });
      expect(failingAttempts).toEqual(['down-1', 'down-1']);
      expect(header(dead, CE.id)).toBe(asking!.id);
      expect(header(dead, X.originTopic)).toBe(commands);
      expect(header(dead, X.originPartition)).toBe('1');
      expect(header(dead, X.originOffset)).toBe(String(asking!.offset));
      expect(header(dead, X.group)).toBe(group);
      expect(header(dead, X.errorCode)).toBe('CALL_TIMEOUT');
      expect(header(dead, X.attempts)).toBe('2');
      expect(dead.value).toEqual(
        (await reserveRecord(serde, reserve, { orderId: 'down-1' })).value,
      );
      const inbox = await h.db.pool.query(
        'SELECT 1 FROM inbox WHERE consumer_group = $1 AND message_id = $2',
        [group, asking!.id],
      );
      expect(inbox.rowCount).toBe(0);
      expect(await callRow('down-1')).toEqual([
        { settled: true, outcome: 'failed: CALL_TIMEOUT', attempts: 2 },
      ]);
    } finally {
      await dlq.stop();
    }
  });
});

describe('ExternalCalls.recover', () => {
  let db: TestDatabase;
  const invoked: string[] = [];
  const recoverable: ExternalCall<CallInput, number> = {
    name: 'test.recoverable',
    timeoutMs: 2_000,
    retry: { attempts: 1, baseMs: 10, maxMs: 10 },
    call(input) {
      invoked.push(input.orderId);
      return Promise.resolve(invoked.length);
    },
    async settle(result, input, ctx) {
      await ctx.tx.query('INSERT INTO settlements (order_id, result) VALUES ($1, $2)', [
        input.orderId,
        result,
      ]);
    },
  };

  /** One process's ExternalCalls, never started: only the test calls recover(). */
  function processCalls(): ExternalCalls {
    const calls = new ExternalCalls({
      pool: db.pool,
      publisher: h.messaging.publisher,
      relay: h.messaging.relay,
      logger: silentLogger,
    });
    calls.register(recoverable);
    return calls;
  }

  beforeAll(async () => {
    // A database of its own: the harness's running recovery loop must not claim these intents.
    db = await createTestDatabase(env.databaseUrl, [MIGRATIONS]);
    await db.pool.query('CREATE TABLE settlements (order_id text NOT NULL, result int)');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('resumes an intent whose lease ran out exactly once, though two processes recover at once', async () => {
    const dead = processCalls();
    for (const orderId of ['expired-1', 'leased-1']) {
      const { headers, value } = await reserveRecord(serde, reserve, { orderId });
      await withTransaction(db.pool, (tx) =>
        dead.record(
          tx,
          recoverable,
          { orderId },
          {
            group,
            topic: commands,
            partition: 0,
            offset: '0',
            key: orderId,
            value,
            headers,
          },
        ),
      );
    }
    // Its process died long ago; the other intent's lease still runs.
    await db.pool.query(
      "UPDATE external_calls SET lease_until = now() - interval '1 minute' WHERE message_key = 'expired-1'",
    );

    const [a, b] = [processCalls(), processCalls()];
    const claimed = await Promise.all([a.recover(), b.recover()]);
    expect(claimed.sort()).toEqual([0, 1]);
    await eventually('the resumed intent settled', async () => {
      const [row] = await callRow('expired-1', db);
      if (!row?.settled) throw new Error('not yet');
    });
    await Promise.all([a.stop(), b.stop()]);
    expect(await callRow('expired-1', db)).toEqual([{ settled: true, outcome: 'ok', attempts: 0 }]);
    expect(await callRow('leased-1', db)).toEqual([{ settled: false, outcome: null, attempts: 0 }]);
    // Settled intents are never resumed again.
    expect(await a.recover()).toBe(0);
    expect(invoked).toEqual(['expired-1']);
    const { rows } = await db.pool.query('SELECT order_id, result FROM settlements');
    expect(rows).toEqual([{ order_id: 'expired-1', result: 1 }]);
  });
});
