import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import {
  componentPid,
  crash,
  down,
  renderTable,
  serviceInstance,
  startComponent,
  status,
  type InstanceComponent,
} from '@orderflow/infra';
import {
  getJson,
  openOrderStream,
  orderRequest,
  placeOrder,
  type OrderView,
} from '../e2e/platform.js';
import { chaosStackConfig, servicePools, usable } from './chaos-stack.js';
import { prepareScenario } from './prepare.js';
import {
  invariant,
  messagingInvariants,
  orderInvariants,
  report,
  settle,
  waitForTerminal,
} from './invariants.js';
import { MixedOrders, placeAll, restock } from './load.js';
import { connectAdmin, stockBySku, watchFinalOrders } from './observe.js';
import { LONG, PROFILE, prng, SEED } from './profile.js';
import { killAndWatch, relayLockHolder, stableGroup, type Takeover } from './takeover.js';

/**
 * Scenario 6: two instances of every service (the second on its port + 100, same database, same
 * consumer group). An order placed on one order-service instance is read and streamed (SSE) on
 * the other. Then, under load spread over both order-service instances, the instance of each
 * service that holds its outbox relay's lock is SIGKILLed in turn: the survivor takes the lock
 * and the dead member's partitions, the dead one is restarted as a standby, and every order ends
 * final with the invariants of scenario 2 (nobody charged twice, stock conserved, one shipment).
 */
const config = chaosStackConfig();
const pools = servicePools(config);
const SECONDS = SERVICE_NAMES.map((s) => serviceInstance(s, 2).component);
// Generous: a service boots in seconds on an idle machine, in a minute on a busy one.
const READY_TIMEOUT_MS = 180_000;
// A SIGKILLed member stays in its group for the session timeout (10 s) before the rebalance.
const TAKEOVER_WATCH_MS = 60_000;
const RELAY_BOUND_MS = 10_000;
let admin: Admin;

beforeAll(async () => {
  await prepareScenario(config, pools);
  admin = await connectAdmin();
  for (const component of SECONDS) {
    await startComponent(config, component, { timeoutMs: READY_TIMEOUT_MS });
  }
});

afterAll(async () => {
  // The other scenarios run one instance each; a killed instance 1 was restarted already.
  await down(config, SECONDS);
  await admin.disconnect();
  await pools.end();
});

const log = (line: string) => process.stdout.write(`  [fault] ${line}\n`);
const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));

