import { CRITICAL_PATH_HOPS, HOP_TRANSACTIONS_PER_ORDER } from '../platform/flow.js';
import type { PlatformStep, RunRecord } from '../results.js';
import { ms, num, ratio, renderTable } from './table.js';

/**
 * The run's tables: the project next to each baseline (with ratios), the ladder in detail, CPU
 * and memory per process, and the targets of issue 5. Pure: a RunRecord in, text out.
 */

/** The step that completed the most orders per second. */
export function busiestStep(record: RunRecord): PlatformStep | undefined {
  return [...record.platform].sort((a, b) => b.completedPerSecond - a.completedPerSecond)[0];
}

const pair = (a: string, b: string) => `${a} / ${b}`;

export function comparisonTable(record: RunRecord): string {
  const rows: string[][] = [];
  const hops = record.hops;
  for (const step of record.platform) {
    const chain = record.chain.find((c) => c.rate === step.rate);
    const p = step.latencyMs;
    const c = chain?.latencyMs;
    rows.push([
      `${step.rate}/s: placed → final p50 / p99, ms`,
      pair(ms(p?.p50), ms(p?.p99)),
      `raw kafkajs chain, ${hops} hops, no DB: p50 / p99`,
      chain ? pair(ms(c?.p50), ms(c?.p99)) : 'skipped',
      chain ? pair(ratio(p?.p50, c?.p50), ratio(p?.p99, c?.p99)) : '–',
    ]);
    rows.push([
      `${step.rate}/s: completed orders/s`,
      num(step.completedPerSecond),
      'raw kafkajs chain: delivered/s',
      chain ? num(chain.deliveredPerSecond) : 'skipped',
      ratio(step.completedPerSecond, chain?.deliveredPerSecond),
    ]);
  }
  const busiest = busiestStep(record);
  const perf = record.kafkaPerf;
  const recordsPerSecond = busiest
    ? busiest.completedPerSecond * busiest.recordsPerOrder
    : undefined;
  const label = busiest ? `@${busiest.rate}/s` : '';
  rows.push([
    `Kafka records/s written ${label} (${num(busiest?.recordsPerOrder)} per order)`,
    num(recordsPerSecond),
    'kafka-producer-perf-test max, 300 B, acks=all',
    perf ? num(perf.producerMax.recordsPerSecond) : 'skipped',
    ratio(recordsPerSecond, perf?.producerMax.recordsPerSecond),
  ]);
  rows.push([
    `Kafka records/s read ${label}`,
    num(recordsPerSecond),
    'kafka-consumer-perf-test (fetch msgs/s)',
    perf ? num(perf.consumer.fetchMessagesPerSecond) : 'skipped',
    ratio(recordsPerSecond, perf?.consumer.fetchMessagesPerSecond),
  ]);
  const perHop = (v: number | undefined) => (v === undefined ? undefined : v / hops);
  const atRate = perf?.producerAtPlatformRate;
  rows.push([
    `per hop ${label}: placed → final ÷ ${hops}, p50 / p99, ms`,
    pair(ms(perHop(busiest?.latencyMs?.p50)), ms(perHop(busiest?.latencyMs?.p99))),
    `acks=all produce latency at ${num(atRate ? atRate.recordsPerSecond : undefined)} records/s`,
    atRate ? pair(ms(atRate.p50Ms), ms(atRate.p99Ms)) : 'skipped',
    atRate
      ? pair(
          ratio(perHop(busiest?.latencyMs?.p50), atRate.p50Ms),
          ratio(perHop(busiest?.latencyMs?.p99), atRate.p99Ms),
        )
      : '–',
  ]);
  const pgb = record.pgbench;
  const hopTx = busiest ? busiest.completedPerSecond * HOP_TRANSACTIONS_PER_ORDER : undefined;
  rows.push([
    `hop transactions/s ${label} (${HOP_TRANSACTIONS_PER_ORDER} per order)`,
    num(hopTx),
    `pgbench hop transaction, ${pgb?.concurrent.clients ?? '–'} clients (tps)`,
    pgb ? num(pgb.concurrent.tps) : 'skipped',
    ratio(hopTx, pgb?.concurrent.tps),
  ]);
  const lowest = record.platform[0];
  const floor = pgb ? pgb.single.latencyAvgMs * CRITICAL_PATH_HOPS : undefined;
  rows.push([
    `${lowest ? `${lowest.rate}/s` : '–'}: placed → final p50, ms`,
    ms(lowest?.latencyMs?.p50),
    `${CRITICAL_PATH_HOPS} × pgbench hop transaction, 1 client`,
    pgb ? ms(floor) : 'skipped',
    ratio(lowest?.latencyMs?.p50, floor),
  ]);
  return renderTable(
    ['figure', 'project', 'baseline', 'baseline figure', 'project ÷ baseline'],
    rows,
    ['left', 'right', 'left', 'right', 'right'],
  );
}

/** Cores the platform's processes (services, JVMs, Postgres) used on average over the step. */
export function platformCores(step: PlatformStep): number {
  return step.resources
    .filter((r) => r.kind === 'service' || r.kind === 'jvm' || r.kind === 'postgres')
    .reduce((sum, r) => sum + r.cores, 0);
}

