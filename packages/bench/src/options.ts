import { parseArgs } from 'node:util';

/** The command line of `./dev bench`, validated once into a frozen object. */
export const BASELINES = ['chain', 'kafka-perf', 'pgbench'] as const;
export type Baseline = (typeof BASELINES)[number];

export interface BenchOptions {
  readonly rates: readonly number[];
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly drainTimeoutSeconds: number;
  readonly skus: readonly string[];
  readonly skip: ReadonlySet<Baseline>;
  readonly perfRecords: number;
  readonly pgbenchSeconds: number;
  readonly pgbenchClients: number;
  /** Run every rate even after the platform saturated. */
  readonly keepGoing: boolean;
  readonly out: string | undefined;
  /** A saved results.json to print and render again instead of running. */
  readonly render: string | undefined;
}

export const USAGE = `./dev bench [options]   open-loop order load on the running stack, next to baselines

  --rates 10,30,60,100,150   offered orders per second, one step each, in this order
  --duration 30              seconds of arrivals per step
  --warmup 5                 seconds at the first rate before measuring (0: none)
  --drain-timeout 60         seconds to wait after a step for its orders to finish
  --keep-going               climb on after a saturated step (default: stop there)
  --skus A,B,...             seeded SKUs to order, one per order in turn
                             (default USB-C-CABLE,MOUSE-WIRELESS,KEYBOARD-MECH,MONITOR-27)
  --skip chain,kafka-perf,pgbench   baselines to leave out
  --perf-records 200000      records for kafka-producer/consumer-perf-test
  --pgbench-seconds 10       seconds per pgbench run (two runs)
  --pgbench-clients 8        pgbench clients of the concurrent run
  --out DIR                  output root (default out/bench at the repository root)
  --render FILE              print and re-render a saved results.json (no run)`;

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

function positive(name: string, raw: string, integer = true): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new OptionsError(
      `--${name} must be a positive ${integer ? 'whole ' : ''}number, not '${raw}'`,
    );
  return n;
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  // `pnpm run bench -- --rates 10` passes the `--` through.
  const args = argv.filter((a, i) => !(i === 0 && a === '--'));
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        rates: { type: 'string', default: '10,30,60,100,150' },
        duration: { type: 'string', default: '30' },
        warmup: { type: 'string', default: '5' },
        'drain-timeout': { type: 'string', default: '60' },
        skus: { type: 'string', default: 'USB-C-CABLE,MOUSE-WIRELESS,KEYBOARD-MECH,MONITOR-27' },
        skip: { type: 'string', default: '' },
        'perf-records': { type: 'string', default: '200000' },
        'pgbench-seconds': { type: 'string', default: '10' },
        'pgbench-clients': { type: 'string', default: '8' },
        'keep-going': { type: 'boolean', default: false },
        out: { type: 'string' },
        render: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const rates = list(values.rates).map((r) => positive('rates', r, false));
  if (rates.length === 0) throw new OptionsError('--rates needs at least one rate');
  const skus = list(values.skus);
  if (skus.length === 0) throw new OptionsError('--skus needs at least one SKU');
  const skip = new Set<Baseline>();
  for (const name of list(values.skip)) {
    if (!(BASELINES as readonly string[]).includes(name))
      throw new OptionsError(`--skip takes ${BASELINES.join(', ')}, not '${name}'`);
    skip.add(name as Baseline);
  }
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new OptionsError(`--warmup must be a whole number of seconds, not '${values.warmup}'`);
  return Object.freeze({
    rates,
    durationSeconds: positive('duration', values.duration, false),
    warmupSeconds: warmup,
    drainTimeoutSeconds: positive('drain-timeout', values['drain-timeout']),
    skus,
    skip,
    perfRecords: positive('perf-records', values['perf-records']),
    pgbenchSeconds: positive('pgbench-seconds', values['pgbench-seconds']),
    pgbenchClients: positive('pgbench-clients', values['pgbench-clients']),
    keepGoing: values['keep-going'],
    out: values.out,
    render: values.render,
  });
}
