import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
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
import { connectAdmin, stockBySku, watchFinalOrders } from './observe.js';
import { LONG, PROFILE, prng, SEED } from './profile.js';

/**
 * Scenario 1: a mixed load with no faults. Every order ends as its kind says (approved →
 * COMPLETED, declined → PAYMENT_DECLINED, sold out → OUT_OF_STOCK), nobody is charged twice,
 * stock is conserved per SKU, every outbox is drained, every group caught up, the DLQs empty.
 */
const pools = servicePools(chaosStackConfig());
let admin: Admin;

beforeAll(async () => {
  await prepareScenario(chaosStackConfig(), pools);
  admin = await connectAdmin();
});

afterAll(async () => {
  await admin.disconnect();
  await pools.end();
});

describe('scenario 1: mixed load', () => {
  it('ends every order as its kind says, and every invariant holds', async () => {
    const { orders, concurrency, maxInFlight } = PROFILE.mixedLoad;
    const run = `chaos-s1-${SEED}`;
    process.stdout.write(
      `\nscenario 1: ${orders} orders, at most ${maxInFlight} in flight, seed ${SEED}${LONG ? ' (long)' : ''}\n`,
    );
    await restock(100_000);
    const initialStock = await stockBySku(pools);

    const t0 = Date.now();
    const final = watchFinalOrders(pools, run);
    const { placed, tally } = await placeAll(new MixedOrders(run, prng(SEED)), {
      orders,
      concurrency,
      maxInFlight: { orders: maxInFlight, finalCount: final.count },
    }).finally(final.stop);
    const placedMs = Date.now() - t0;
    const terminal = await waitForTerminal(
      pools,
      placed.map((o) => o.orderId),
      LONG ? 600_000 : 180_000,
    );

    const rows = [
      ...(await orderInvariants(pools, {
        run,
        placed,
        planned: orders,
        tally,
        initialStock,
        strictOutcomes: true,
      })),
      ...(await messagingInvariants(pools, admin, 60_000)),
      invariant(
        'time: placing / until all terminal',
        '-',
        `${(placedMs / 1000).toFixed(1)} s / ${((placedMs + terminal.ms) / 1000).toFixed(1)} s`,
        true,
      ),
    ];
    expect(report(`chaos scenario 1 - mixed load (${orders} orders)`, rows)).toEqual([]);
  });
});
