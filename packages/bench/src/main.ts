// Platform benchmark (./dev bench): open-loop order load on the running stack, next to Kafka's perf tools, a raw kafkajs chain and pgbench.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadStackConfig } from '@orderflow/infra';
import { OptionsError, parseOptions, USAGE } from './options.js';
import { busyNote } from './report/markdown.js';
import {
  comparisonTable,
  handlerTable,
  ladderTable,
  resourceTable,
  targetsTable,
} from './report/figures.js';
import { writeRun } from './report/write.js';
import type { RunRecord } from './results.js';
import { runBenchmark } from './run.js';

/** Prints the run's tables and writes its files. */
async function report(record: RunRecord, outRoot: string | undefined): Promise<void> {
  const out = process.stdout;
  out.write(`\nProject next to the baselines\n\n${comparisonTable(record)}\n`);
  out.write(`\nTargets\n\n${targetsTable(record)}\n`);
  out.write(`\nLadder\n\n${ladderTable(record)}\n`);
  out.write(`\nCPU (cores) / peak RSS (MB) per process\n\n${resourceTable(record)}\n`);
  out.write(`\nRecords handled / mean ms per record, per service\n\n${handlerTable(record)}\n\n`);
  for (const s of record.skipped) out.write(`skipped: ${s.what}: ${s.why}\n`);
  out.write(`${busyNote(record).replaceAll('**', '')}\n`);
  const written = await writeRun(record, outRoot);
  out.write(
    `written to ${written.dir}/ (${written.files.map((f) => f.split('/').pop()).join(', ')})\n`,
  );
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.render) {
    // A saved run, rendered again (after a change to the report): its folder is rewritten.
    const record = JSON.parse(await readFile(options.render, 'utf8')) as RunRecord;
    await report(record, path.dirname(path.dirname(path.resolve(options.render))));
    return 0;
  }
  await report(await runBenchmark(options, loadStackConfig(), argv), options.out);
  return 0;
}

main().then(
  // kafkajs can leave sockets and timers behind after disconnect; every client is closed by now.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
