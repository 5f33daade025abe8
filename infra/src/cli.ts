// The local stack launcher: `./dev stack up|down|status|logs`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { SERVICE_NAMES } from '@orderflow/contracts';
import { loadStackConfig, type StackConfig } from './config.js';
import { StackError } from './errors.js';
import { logFile, tail } from './process.js';
import { INSTANCE_PORT_STEP } from './instances.js';
import { PROVISION_STEPS, provisionSteps, type ProvisionStep } from './provision.js';
import {
  COMPONENTS,
  down,
  EXTRAS,
  kafkaSecurityStatus,
  status,
  up,
  type Component,
  type Extra,
} from './stack.js';
import { renderTable } from './table.js';

/**
 * `instances` (from `--instances`) overrides STACK_INSTANCES, and `secure` (`--secure`)
 * STACK_KAFKA_SECURITY, through the same validation.
 */
function config(instances?: string, secure?: boolean): StackConfig {
  return loadStackConfig({
    ...process.env,
    ...(instances === undefined ? {} : { STACK_INSTANCES: instances }),
    ...(secure ? { STACK_KAFKA_SECURITY: 'scram' } : {}),
  });
}

async function printStatus(cfg: StackConfig): Promise<void> {
  const rows = await status(cfg);
  console.log(`\n${renderTable(rows.map((r) => ({ ...r })))}\n${await kafkaSecurityStatus(cfg)}\n`);
}

const program = new Command()
  .name('./dev stack')
  .description(
    'Run the local stack: Kafka (KRaft) and Apicurio Registry as JVM processes, Postgres databases, topics.',
  )
  .showHelpAfterError();

program
  .command('up')
  .description('start what is not running yet, wait until ready, create databases and topics')
  .addOption(new Option('--only <components...>', 'start only these').choices(COMPONENTS))
  .addOption(
    new Option(
      '--with <extras...>',
      'also run Zipkin (tracing: services export spans to it) and/or Prometheus (metrics)',
    ).choices(EXTRAS),
  )
  .addOption(
    new Option(
      '--instances <n>',
      `instances of every service (ports +${INSTANCE_PORT_STEP} each; one database and consumer group per service)`,
    ).env('STACK_INSTANCES'),
  )
  .option(
    '--secure',
    'a new broker runs SASL/SCRAM-SHA-512 with ACLs from the ownership manifest (STACK_KAFKA_SECURITY=scram)',
  )
  .action(
    async (opts: { only?: Component[]; with?: Extra[]; instances?: string; secure?: boolean }) => {
      const cfg = config(opts.instances, opts.secure);
      const t0 = Date.now();
      await up(cfg, { components: opts.only, extras: opts.with });
      console.log(
        `Stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s. State in ${cfg.stackDir}`,
      );
      await printStatus(cfg);
    },
  );

program
  .command('provision')
  .description(
    'create the databases and run the migrations (postgres) and/or the topics (topics) on a given server and broker, e.g. containers',
  )
  .addArgument(new Argument('<steps...>', 'what to provision').choices(PROVISION_STEPS))
  .addOption(
    new Option('--database-url <url>', 'Postgres server for the service databases').env(
      'DATABASE_URL',
    ),
  )
  .addOption(new Option('--brokers <list>', 'Kafka bootstrap host:port list').env('KAFKA_BROKERS'))
  .action(async (steps: ProvisionStep[], opts: { databaseUrl?: string; brokers?: string }) => {
    for (const line of await provisionSteps(config(), steps, opts)) console.log(line);
  });

program
  .command('down')
  .description('stop the processes the launcher started (broker data is discarded with the broker)')
  .option('--only <what>', "'services' stops only the services and leaves the infrastructure up")
  .action(async (opts: { only?: string }) => {
    const cfg = config();
    if (opts.only !== undefined && opts.only !== 'services') {
      throw new StackError(
        `--only ${opts.only} is not supported.`,
        "Use '--only services', or no option to stop everything.",
      );
    }
    const stopped = await down(cfg, opts.only === 'services' ? SERVICE_NAMES : undefined);
    console.log(
      stopped.length === 0
        ? 'Nothing was running.'
        : stopped.map((r) => `stopped ${r.component} (pid ${r.pid})`).join('\n'),
    );
  });

program
  .command('status')
  .description('show what runs where')
  .action(() => printStatus(config()));

program
  .command('logs')
  .description('print the log of a component')
  .argument(
    '<component>',
    'kafka, registry, zipkin, prometheus or a service instance (order-saga, order-saga@2)',
  )
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <n>', 'how many lines', '50')
  .action((component: string, opts: { follow?: boolean; lines: string }) => {
    const file = logFile(config(), component);
    if (!existsSync(file)) {
      throw new StackError(
        `No log for '${component}' at ${file}.`,
        "Components with logs: kafka, registry, the services' instances (see './dev stack status'). Run './dev stack up' first.",
      );
    }
    if (opts.follow) {
      spawn('tail', ['-n', opts.lines, '-F', file], { stdio: 'inherit' });
    } else {
      console.log(tail(file, Number(opts.lines)));
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof StackError) {
    console.error(`\n\u2716 ${error.report()}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
