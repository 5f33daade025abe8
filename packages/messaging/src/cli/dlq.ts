// DLQ tool: `./dev dlq list|show|replay` — find dead-lettered records, inspect one decoded, replay them.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { AvroSerde } from '../serde.js';
import {
  CliFailure,
  loadConfig,
  parsePosition,
  parseRate,
  type SelectionOptions,
} from './options.js';
import { readDlqRecord } from './read-record.js';
import { jsonLine, recordTable, renderRecord } from './render.js';
import { checkReplayable, replaySelected } from './replay.js';
import { openSession, selectRecords } from './session.js';

// Resolved from this file (src/cli or dist/cli), not the cwd, so the log lands in one place.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DEFAULT_LOG = resolve(REPO_ROOT, '.stack/dlq-replays.jsonl');

function withSelection(command: Command): Command {
  return command
    .option('--topic <topic>', 'a DLQ topic, or an origin topic (with --group); default: all')
    .option('--group <group>', 'consumer group of the origin topic')
    .option('--error-class <class>', 'only records whose error class is this')
    .option('--error-code <code>', 'only records whose error code is this')
    .option('--order-id <id>', 'only records of this order (the record key)')
    .option('--since <iso>', 'only records whose last failure is at or after this time')
    .option('--until <iso>', 'only records whose last failure is at or before this time');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const program = new Command('./dev dlq')
  .description('Dead-letter topics: list records, show one decoded, replay to the origin topic.')
  .showHelpAfterError('(add --help for usage)');

withSelection(program.command('list'))
  .description('list dead-lettered records (a table, or JSON lines with --json)')
  .option('--json', 'one JSON object per line instead of a table')
  .action(async (opts: SelectionOptions & { json?: boolean }) => {
    const session = await openSession(loadConfig());
    const selected = await selectRecords(session, opts);
    if (opts.json) {
      selected.forEach((s) => console.log(jsonLine(s)));
      return;
    }
    if (selected.length > 0) console.log(recordTable(selected));
    console.log(plural(selected.length, 'record'));
  });

program
  .command('show')
  .description('show one record: headers, origin, error and the value decoded with the registry')
  .argument('<dlqTopic>', 'DLQ topic')
  .argument('<position>', '<partition>:<offset>, as list prints it')
  .action(async (topic: string, position: string) => {
    const at = parsePosition(position);
    const config = loadConfig();
    const session = await openSession(config);
    const message = await readDlqRecord(session, topic, at);
    const serde = new AvroSerde({ registryUrl: config.registryUrl });
    console.log(await renderRecord(serde, topic, at, message));
  });

withSelection(program.command('replay'))
  .description('send the selected records back to their origin topics at a bounded rate')
  .option('--rate <n>', 'records per second', '20')
  .option('--dry-run', 'print what would be replayed and stop')
  .option('--yes', 'replay without asking (there is no prompt: required unless --dry-run)')
  .option('--log <file>', 'append one JSON line per replayed record here', DEFAULT_LOG)
  .action(
    async (
      opts: SelectionOptions & { rate: string; dryRun?: boolean; yes?: boolean; log: string },
    ) => {
      const ratePerSecond = parseRate(opts.rate);
      const session = await openSession(loadConfig());
      const selected = await selectRecords(session, opts);
      if (selected.length === 0) {
        console.log('no records match: nothing to replay');
        return;
      }
      console.log(recordTable(selected));
      checkReplayable(session, selected);
      if (opts.dryRun) {
        console.log(`dry run: ${plural(selected.length, 'record')} would be replayed`);
        return;
      }
      if (!opts.yes) {
        throw new CliFailure(
          `not replaying ${plural(selected.length, 'record')} without --yes`,
          'check the list above, then run again with --yes (or --dry-run to only preview)',
        );
      }
      const logFile = resolve(opts.log);
      console.log(
        `replaying ${plural(selected.length, 'record')} at ≤ ${ratePerSecond}/s, log: ${logFile}`,
      );
      const done = await replaySelected(session, selected, { ratePerSecond, logFile });
      console.log(`✓ replayed ${plural(done, 'record')} to their origin topics`);
    },
  );

try {
  await program.parseAsync();
} catch (error) {
  // A broker that goes away mid-command is an expected failure too; anything else is a bug.
  const kafkaTrouble = error instanceof Error && error.name.startsWith('KafkaJS');
  if (!(error instanceof CliFailure) && !kafkaTrouble) throw error;
  console.error(
    error instanceof CliFailure
      ? `✗ ${error.message}`
      : `✗ Kafka failed: ${error.message}: check the stack with ./dev stack status, then try again`,
  );
  process.exitCode = 1;
}
