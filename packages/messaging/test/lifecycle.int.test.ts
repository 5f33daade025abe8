import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@orderflow/testkit';
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

/** Consumer lifecycle: a slow handler keeps its partitions; a restart resumes after what was done. */
const topic = uniqueName('test.inventory.commands');
const group = uniqueName('inventory-service');
const reserve = testContract('saga.ReserveInventory', undefined, topic, ['order-saga']);
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });
const producer = rawKafka.producer();

const SESSION_TIMEOUT_MS = 6_000; // the broker's minimum
const handled: string[] = [];
const outcomes: Outcome[] = [];
let joins = 0;

async function send(orderId: string): Promise<void> {
  const { value, schemaId } = await serde.encode(reserve, {
    orderId,
    lines: [{ sku: 'S', quantity: 1 }],
  });
  await producer.send({
    topic,
    acks: -1,
    messages: [
      {
        key: orderId,
        value,
        headers: sagaCommandHeaders(reserve.type, orderId, serde.schemaUrl(schemaId)),
      },
    ],
  });
}

function consumerOn(h: Harness) {
  return h.messaging.consumer({
    group,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    observer: {
      onRecord: (e) => outcomes.push(e.outcome),
      onGroupJoin: () => {
        joins += 1;
      },
    },
    subscriptions: [
      {
        contract: reserve,
        handle: async (payload) => {
          const { orderId } = payload as { orderId: string };
          // Longer than the session timeout: only heartbeats sent during the handler keep the member.
          if (orderId.startsWith('slow-')) await sleep(SESSION_TIMEOUT_MS * 1.5);
          handled.push(orderId);
        },
      },
    ],
  });
}

describe('consumer lifecycle', () => {
  let h: Harness;

  beforeAll(async () => {
    await createTopicsFor(topic, group);
    await producer.connect();
    h = await harness('inventory-service');
    consumerOn(h);
    await h.messaging.start();
    await eventually('the consumer joined its group', () => {
      if (joins === 0) throw new Error('not yet');
    });
  });

  afterAll(async () => {
    await producer.disconnect();
    await h.close();
  });

  it('keeps its group membership through a handler slower than the session timeout', async () => {
    await send('slow-1');
    await send('after-slow-1');
    await eventually(
      'both handled',
      () => {
        if (!handled.includes('slow-1') || !handled.includes('after-slow-1')) {
          throw new Error(`handled ${handled.join(',')}`);
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(handled.filter((id) => id === 'slow-1')).toHaveLength(1);
    expect(joins).toBe(1);
  }, 90_000);

  it('commits what it processed on shutdown: a new member of the group does not see it again', async () => {
    await send('before-restart-1');
    await eventually('handled before the restart', () => {
      if (!handled.includes('before-restart-1')) throw new Error('not yet');
    });
    await h.messaging.stop();
    const outcomesBefore = outcomes.length;

    const next = await harness('inventory-service');
    consumerOn(next);
    await next.messaging.start();
    try {
      await send('after-restart-1');
      await eventually('handled after the restart', () => {
        if (!handled.includes('after-restart-1')) throw new Error('not yet');
      });
      // Only the new record was delivered again: no replay of committed offsets (not even as an inbox duplicate).
      expect(outcomes.slice(outcomesBefore)).toEqual(['ok']);
    } finally {
      await next.close();
    }
  }, 90_000);
});
