// Micro-benchmark: publish→consume msgs/s and CPU per message, messaging paths vs raw kafkajs and hand-written pg.
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import { startTelemetry } from '@orderflow/telemetry';
import { deleteBenchTopics, orders, PARTITIONS, progress, SEND_BATCH } from './harness.js';
import type { Measurement, Sizes } from './measure.js';
import {
  messagingSerdePath,
  preEncodedValue,
  rawKafkajs,
  rawWithStaticHeaders,
} from './kafka-scenarios.js';
import { handWrittenOutbox, messagingOutbox } from './outbox-scenarios.js';
import { handWrittenConsumer, runtimeConsumer } from './consumer-scenarios.js';
import { row, table, writeJson, type Row } from './report.js';

// Real W3C propagation and async context, as a service runs them; without an SDK the tracing
// half of the path would be a no-op and cost nothing.
const telemetry = startTelemetry({ service: 'messaging-bench', instrumentations: [] });

function argsOf(): { sizes: Sizes; only: ReadonlySet<string> | undefined } {
  // `pnpm run bench -- --messages 5000` forwards the `--` itself.
  const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '20000' },
      warmup: { type: 'string', default: '1000' },
      // Scenario ids to run (e.g. `--only 1,2` to profile one comparison); all by default.
      only: { type: 'string' },
      // Directory for a .cpuprofile of each measured window (adds the sampler's own cost).
      profile: { type: 'string' },
    },
  });
  const count = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    sizes: {
      messages: count('messages', values.messages),
      warmup: count('warmup', values.warmup),
      profileDir: values.profile,
    },
    only: values.only === undefined ? undefined : new Set(values.only.split(',')),
  };
}

interface Scenario {
  readonly id: string;
  readonly name: string;
  readonly baseline?: string;
  readonly target?: number;
  /** A second row to compare CPU per message with. */
  readonly reference?: string;
  readonly run: () => Promise<Measurement>;
}

async function run(sizes: Sizes, only: ReadonlySet<string> | undefined): Promise<Row[]> {
  const all = orders(sizes.warmup + sizes.messages);
  const value = await preEncodedValue(all);
  progress(`${sizes.messages} messages (+${sizes.warmup} warm-up), value ${value.length} bytes`);
  const scenarios: Scenario[] = [
    { id: '1', name: 'raw kafkajs', run: () => rawKafkajs(all, sizes, value) },
    {
      id: '1b',
      name: 'raw kafkajs + static envelope headers (reference)',
      baseline: '1',
      run: () => rawWithStaticHeaders(all, sizes, value),
    },
    {
      id: '2',
      name: 'messaging serde + envelope + tracing',
      // Against raw kafkajs carrying the same CloudEvents headers (the target), and plain raw.
      baseline: '1b',
      target: 1.25,
      reference: '1',
      run: () => messagingSerdePath(all, sizes),
    },
    {
      id: '3a',
      name: 'hand-written pg + kafkajs outbox',
      run: () => handWrittenOutbox(all, sizes, value),
    },
    {
      id: '3b',
      name: 'messaging outbox (Publisher + OutboxRelay)',
      baseline: '3a',
      target: 2,
      run: () => messagingOutbox(all, sizes),
    },
    // Consumers start on records already on the topic; only the measured count is produced.
    {
      id: '4a',
      name: 'hand-written consumer (a transaction per record)',
      run: () => handWrittenConsumer(all.slice(0, sizes.messages), sizes),
    },
    {
      id: '4b',
      name: 'messaging consumer runtime (inbox, batched)',
      baseline: '4a',
      run: () => runtimeConsumer(all.slice(0, sizes.messages), sizes),
    },
  ];
  const rows: Row[] = [];
  for (const s of scenarios.filter((x) => !only || only.has(x.id))) {
    const measured = await s.run();
    const baseline = rows.find((r) => r.id === s.baseline);
    const reference = rows.find((r) => r.id === s.reference);
    rows.push(
      row(
        s.id,
        s.name,
        sizes.messages,
        measured,
        baseline && { baseline, target: s.target, reference },
      ),
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const { sizes, only } = argsOf();
  const startedAt = new Date();
  let rows: Row[];
  try {
    // One active span around everything, so the publisher has a trace to inject.
    rows = await trace.getTracer('messaging-bench').startActiveSpan('bench', async (span) => {
      try {
        return await run(sizes, only);
      } finally {
        span.end();
      }
    });
  } finally {
    await deleteBenchTopics().catch((error: unknown) =>
      progress(`topic clean-up: ${String(error)}`),
    );
    await telemetry.shutdown();
  }
  process.stdout.write(`${table(rows)}\n`);
  for (const r of rows.filter((x) => x.throughputRatio !== undefined)) {
    process.stdout.write(
      `${r.id}: ${(r.throughputRatio ?? 0).toFixed(2)}× the msgs/s of ${r.baseline ?? ''}\n`,
    );
  }
  const file = await writeJson(
    {
      startedAt: startedAt.toISOString(),
      node: process.version,
      command: process.argv.slice(2),
      sizes,
      setup: {
        partitions: PARTITIONS,
        sendBatch: SEND_BATCH,
        cpu: 'this Node process, user+system',
      },
      rows,
    },
    startedAt,
  );
  process.stdout.write(`written to ${file}\n`);
}

main().then(
  // kafkajs can leave sockets and timers behind after disconnect; every client is closed by now.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
