import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { componentPid, down, startComponent } from '@orderflow/infra';
import { chaosStackConfig, servicePools, type ServicePools } from './chaos-stack.js';
import { prepareScenario } from './prepare.js';
import { invariant, messagingInvariants, report, settle } from './invariants.js';
import { connectAdmin, consumerLag, CounterAcrossRestarts, groupTopics } from './observe.js';
import { LONG } from './profile.js';

/**
 * Scenario 4: every consumer group rewound to the earliest offset (services stopped, offsets
 * reset with the admin API, services started) replays every record the platform ever carried;
 * the inboxes skip them all, so no business table changes, no message is sent, no row is added.
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

/** Each service's business tables (the messaging tables are checked by their row counts). */
const BUSINESS_TABLES: Readonly<Record<ServiceName, readonly string[]>> = {
  'order-service': ['events', 'snapshots', 'orders_view', 'idempotency_keys'],
  'inventory-service': ['catalogue', 'reservations'],
  'payment-service': ['payments', 'refunds'],
  'shipping-service': ['shipments'],
  'order-saga': ['order_saga'],
};

interface TableState {
  readonly rows: number;
  readonly md5: string;
}

/** Row count and a checksum of every row's text form, in a stable order, per table. */
async function snapshot(p: ServicePools): Promise<Map<string, TableState>> {
  const out = new Map<string, TableState>();
  for (const service of SERVICE_NAMES) {
    for (const table of [...BUSINESS_TABLES[service], 'inbox', 'outbox']) {
      // Table names come from the constant above, never from input.
      const { rows } = await p[service].query<{ n: number; md5: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM ${table} t`,
      );
      out.set(`${service}.${table}`, { rows: rows[0]?.n ?? 0, md5: rows[0]?.md5 ?? '' });
    }
  }
  return out;
}

/** Rewinds a stopped group; retried while the broker still counts a departed member. */
async function rewind(group: ServiceName): Promise<void> {
  const topics = groupTopics(group);
  const reset = await settle(
    async () => {
      for (const topic of topics)
        await admin.resetOffsets({ groupId: group, topic, earliest: true });
      return true;
    },
    (done) => done,
    60_000,
    1_000,
  );
  if (!reset.ok) throw new Error(`could not rewind ${group}`);
}

describe('scenario 4: consumer groups rewound to the earliest offset', () => {
  it('replays everything and changes no state', async () => {
    // Scenario 3 (which runs before) leaves its poison in the DLQs on purpose.
    const quiet = await messagingInvariants(pools, admin, 120_000, true);
    const before = await snapshot(pools);
    const lagBefore = await consumerLag(admin);

    const t0 = Date.now();
    // All at once (graceful stops: each leaves its group and commits what it processed).
    await Promise.all(SERVICE_NAMES.map((service) => down(config, [service])));
    const stoppedAt = Date.now();
    // kafkajs joins the group once per topic to rewind it: groups in parallel, topics in turn.
    await Promise.all(SERVICE_NAMES.map((group) => rewind(group)));
    const rewound = await consumerLag(admin);
    const rewoundAt = Date.now();
    await Promise.all(
      SERVICE_NAMES.map((service) => startComponent(config, service, { timeoutMs: 180_000 })),
    );
    const startedAt = Date.now();
    const duplicates = new CounterAcrossRestarts('orderflow_inbox_duplicates_total', (s) =>
      componentPid(config, s),
    );
    duplicates.start();
    const caughtUp = await settle(
      () => consumerLag(admin),
      (lag) => [...lag.values()].every((n) => n === 0),
      LONG ? 1_800_000 : 300_000,
      1_000,
    );
    await duplicates.sample();
    duplicates.stop();
    const replayMs = Date.now() - t0;
    const after = await snapshot(pools);

    const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const rows = [
      ...quiet,
      invariant(
        'records replayed (lag right after the rewind)',
        '> 0',
        sum(rewound),
        sum(rewound) > 0 && sum(lagBefore) === 0,
      ),
      invariant('consumer lag back to 0 after the replay', 0, sum(caughtUp.value), caughtUp.ok),
      invariant(
        'replayed deliveries skipped by the inboxes',
        '> 0',
        sum(duplicates.totals()),
        sum(duplicates.totals()) > 0,
      ),
      ...[...before].map(([table, was]) => {
        const now = after.get(table);
        return invariant(
          `${table}: rows, checksum unchanged`,
          `${was.rows} ${was.md5.slice(0, 8)}`,
          `${now?.rows} ${now?.md5.slice(0, 8)}`,
        );
      }),
      invariant(
        'time: stop / rewind / start / replay',
        '-',
        [stoppedAt - t0, rewoundAt - stoppedAt, startedAt - rewoundAt, t0 + replayMs - startedAt]
          .map((ms) => `${(ms / 1000).toFixed(1)} s`)
          .join(' / '),
        true,
      ),
    ];
    expect(report('chaos scenario 4 - consumer groups rewound', rows)).toEqual([]);
  });
});
