import { describe, expect, it } from '@jest/globals';
import {
  busiestStep,
  comparisonTable,
  handlerTable,
  ladderTable,
  platformCores,
  resourceTable,
  targetChecks,
} from '../src/report/figures.js';
import { busyNote, markdownReport } from '../src/report/markdown.js';
import { ms, num, ratio, renderTable } from '../src/report/table.js';
import { platformStep, runRecord } from './fixtures.js';

/** The cells of the table row whose first cell starts with `label`. */
function row(table: string, label: string): string[] {
  const line = table.split('\n').find((l) => /^\|\s*(.*)/.exec(l)?.[1]?.startsWith(label));
  if (!line) throw new Error(`no row ${label} in\n${table}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('renderTable', () => {
  it('pads columns to the widest cell and aligns numbers right', () => {
    expect(
      renderTable(
        ['name', 'n'],
        [
          ['a', '1'],
          ['bbbbb', '22'],
        ],
      ),
    ).toBe(['| name  |   n |', '|:------|----:|', '| a     |   1 |', '| bbbbb |  22 |'].join('\n'));
  });
});

describe('number formats', () => {
  it('shows small figures with a decimal and large ones whole', () => {
    expect(ms(3.456)).toBe('3.5');
    expect(ms(123.4)).toBe('123');
    expect(num(29.87)).toBe('29.9');
    expect(num(1234.5)).toBe('1235');
    expect(ms(undefined)).toBe('–');
  });

  it('writes ratios as project ÷ baseline', () => {
    expect(ratio(50, 10)).toBe('5.00×');
    expect(ratio(1, 400)).toBe('0.0025×');
    expect(ratio(12.1, 30243)).toBe('0.00040×');
    expect(ratio(1, 0)).toBe('–');
    expect(ratio(undefined, 3)).toBe('–');
  });
});

describe('comparisonTable', () => {
  const table = comparisonTable(runRecord());

  it('puts each rate’s latency next to the raw chain’s, with the ratios', () => {
    expect(row(table, '30/s: placed → final')).toEqual([
      '30/s: placed → final p50 / p99, ms',
      '60 / 250',
      'raw kafkajs chain, 10 hops, no DB: p50 / p99',
      '8.0 / 20',
      '7.50× / 12.50×',
    ]);
    expect(row(table, '10/s: completed orders/s')[4]).toBe('0.98×');
  });

  it('compares the busiest step with Kafka’s perf tools and pgbench', () => {
    // Busiest: 30/s → 29.4 completed/s × 19 records (as the fixture's step measured) = 558.6
    // records/s; × 16 hop transactions per order (the flow's count) = 470.4 against pgbench's 2,000.
    expect(row(table, 'Kafka records/s written')[1]).toBe('559');
    expect(row(table, 'Kafka records/s written')[4]).toBe('0.011×');
    expect(row(table, 'hop transactions/s')[1]).toBe('470');
    expect(row(table, 'hop transactions/s')[4]).toBe('0.24×');
    expect(row(table, '10/s: placed → final p50, ms')[3]).toBe('20');
  });

  it('marks baselines that did not run as skipped', () => {
    const bare = comparisonTable(
      runRecord({ chain: [], kafkaPerf: undefined, pgbench: undefined }),
    );
    expect(row(bare, '10/s: placed → final')[3]).toBe('skipped');
    expect(row(bare, 'hop transactions/s')[3]).toBe('skipped');
  });
});

describe('the ladder and resource tables', () => {
  it('show one row per rate with errors and lag', () => {
    const record = runRecord({
      platform: [
        platformStep(60, {
          httpErrors: { '503': 2 },
          cancelled: 1,
          cancelReasons: { STEP_TIMEOUT: 1 },
          lag: { ...platformStep(60).lag, growing: true },
        }),
      ],
    });
    const cells = row(ladderTable(record), '60/s');
    expect(cells[2]).toBe('2 / 1 / 0 (1 STEP_TIMEOUT)');
    expect(cells[9]).toMatch(/^GROWING/);
  });

  it('split the machine’s busy cores into the platform’s and everyone else’s', () => {
    const cells = row(ladderTable(runRecord()), '10/s');
    // services 0.2 + 0.3, kafka 0.1, postgres 0.15; the bench process is not the platform.
    expect(cells.slice(-2)).toEqual(['0.8', '0.8']);
    expect(platformCores(platformStep(10))).toBeCloseTo(0.75);
    expect(row(resourceTable(runRecord()), 'other processes')).toEqual([
      'other processes',
      '0.80 / –',
      '0.80 / –',
      '–',
    ]);
  });

  it('break Postgres CPU down by database without counting it twice', () => {
    expect(row(resourceTable(runRecord()), 'postgres: orderflow_saga')).toEqual([
      'postgres: orderflow_saga',
      '0.06 / –',
      '0.06 / –',
      '2.0',
    ]);
    expect(platformCores(platformStep(10))).toBeCloseTo(0.75);
  });

  it('show cores and peak memory per process per rate, and CPU per order at the busiest', () => {
    const cells = row(resourceTable(runRecord()), 'order-saga');
    expect(cells).toEqual(['order-saga', '0.30 / 120', '0.30 / 120', '10']);
    expect(resourceTable(runRecord())).toContain('CPU ms per order @30/s');
  });
});

describe('handlerTable', () => {
  it('shows records handled and the mean time per record, per service and rate', () => {
    expect(row(handlerTable(runRecord()), 'order-saga')).toEqual([
      'order-saga',
      '250 / 4.2',
      '750 / 4.2',
    ]);
  });
});

describe('targetChecks', () => {
  it('judges throughput, latency at 30/s and service memory', () => {
    const checks = targetChecks(runRecord());
    expect(checks.map((c) => c.met)).toEqual([false, false, false, true]);
    expect(checks[1]?.measured).toBe('60 ms');
  });

  it('says n/a when there is no 30/s step', () => {
    const checks = targetChecks(runRecord({ platform: [platformStep(150)] }));
    expect(checks[0]?.met).toBe(true);
    expect(checks[1]?.met).toBeUndefined();
  });
});

describe('the markdown report', () => {
  it('holds the tables, the chart and what was skipped', () => {
    const md = markdownReport(
      runRecord({ skipped: [{ what: 'pgbench baseline', why: 'not installed' }] }),
      'latency-throughput.png',
    );
    expect(md).toContain('## Project next to the baselines');
    expect(md).toContain('![latency vs throughput](latency-throughput.png)');
    expect(md).toContain('- pgbench baseline: not installed');
    expect(md).toContain('```sql');
  });

  it('says when the machine was busy: loaded before, or others using the CPU meanwhile', () => {
    const quiet = runRecord({ platform: [platformStep(10, { resources: [] })] });
    // A high load after the run is the bench's own baselines: shown, not judged.
    const after = { ...quiet.machine, loadAverageAfter: [9, 9, 9] };
    expect(busyNote({ ...quiet, machine: after })).toMatch(/^The machine looked quiet/);
    const before = { ...quiet.machine, loadAverageBefore: [3, 3, 3] };
    expect(busyNote({ ...quiet, machine: before })).toMatch(/busy/);
    // The fixture's steps have other processes at 0.8 cores of 2.
    expect(busyNote(runRecord())).toMatch(/busy.*up to 0.80 cores/);
  });

  it('picks the step that completed most as the busiest', () => {
    expect(busiestStep(runRecord())?.rate).toBe(30);
  });
});
