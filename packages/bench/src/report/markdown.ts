import type { RunRecord } from '../results.js';
import {
  comparisonTable,
  handlerTable,
  ladderTable,
  resourceTable,
  targetsTable,
} from './figures.js';

/** The markdown report written beside the JSON: the printed tables plus how they were made. */

/**
 * Whether the figures shared the machine: a load average above the core count before the run,
 * or other processes using more than a quarter of the cores during a platform step (the load
 * average after the run counts the benchmark's own baselines, so it is only shown).
 */
export function busyNote(record: RunRecord): string {
  const { cpus } = record.machine;
  const [before] = record.machine.loadAverageBefore;
  const [after] = record.machine.loadAverageAfter;
  const others = Math.max(
    0,
    ...record.platform
      .flatMap((s) => s.resources.filter((r) => r.kind === 'other'))
      .map((r) => r.cores),
  );
  const facts = `other processes used up to ${others.toFixed(2)} cores during the steps; load average (1 min) ${before?.toFixed(2) ?? '–'} before, ${after?.toFixed(2) ?? '–'} after; ${cpus} cores`;
  return (before ?? 0) > cpus || others > cpus / 4
    ? `**The machine was busy** (${facts}): other work competed for the CPU, so these figures are pessimistic.`
    : `The machine looked quiet (${facts}).`;
}

export function markdownReport(record: RunRecord, chartFile: string | undefined): string {
  const lines: string[] = [
    `# Platform benchmark, ${record.startedAt}`,
    '',
    `\`./dev bench ${record.command.join(' ')}\` · Node ${record.machine.node} · ${busyNote(record)}`,
    '',
    '## Project next to the baselines',
    '',
    comparisonTable(record),
    '',
    '## Targets',
    '',
    targetsTable(record),
    '',
    '## The ladder',
    '',
    'Open loop: orders are POSTed on a fixed schedule whatever the answers, so a slow platform',
    'shows as latency, never as fewer requests. Latency is each completed order’s own',
    '`placedAt → finalAt`; POST p99 is from the request’s scheduled time to its 202. Errors:',
    'non-202 answers / cancelled orders / parked or unfinished orders. Consumer lag is sampled',
    'every second from the committed offsets of the five services’ groups.',
    '',
    ladderTable(record),
    '',
    '## CPU and memory per process',
    '',
    'Average cores busy over each step (POSTs until the last order finished) and the highest',
    'resident memory sampled (/proc, every 500 ms). Postgres: the backends of the platform’s',
    'databases and the server’s own processes, private memory summed plus shared buffers once;',
    'the indented rows split its backends’ CPU by database. “other processes” is the CPU the rest',
    'of the machine used meanwhile (/proc/stat): what the platform competed with.',
    '',
    resourceTable(record),
    '',
    '## Time per consumed record, per service',
    '',
    'From each service’s `orderflow_handler_duration_seconds` (decode, handler and the inbox + state +',
    'outbox transaction), read before and after the step: records handled / mean ms per record.',
    'A consumer handles one partition’s records one after another, so this time bounds how many',
    'records per second a service can take per partition it is working on.',
    '',
    handlerTable(record),
    '',
  ];
  if (chartFile)
    lines.push('## Latency against throughput', '', `![latency vs throughput](${chartFile})`, '');
  if (record.skipped.length > 0) {
    lines.push('## Skipped', '');
    for (const s of record.skipped) lines.push(`- ${s.what}: ${s.why}`);
    lines.push('');
  }
  if (record.kafkaPerf) {
    const k = record.kafkaPerf;
    lines.push(
      '## Kafka perf tools',
      '',
      `kafka-tools ${k.version}, ${k.recordSize}-byte records, acks=all, on a fresh 6-partition topic.`,
      '',
      '```json',
      JSON.stringify(k, null, 2),
      '```',
      '',
    );
  }
  if (record.pgbench) {
    lines.push(
      '## pgbench script (one hop)',
      '',
      `${record.pgbench.version}; -M ${record.pgbench.protocol ?? 'extended'}; scratch database with the real migrations.`,
      '',
      '```sql',
      record.pgbench.script.trim(),
      '```',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