function errors(step: PlatformStep): string {
  const http = Object.values(step.httpErrors).reduce((s, n) => s + n, 0);
  const other = Object.values(step.otherStatus).reduce((s, n) => s + n, 0);
  const reasons = Object.entries(step.cancelReasons)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `${http} / ${step.cancelled} / ${other}${reasons ? ` (${reasons})` : ''}`;
}

function lag(step: PlatformStep): string {
  const max = Math.max(0, ...Object.values(step.lag.maxByGroup));
  return `${step.lag.growing ? 'GROWING' : 'steady'} (max ${max}, ${num(step.lag.slopePerSecond)}/s)`;
}

export function ladderTable(record: RunRecord): string {
  const rows = record.platform.map((s) => [
    `${s.rate}/s × ${s.durationSeconds}s`,
    `${s.accepted}/${s.sent}`,
    errors(s),
    num(s.completedPerSecond),
    ms(s.latencyMs?.p50),
    ms(s.latencyMs?.p95),
    ms(s.latencyMs?.p99),
    ms(s.latencyMs?.max),
    ms(s.acceptMs?.p99),
    lag(s),
    num(s.recordsPerOrder),
    num(s.commitsPerOrder),
    num(platformCores(s)),
    num(s.resources.find((r) => r.kind === 'other')?.cores),
  ]);
  return renderTable(
    [
      'offered',
      'accepted',
      'errors http/cancel/other',
      'completed/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'POST p99 ms',
      'consumer lag',
      'records/order',
      'commits/order',
      'platform cores',
      'other cores',
    ],
    rows,
  );
}

/** CPU (average cores) and peak resident MB per process, one column per rate. */
export function resourceTable(record: RunRecord): string {
  // CPU per order where the platform completed the most: its steady state at its best.
  const busiest = busiestStep(record);
  const names = [...new Set(record.platform.flatMap((s) => s.resources.map((r) => r.name)))];
  const rows = names.map((name) => [
    name,
    ...record.platform.map((s) => {
      const r = s.resources.find((x) => x.name === name);
      if (!r) return '–';
      return r.kind === 'other' || r.kind === 'database'
        ? `${r.cores.toFixed(2)} / –`
        : `${r.cores.toFixed(2)} / ${Math.round(r.peakRssMb)}`;
    }),
    cpuPerOrder(busiest, name),
  ]);
  return renderTable(
    [
      'process',
      ...record.platform.map((s) => `@${s.rate}/s cores / peak MB`),
      `CPU ms per order @${busiest?.rate ?? '–'}/s`,
    ],
    rows,
  );
}

/** CPU a process spent per accepted order (cancelled ones cost work too: compensations). */
function cpuPerOrder(step: PlatformStep | undefined, name: string): string {
  const r = step?.resources.find((x) => x.name === name);
  if (!step || !r || r.kind === 'other' || step.accepted === 0) return '–';
  return ms((r.cpuSeconds * 1000) / step.accepted);
}

/** Records each service handled per step and its mean time per record (decode + transaction). */
export function handlerTable(record: RunRecord): string {
  const names = [...new Set(record.platform.flatMap((s) => Object.keys(s.handlers)))];
  const rows = names.map((name) => [
    name,
    ...record.platform.map((s) => {
      const h = s.handlers[name];
      return h ? `${h.records} / ${ms(h.meanMs)}` : '–';
    }),
  ]);
  return renderTable(
    ['service', ...record.platform.map((s) => `@${s.rate}/s records / ms per record`)],
    rows,
  );
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export const SERVICE_RSS_TARGET_MB = 150;

export function targetChecks(record: RunRecord): TargetCheck[] {
  const busiest = busiestStep(record);
  const at30 = record.platform.find((s) => s.rate === 30);
  const rss = new Map<string, number>();
  for (const s of record.platform)
    for (const r of s.resources.filter((x) => x.kind === 'service'))
      rss.set(r.name, Math.max(rss.get(r.name) ?? 0, r.peakRssMb));
  const worst = [...rss].sort((a, b) => b[1] - a[1])[0];
  return [
    {
      target: '≥ 100 completed orders/s',
      measured: busiest ? `${num(busiest.completedPerSecond)}/s (offered ${busiest.rate}/s)` : '–',
      met: busiest ? busiest.completedPerSecond >= 100 : undefined,
    },
    {
      target: 'at 30 orders/s: p50 ≤ 50 ms',
      measured: at30 ? `${ms(at30.latencyMs?.p50)} ms` : 'no 30/s step',
      met: at30?.latencyMs ? at30.latencyMs.p50 <= 50 : undefined,
    },
    {
      target: 'at 30 orders/s: p99 ≤ 200 ms',
      measured: at30 ? `${ms(at30.latencyMs?.p99)} ms` : 'no 30/s step',
      met: at30?.latencyMs ? at30.latencyMs.p99 <= 200 : undefined,
    },
    {
      target: `≤ ${SERVICE_RSS_TARGET_MB} MB RSS per service`,
      measured: worst ? `highest: ${worst[0]} ${Math.round(worst[1])} MB` : '–',
      met: worst ? worst[1] <= SERVICE_RSS_TARGET_MB : undefined,
    },
  ];
}

export function targetsTable(record: RunRecord): string {
  return renderTable(
    ['target (issue 5)', 'measured', 'met'],
    targetChecks(record).map((t) => [
      t.target,
      t.measured,
      t.met === undefined ? 'n/a' : t.met ? 'yes' : 'NO',
    ]),
    ['left', 'left', 'left'],
  );
}
