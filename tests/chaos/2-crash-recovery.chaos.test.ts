import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { SERVICE_NAMES } from '@orderflow/contracts';
import { componentPid, renderTable, status } from '@orderflow/infra';
import { chaosStackConfig, servicePools, usable } from './chaos-stack.js';
import { prepareScenario } from './prepare.js';
import { FaultInjector, faultSchedule } from './faults.js';
import {
  invariant,
  messagingInvariants,
  orderInvariants,
  report,
  waitForTerminal,
} from './invariants.js';
import { MixedOrders, placeAll, restock } from './load.js';
import { connectAdmin, CounterAcrossRestarts, stockBySku, watchFinalOrders } from './observe.js';
import { LONG, PROFILE, prng, SEED } from './profile.js';

/**
 * Scenario 2: the mixed load while every service is SIGKILLed at random moments throughout it
 * (some of them between a handler's commit and its offset commit, by the consumer's fault hook)
 * and the broker is SIGKILLed and restarted. The same invariants as without faults, plus: every order final
 * within 120 s of the last fault, every group caught up, and the inbox did skip redeliveries.
 */
const config = chaosStackConfig();
const pools = servicePools(config);
let admin: Admin;

beforeAll(async () => {
  await prepareScenario(config, pools);
  admin = await connectAdmin();
});

afterAll(async () => {
  await admin.disconnect();
  await pools.end();
});

const RECOVERY_BOUND_MS = 120_000;
const log = (line: string) => process.stdout.write(`  [fault] ${line}\n`);

describe('scenario 2: crashes under load', () => {
  it('keeps every invariant through service and broker SIGKILLs', async () => {
    const { orders, ratePerSecond, maxInFlight, killsPerService, armed } = PROFILE.crash;
    const run = `chaos-s2-${SEED}`;
    const schedule = faultSchedule(prng(SEED + 1), { killsPerService, armed });
    process.stdout.write(
      `\nscenario 2: at least ${orders} orders at ≤ ${ratePerSecond}/s, ${schedule.length} faults, seed ${SEED}${LONG ? ' (long)' : ''}\n`,
    );
    await restock(100_000);
    const initialStock = await stockBySku(pools);
    const duplicates = new CounterAcrossRestarts('orderflow_inbox_duplicates_total', (s) =>
      componentPid(config, s),
    );
    duplicates.start();

    const injector = new FaultInjector(config, prng(SEED + 2), log);
    let faultsDone = false;
    let faultError: unknown;
    const abort = new AbortController();
    const final = watchFinalOrders(pools, run);
    let placedSoFar = 0;
    const t0 = Date.now();
    const load = placeAll(new MixedOrders(run, prng(SEED)), {
      orders,
      // The after-commit kills need traffic: the load lasts as long as the fault schedule.
      keepGoing: () => !faultsDone,
      onPlaced: (done) => (placedSoFar = done),
      concurrency: 8,
      ratePerSecond,
      maxInFlight: { orders: maxInFlight, finalCount: final.count },
      signal: abort.signal,
    }).finally(final.stop);
    const faults = injector
      .run(schedule, {
        gapMs: LONG ? [2_000, 8_000] : [500, 2_000],
        lanes: LONG ? 2 : 3,
        brokerWithinMs: LONG ? 240_000 : 60_000,
        // And the faults last as long as the load: the recovery bound then measures recovery
        // from the last fault, not the placing of orders that no fault ever touched.
        continueWhile: () => placedSoFar < orders,
      })
      .catch((error: unknown) => {
        faultError = error;
        abort.abort(new Error(`the fault schedule failed: ${String(error)}`));
      })
      .finally(() => (faultsDone = true));
    const [{ placed, tally }] = await Promise.all([load, faults]);
    const placedMs = Date.now() - t0;

    const terminal = await waitForTerminal(
      pools,
      placed.map((o) => o.orderId),
      Math.max(0, injector.lastFaultAt + RECOVERY_BOUND_MS - Date.now()) + 60_000,
    );
    const recoveredMs = Date.now() - injector.lastFaultAt;
    const messaging = await messagingInvariants(pools, admin, 120_000);
    await duplicates.sample();
    duplicates.stop();
    const dedups = duplicates.totals();
    const notReady = (await status(config)).filter((r) => !usable(r));

    process.stdout.write(
      `\nfaults\n${renderTable(
        injector.events.map((e) => ({
          'at (s)': ((e.at - t0) / 1000).toFixed(1),
          fault: e.fault,
          target: e.target,
          'back in (s)': (e.downMs / 1000).toFixed(1),
        })),
      )}\n`,
    );
    const kills = injector.events.filter((e) => e.target !== 'kafka (broker)');
    const scheduledKills = schedule.filter((f) => f.kind === 'kill').length + armed;
    const rows = [
      invariant(
        'fault schedule carried out',
        'all',
        faultError instanceof Error
          ? faultError.message
          : faultError === undefined
            ? 'all'
            : 'failed',
      ),
      invariant(
        'service SIGKILLs (each service ≥ ' + killsPerService + ')',
        `≥ ${scheduledKills}`,
        kills.length,
        kills.length >= scheduledKills &&
          SERVICE_NAMES.every((s) => kills.filter((e) => e.target === s).length >= killsPerService),
      ),
      invariant(
        'of them between DB commit and offset commit',
        armed,
        kills.filter((e) => e.fault.includes('after commit')).length,
      ),
      invariant(
        'broker SIGKILL + restart',
        1,
        injector.events.filter((e) => e.target === 'kafka (broker)').length,
      ),
      ...(await orderInvariants(pools, {
        run,
        placed,
        planned: placed.length,
        tally,
        initialStock,
        strictOutcomes: false,
      })),
      invariant(
        `all orders final within ${RECOVERY_BOUND_MS / 1000} s of the last fault`,
        `≤ ${RECOVERY_BOUND_MS / 1000} s`,
        terminal.ok
          ? `${((recoveredMs - 0) / 1000).toFixed(1)} s`
          : `not after ${(recoveredMs / 1000).toFixed(1)} s`,
        terminal.ok && recoveredMs <= RECOVERY_BOUND_MS,
      ),
      ...messaging,
      invariant(
        'inbox duplicates skipped (orderflow_inbox_duplicates_total)',
        '> 0',
        [...dedups].map(([s, n]) => `${s}=${n}`).join(' '),
        [...dedups.values()].some((n) => n > 0),
      ),
      invariant(
        'every component ready at the end (no crash loop)',
        'all',
        notReady.map((r) => `${r.component}=${r.state}`).join(' ') || 'all',
      ),
      invariant(
        'time: load (with faults) / until all final',
        '-',
        `${(placedMs / 1000).toFixed(1)} s / ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        true,
      ),
    ];
    expect(report(`chaos scenario 2 - crashes under load (${placed.length} orders)`, rows)).toEqual(
      [],
    );
  });
});
