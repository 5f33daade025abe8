import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Producer } from 'kafkajs';
import { dlqTopic } from '@orderflow/contracts';
import { componentPid, status } from '@orderflow/infra';
import { AvroSerde, createKafka, PRODUCER_CONFIG, silentLogger } from '@orderflow/messaging';
import { readDlq } from '@orderflow/messaging/dlq';
import { testEnvironment } from '@orderflow/testkit';
import { chaosStackConfig, servicePools } from './chaos-stack.js';
import { prepareScenario } from './prepare.js';
import {
  invariant,
  messagingInvariants,
  orderInvariants,
  report,
  waitForTerminal,
} from './invariants.js';
import { MixedOrders, placeAll, restock } from './load.js';
import { connectAdmin, dlqDepths, scrapeCounter, stockBySku, watchFinalOrders } from './observe.js';
import {
  ALWAYS_FAILS_TRIGGER,
  POISON_KINDS,
  POISON_TOPIC,
  PoisonProducer,
  type PoisonKind,
  type SentPoison,
} from './poison.js';
import { LONG, PROFILE, prng, SEED } from './profile.js';

/**
 * Scenario 3: poison records produced straight into inventory-service's real command topic while
 * real orders flow through it. Every bad record ends in inventory's DLQ with its origin and the
 * reason of its kind; every order (the good records) ends as its kind says; the service never
 * restarts (no crash loop), and no other DLQ gets anything.
 */
const config = chaosStackConfig();
const pools = servicePools(config);
const env = testEnvironment();
const kafka = createKafka({
  brokers: env.kafkaBrokers.split(','),
  clientId: 'chaos-poison',
  logger: silentLogger,
});
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  await prepareScenario(config, pools);
  admin = await connectAdmin();
  producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  // Stays for the rest of the run (as an unfixed bug would): scenario 4 replays these records.
  await pools['inventory-service'].query(ALWAYS_FAILS_TRIGGER);
});

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  await pools.end();
});

const DLQ = dlqTopic(POISON_TOPIC, 'inventory-service');

describe('scenario 3: poison among good records', () => {
  it('dead-letters every bad record with its origin and reason and processes every good one', async () => {
    const { orders, poison: poisonCount, poisonPerSecond } = PROFILE.poison;
    const run = `chaos-s3-${SEED}`;
    process.stdout.write(
      `\nscenario 3: ${poisonCount} poison records among the commands of ≥ ${orders} orders, seed ${SEED}${LONG ? ' (long)' : ''}\n`,
    );
    await restock(100_000);
    const initialStock = await stockBySku(pools);
    const dlqBefore = await dlqDepths(admin);
    const pid = componentPid(config, 'inventory-service');
    const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl });
    const poisoner = new PoisonProducer(producer, serde);
    const random = prng(SEED + 3);

    const sent: SentPoison[] = [];
    let poisonDone = false;
    const poisoning = (async () => {
      try {
        for (const kind of poisoner.plan(random, poisonCount)) {
          // Spread among the orders' commands at random moments, all partitions.
          await sleep(random() * (2_000 / poisonPerSecond));
          sent.push(await poisoner.send(kind));
        }
      } finally {
        poisonDone = true;
      }
    })();
    const final = watchFinalOrders(pools, run);
    const { placed, tally } = await placeAll(new MixedOrders(run, prng(SEED)), {
      orders,
      keepGoing: () => !poisonDone,
      concurrency: 8,
      maxInFlight: { orders: 12, finalCount: final.count },
    }).finally(final.stop);
    await poisoning;

    await waitForTerminal(
      pools,
      placed.map((o) => o.orderId),
      LONG ? 600_000 : 180_000,
    );
    const messaging = await messagingInvariants(pools, admin, 120_000, true);
    // The always-throwing kind goes through both retry tiers (1 s, 10 s) before the DLQ.
    const dead = await (async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const records = await readDlq(kafka, DLQ);
        const keys = new Set(records.map((r) => r.key));
        if (sent.every((p) => keys.has(p.key)) || Date.now() > deadline) return records;
        await sleep(1_000);
      }
    })();
    const dlqAfter = await dlqDepths(admin);

    const byKey = new Map(dead.map((r) => [r.key, r]));
    const poisonKeys = new Set(sent.map((p) => p.key));
    const kinds = Object.keys(POISON_KINDS) as PoisonKind[];
    const rows = [
      invariant('poison records sent', poisonCount, sent.length),
      ...kinds.map((kind) => {
        const ofKind = sent.filter((p) => p.kind === kind);
        const reason = POISON_KINDS[kind];
        const ok = ofKind.filter((p) => {
          const r = byKey.get(p.key);
          return (
            r !== undefined &&
            r.errorCode === reason &&
            r.originTopic === POISON_TOPIC &&
            r.originPartition === String(p.partition) &&
            r.originOffset === p.offset &&
            r.group === 'inventory-service' &&
            Buffer.compare(r.message.value ?? Buffer.alloc(0), p.value) === 0
          );
        });
        return invariant(
          `${kind}: in the DLQ as ${reason}, origin + bytes kept`,
          ofKind.length,
          ok.length,
        );
      }),
      invariant(
        'handler always throws: attempts before the DLQ (3 in process × 3 tiers)',
        9,
        [
          ...new Set(
            sent
              .filter((p) => p.kind === 'handler always throws')
              .map((p) => byKey.get(p.key)?.attempts ?? 0),
          ),
        ].join(','),
      ),
      invariant(
        'records in inventory DLQ that are not poison',
        0,
        dead.filter((r) => !poisonKeys.has(r.key)).length,
      ),
      invariant(
        'records added to the other DLQs',
        0,
        [...dlqAfter]
          .filter(([t]) => t !== DLQ)
          .reduce((sum, [t, n]) => sum + n - (dlqBefore.get(t) ?? 0), 0),
      ),
      invariant(
        'inventory orderflow_messages_dead_lettered_total',
        '-',
        String(
          await scrapeCounter('inventory-service', 'orderflow_messages_dead_lettered_total').catch(
            () => NaN,
          ),
        ),
        true,
      ),
      invariant(
        'inventory-service: same process, ready (no crash loop)',
        'same pid, ready',
        componentPid(config, 'inventory-service') === pid &&
          (await status(config)).find((r) => r.component === 'inventory-service')?.state === 'ready'
          ? 'same pid, ready'
          : 'restarted or not ready',
      ),
      ...(await orderInvariants(pools, {
        run,
        placed,
        planned: placed.length,
        tally,
        initialStock,
        strictOutcomes: true,
      })),
      ...messaging,
    ];
    expect(
      report(
        `chaos scenario 3 - poison records (${sent.length} among ${placed.length} orders)`,
        rows,
      ),
    ).toEqual([]);
  });
});
