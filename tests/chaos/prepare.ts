import type { Admin } from 'kafkajs';
import type { StackConfig } from '@orderflow/infra';
import { heal, type ServicePools } from './chaos-stack.js';
import { settle } from './invariants.js';
import { connectAdmin, consumerLag } from './observe.js';
import { LONG } from './profile.js';

/** What a scenario finds still moving when it starts: should be nothing. */
interface Leftovers {
  readonly orders: number;
  readonly sagas: number;
  readonly lag: number;
}

async function leftovers(pools: ServicePools, admin: Admin): Promise<Leftovers> {
  const [orders, sagas, lag] = await Promise.all([
    pools['order-service'].query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders_view
        WHERE status NOT IN ('COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION')`,
    ),
    pools['order-saga'].query<{ n: number }>(
      `SELECT count(*)::int AS n FROM order_saga WHERE status IN ('RUNNING', 'COMPENSATING')`,
    ),
    consumerLag(admin),
  ]);
  return {
    orders: orders.rows[0]?.n ?? 0,
    sagas: sagas.rows[0]?.n ?? 0,
    lag: [...lag.values()].reduce((a, b) => a + b, 0),
  };
}

/**
 * Before a scenario takes its baseline: whatever an earlier scenario left down is started again
 * and whatever it left in flight is let finish. A scenario that failed half-way (its load
 * aborted) otherwise leaves orders that complete during the next one and move its stock deltas
 * (found by the long run: scenario 3 saw committed units it had not sold).
 */
export async function prepareScenario(config: StackConfig, pools: ServicePools): Promise<void> {
  await heal(config);
  const quiet = (l: Leftovers) => l.orders === 0 && l.sagas === 0 && l.lag === 0;
  // One admin connection for every probe, not one per probe.
  const admin = await connectAdmin();
  try {
    const first = await leftovers(pools, admin);
    if (quiet(first)) return;
    process.stderr.write(
      `[chaos] waiting for an earlier scenario's leftovers: ${first.orders} orders and ${first.sagas} sagas in flight, lag ${first.lag}\n`,
    );
    const settled = await settle(
      () => leftovers(pools, admin),
      quiet,
      LONG ? 900_000 : 300_000,
      1_000,
    );
    if (!settled.ok) {
      const { orders, sagas, lag } = settled.value;
      throw new Error(
        `an earlier scenario left ${orders} orders and ${sagas} sagas in flight (lag ${lag}) that did not finish in ${Math.round(settled.ms / 1000)} s`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}