describe('scenario 6: two instances of every service', () => {
  it('serves an order placed on instance 1 from instance 2: GET, the SSE stream, a retried POST', async () => {
    const key = `chaos-s6-sse-${SEED}`;
    const body = orderRequest({ customerId: `chaos-s6-sse-${SEED}` });
    const placed = await placeOrder(body, { 'idempotency-key': key }, 1);
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    // The stream on the other instance from the start: every event, in order, until final.
    const stream = await openOrderStream(orderId, undefined, 2);
    const frames = await stream.waitForEnd(60_000).finally(() => stream.close());
    expect(frames.map((f) => Number(f.id))).toEqual(frames.map((_, i) => i + 1));
    const last = frames.at(-1);
    expect(['COMPLETED', 'CANCELLED']).toContain(last?.data.status);
    const view = await getJson<OrderView>('order-service', `/orders/${orderId}`, 2);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe(last?.data.status);
    // The same request retried on instance 2: the stored answer, not a second order.
    const retried = await placeOrder(body, { 'idempotency-key': key }, 2);
    expect([200, 202]).toContain(retried.status);
    expect(retried.body.orderId).toBe(orderId);
  });

  it('fails over when the relay-holding instance of each service is SIGKILLed in turn', async () => {
    const { orders, ratePerSecond, maxInFlight, rounds } = PROFILE.instances;
    const run = `chaos-s6-${SEED}`;
    process.stdout.write(
      `\nscenario 6: 2 instances per service, at least ${orders} orders at ≤ ${ratePerSecond}/s over both order-service instances, ${rounds * SERVICE_NAMES.length} kills, seed ${SEED}${LONG ? ' (long)' : ''}\n`,
    );
    await restock(100_000);
    const initialStock = await stockBySku(pools);

    let killsDone = false;
    const abort = new AbortController();
    const final = watchFinalOrders(pools, run);
    const t0 = Date.now();
    const load = placeAll(new MixedOrders(run, prng(SEED)), {
      orders,
      keepGoing: () => !killsDone,
      concurrency: 8,
      ratePerSecond,
      maxInFlight: { orders: maxInFlight, finalCount: final.count },
      orderServiceInstances: 2,
      signal: abort.signal,
    }).finally(final.stop);

    const takeovers: Takeover[] = [];
    const kills = (async () => {
      const restarting = new Map<ServiceName, Promise<Error | undefined>>();
      for (let round = 0; round < rounds; round += 1) {
        for (const service of SERVICE_NAMES) {
          const failed = await restarting.get(service);
          if (failed) throw failed;
          const { takeover, target } = await killRelayHolder(service);
          takeovers.push(takeover);
          // The dead one comes back as a standby while the next service's kill is watched.
          restarting.set(
            service,
            startComponent(config, target, { timeoutMs: READY_TIMEOUT_MS }).then(
              () => undefined,
              (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
            ),
          );
        }
      }
      for (const failed of await Promise.all(restarting.values())) if (failed) throw failed;
    })()
      .catch((error: unknown) => {
        abort.abort(new Error(`the kills failed: ${String(error)}`));
        throw error;
      })
      .finally(() => (killsDone = true));
    const [{ placed, tally }] = await Promise.all([load, kills]);
    const placedMs = Date.now() - t0;

    const terminal = await waitForTerminal(
      pools,
      placed.map((o) => o.orderId),
      LONG ? 600_000 : 120_000,
    );
    // In the suite this runs after scenario 3, whose poison records stay in inventory's DLQ.
    const messaging = await messagingInvariants(pools, admin, 120_000, true);
    const notReady = (await status(config)).filter((r) => !usable(r));
    // status lists a second instance only while it runs (the chaos stack is configured for one).
    const gone = SECONDS.filter((c) => componentPid(config, c) === undefined);

    process.stdout.write(
      `\ntakeovers (seconds from the SIGKILL)\n${renderTable(
        takeovers.map((t) => ({
          service: t.service,
          killed: t.killed,
          survivor: t.survivor,
          'process gone': seconds(t.exitedMs),
          'relay lock released': seconds(t.lockReleasedMs),
          'relay lock taken': seconds(t.lockTakenMs),
          'group rebalanced': seconds(t.rebalancedMs),
          'orphaned partitions': String(t.orphaned),
          'first orphaned record handled': seconds(t.firstRecordMs),
        })),
      )}\n`,
    );
    const worst = (pick: (t: Takeover) => number | undefined) =>
      takeovers.some((t) => pick(t) === undefined)
        ? 'not every one'
        : `${seconds(Math.max(...takeovers.map((t) => pick(t) ?? 0)))} s`;
    const rows = [
      invariant(
        'relay-holding instance SIGKILLed, per service',
        rounds,
        SERVICE_NAMES.map((s) => `${s}=${takeovers.filter((t) => t.service === s).length}`).join(
          ' ',
        ),
        SERVICE_NAMES.every((s) => takeovers.filter((t) => t.service === s).length === rounds),
      ),
      invariant(
        `relay lock taken by the survivor (≤ ${RELAY_BOUND_MS / 1000} s)`,
        'every kill',
        `worst ${worst((t) => t.lockTakenMs)}`,
        takeovers.every((t) => t.lockTakenMs !== undefined && t.lockTakenMs <= RELAY_BOUND_MS),
      ),
      invariant(
        'orphaned partitions handled by the survivor',
        'every kill',
        `worst ${worst((t) => t.firstRecordMs)}`,
        takeovers.every((t) => t.orphaned > 0 && t.firstRecordMs !== undefined),
      ),
      invariant(
        'POSTs that met a dead instance (retried on the other)',
        '-',
        tally.get('network') ?? 0,
        true,
      ),
      ...(await orderInvariants(pools, {
        run,
        placed,
        planned: placed.length,
        tally,
        initialStock,
        strictOutcomes: false,
      })),
      invariant('all orders final', placed.length, terminal.value, terminal.ok),
      ...messaging,
      invariant(
        'every instance ready at the end (the killed ones restarted)',
        'all',
        [
          ...notReady.map((r) => `${r.component}=${r.state}`),
          ...gone.map((c) => `${c}=stopped`),
        ].join(' ') || 'all',
      ),
      invariant(
        'time: load (with kills) / until all final',
        '-',
        `${(placedMs / 1000).toFixed(1)} s / ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        true,
      ),
    ];
    expect(
      report(`chaos scenario 6 - two instances per service (${placed.length} orders)`, rows),
    ).toEqual([]);
  });
});

/**
 * Kills the instance of `service` whose relay holds the lock (so the relay must fail over as
 * well as the consumer) and watches the survivor take over.
 */
async function killRelayHolder(
  service: ServiceName,
): Promise<{ takeover: Takeover; target: InstanceComponent }> {
  const pool = pools[service];
  const before = await stableGroup(admin, service, 2, TAKEOVER_WATCH_MS);
  const held = await settle(
    () => relayLockHolder(pool),
    (h) => h !== undefined,
    10_000,
    100,
  );
  const killed = held.value;
  const pair = [service, serviceInstance(service, 2).component] as const;
  if (!held.ok || killed === undefined || !(pair as readonly string[]).includes(killed)) {
    throw new Error(`${service}: the relay lock is held by '${String(killed)}', not an instance`);
  }
  const target = killed === pair[0] ? pair[0] : pair[1];
  const survivor = killed === pair[0] ? pair[1] : pair[0];
  const takeover = await killAndWatch({
    admin,
    pool,
    service,
    killed,
    survivor,
    before,
    kill: async () => {
      if (!(await crash(config, target))) throw new Error(`${target} was not running`);
    },
    timeoutMs: TAKEOVER_WATCH_MS,
  });
  log(
    `SIGKILL ${target}: relay lock to ${survivor} in ${seconds(takeover.lockTakenMs)} s, group rebalanced in ${seconds(takeover.rebalancedMs)} s, first of ${takeover.orphaned} orphaned partitions handled in ${seconds(takeover.firstRecordMs)} s`,
  );
  return { takeover, target };
}
