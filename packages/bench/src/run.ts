import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Listr, type ListrTaskWrapper } from 'listr2';
import { SERVICE_NAMES } from '@orderflow/contracts';
import {
  adminSecurity,
  kafkaBrokers,
  serviceDatabaseName,
  serviceUrl,
  VERSIONS,
  type StackConfig,
} from '@orderflow/infra';
import { createKafka, silentLogger } from '@orderflow/messaging';
import { resolvePerfTools, runKafkaPerf } from './baselines/kafka-perf.js';
import { pgbenchVersion, runPgbench } from './baselines/pgbench.js';
import { RawChain } from './baselines/raw-chain.js';
import type { BenchOptions } from './options.js';
import { DatabaseCommits } from './platform/db-commits.js';
import { CRITICAL_PATH_HOPS } from './platform/flow.js';
import { platformGroups } from './platform/lag.js';
import { BenchClients } from './platform/clients.js';
import { runPlatformStep, settle, type StepDeps } from './platform/order-step.js';
import { saturation } from './platform/step-figures.js';
import { OutcomeTap } from './platform/outcome-tap.js';
import type { ProcessGroup } from './platform/resources.js';
import type { ChainStep, KafkaPerf, Pgbench, PlatformStep, RunRecord, Skipped } from './results.js';
import { checkServicesReady, platformProcesses } from './setup.js';

/**
 * Runs the whole benchmark with a progress display: preflight, then per rate the platform step
 * and the raw chain at the same rate, then Kafka's perf tools and pgbench. A baseline that
 * cannot run (no pgbench, Maven unreachable) is recorded as skipped, with why; the platform
 * steps are the point, so their failure ends the run.
 */
interface Ctx {
  runId: string;
  processes: readonly ProcessGroup[];
  commits?: DatabaseCommits;
  tap?: OutcomeTap;
  chain?: RawChain;
  perfClasspath?: string;
  pgbench?: string;
  platform: PlatformStep[];
  chainSteps: ChainStep[];
  kafkaPerf?: KafkaPerf;
  pgbenchResult?: Pgbench;
  skipped: Skipped[];
  /** The step at which the platform stopped keeping up: higher rates only queue more. */
  saturatedAt?: { readonly rate: number; readonly index: number };
}

type Task = ListrTaskWrapper<Ctx, never, never>;

/** Progress lines for a task: every second on a terminal, every five seconds in a log. */
function progressOf(task: Task): (line: string) => void {
  const every = process.stdout.isTTY ? 0 : 5_000;
  let last = 0;
  return (line) => {
    if (performance.now() - last < every) return;
    last = performance.now();
    task.output = line;
  };
}

function reason(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

export async function runBenchmark(
  options: BenchOptions,
  config: StackConfig,
  command: readonly string[],
): Promise<RunRecord> {
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg();
  const brokers = kafkaBrokers(config);
  const kafka = createKafka({
    brokers: [brokers],
    clientId: 'platform-bench',
    logger: silentLogger,
    // The launcher's super user on a secured stack: the bench taps topics and reads every group.
    security: adminSecurity(config),
  });
  const admin = kafka.admin();
  const clients = await BenchClients.forStack(config.stackDir);
  const wants = (b: 'chain' | 'kafka-perf' | 'pgbench') => !options.skip.has(b);
  const stepDeps = (ctx: Ctx, task: Task): StepDeps => {
    if (!ctx.tap || !ctx.commits) throw new Error('the preflight did not finish');
    return {
      orderServiceUrl: serviceUrl(config, 'order-service'),
      inventoryUrl: serviceUrl(config, 'inventory-service'),
      serviceUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, serviceUrl(config, s)])),
      tap: ctx.tap,
      admin,
      groups: platformGroups(),
      processes: ctx.processes,
      commits: ctx.commits,
      progress: progressOf(task),
      clients,
    };
  };
  const shape = { customerId: `bench-${startedAt.getTime()}`, skus: options.skus };
  const chainProcesses = (ctx: Ctx) =>
    ctx.processes.filter((p) => p.name === 'kafka' || p.kind === 'bench');
  const topRecordRate = (ctx: Ctx) =>
    Math.max(...ctx.platform.map((s) => s.completedPerSecond * s.recordsPerOrder), 1);

  const tasks = new Listr<Ctx>(
    [
      {
        title: 'Preflight: services ready, broker, processes, pgbench',
        task: async (ctx, task) => {
          await checkServicesReady(config);
          await admin.connect();
          const found = await platformProcesses(config);
          ctx.processes = found.groups;
          if (found.unmeasured.length > 0)
            ctx.skipped.push({
              what: `CPU/memory of ${found.unmeasured.join(', ')}`,
              why: 'not run by this stack’s launcher (no pid in .stack/run)',
            });
          ctx.commits = await DatabaseCommits.connect(
            config.databaseUrl,
            SERVICE_NAMES.map((s) => serviceDatabaseName(config, s)),
          );
          if (wants('pgbench')) {
            ctx.pgbench = await pgbenchVersion();
            if (!ctx.pgbench)
              ctx.skipped.push({
                what: 'pgbench baseline',
                why: 'pgbench is not installed (Debian: apt-get install postgresql-15, or the postgresql-contrib of your server version)',
              });
          }
          task.title = `Preflight: ${SERVICE_NAMES.length} services ready, ${os.cpus().length} cores, load ${loadAverageBefore[0]?.toFixed(2)}`;
        },
      },
      {
        title: `kafka-tools ${VERSIONS.kafka} from Maven Central (cached after the first run)`,
        enabled: wants('kafka-perf'),
        task: async (ctx) => {
          try {
            ctx.perfClasspath = await resolvePerfTools(config);
          } catch (error) {
            ctx.skipped.push({ what: 'Kafka perf tools baseline', why: reason(error) });
          }
        },
      },
      {
        title: `Raw kafkajs chain: ${CRITICAL_PATH_HOPS} topics and relays`,
        enabled: wants('chain'),
        task: async (ctx) => {
          ctx.chain = await RawChain.start(kafka, admin, [brokers], ctx.runId, CRITICAL_PATH_HOPS);
        },
      },
      {
        title: 'Outcome tap on orders.events',
        task: async (ctx) => {
          ctx.tap = await OutcomeTap.start(kafka, `bench-outcomes-${ctx.runId}`);
        },
      },
      {
        title: `Warm-up: ${options.rates[0]}/s for ${options.warmupSeconds} s (not measured)`,
        enabled: options.warmupSeconds > 0,
        task: async (ctx, task) => {
          await runPlatformStep(
            {
              rate: options.rates[0] ?? 10,
              durationSeconds: options.warmupSeconds,
              drainTimeoutSeconds: options.drainTimeoutSeconds,
              shape,
            },
            stepDeps(ctx, task),
          );
        },
      },
      ...options.rates.flatMap((rate, index) => [
        {
          title: `Platform: ${rate} orders/s for ${options.durationSeconds} s`,
          skip: (ctx: Ctx) =>
            ctx.saturatedAt === undefined
              ? false
              : `the platform was saturated at ${ctx.saturatedAt.rate}/s`,
          task: async (ctx: Ctx, task: Task) => {
            await settle(
              admin,
              platformGroups(),
              options.drainTimeoutSeconds * 1000,
              progressOf(task),
            );
            const step = await runPlatformStep(
              {
                rate,
                durationSeconds: options.durationSeconds,
                drainTimeoutSeconds: options.drainTimeoutSeconds,
                shape,
              },
              stepDeps(ctx, task),
            );
            ctx.platform.push(step);
            const saturated = options.keepGoing ? undefined : saturation(step);
            if (saturated) {
              ctx.saturatedAt = { rate, index };
              const higher = options.rates.slice(index + 1);
              if (higher.length > 0)
                ctx.skipped.push({
                  what: `rates ${higher.join(', ')}/s`,
                  why: `the platform was saturated (${saturated}); --keep-going runs them anyway`,
                });
            }
            task.title = `Platform: ${rate}/s → ${step.completedPerSecond.toFixed(1)} completed/s, p50 ${step.latencyMs?.p50 ?? '–'} ms, p99 ${step.latencyMs?.p99 ?? '–'} ms`;
          },
        },
        {
          title: `Raw chain: ${rate}/s for ${options.durationSeconds} s`,
          enabled: wants('chain'),
          skip: (ctx: Ctx) =>
            ctx.saturatedAt !== undefined && ctx.saturatedAt.index < index
              ? 'as the platform step was'
              : false,
          task: async (ctx: Ctx, task: Task) => {
            if (!ctx.chain) return;
            const step = await ctx.chain.step(
              rate,
              options.durationSeconds,
              options.drainTimeoutSeconds,
              chainProcesses(ctx),
              progressOf(task),
            );
            ctx.chainSteps.push(step);
            task.title = `Raw chain: ${rate}/s → p50 ${step.latencyMs?.p50.toFixed(1) ?? '–'} ms, p99 ${step.latencyMs?.p99.toFixed(1) ?? '–'} ms`;
          },
        },
      ]),
      {
        title: `Kafka perf tools: ${options.perfRecords} records of 300 B, acks=all`,
        enabled: wants('kafka-perf'),
        skip: (ctx) => (ctx.perfClasspath ? false : 'no kafka-tools classpath'),
        task: async (ctx, task) => {
          const progress = progressOf(task);
          try {
            const perf = await runKafkaPerf(config, {
              classpath: ctx.perfClasspath ?? '',
              admin,
              runId: ctx.runId,
              records: options.perfRecords,
              platformRecordRate: Math.round(topRecordRate(ctx)),
              progress,
            });
            ctx.kafkaPerf = perf;
            const { producerMax, consumer } = perf;
            task.title = `Kafka perf tools: produce ${Math.round(producerMax.recordsPerSecond)}/s, consume ${Math.round(consumer.fetchMessagesPerSecond)}/s`;
          } catch (error) {
            ctx.skipped.push({ what: 'Kafka perf tools baseline', why: reason(error) });
          }
        },
      },
      {
        title: `pgbench: one hop's transaction, ${options.pgbenchClients} clients and 1 client`,
        enabled: wants('pgbench'),
        skip: (ctx) => (ctx.pgbench ? false : 'pgbench is not installed'),
        task: async (ctx, task) => {
          try {
            ctx.pgbenchResult = await runPgbench(
              {
                adminUrl: config.databaseUrl,
                database: `${config.databaseNamePrefix}orderflow_bench_scratch`,
                clients: options.pgbenchClients,
                seconds: options.pgbenchSeconds,
                version: ctx.pgbench ?? '',
              },
              progressOf(task),
            );
            const r = ctx.pgbenchResult;
            task.title = `pgbench: ${Math.round(r.concurrent.tps)} tps with ${r.concurrent.clients} clients, ${r.single.latencyAvgMs.toFixed(2)} ms with 1`;
          } catch (error) {
            ctx.skipped.push({ what: 'pgbench baseline', why: reason(error) });
          }
        },
      },
    ],
    {
      fallbackRenderer: 'simple',
      rendererOptions: { collapseSubtasks: false },
      exitOnError: true,
    },
  );

  const ctx: Ctx = {
    runId: randomUUID().slice(0, 8),
    processes: [],
    platform: [],
    chainSteps: [],
    skipped: [],
  };
  try {
    await tasks.run(ctx);
  } finally {
    await ctx.tap?.stop().catch(() => undefined);
    if (ctx.tap) await admin.deleteGroups([ctx.tap.groupId]).catch(() => undefined);
    await ctx.chain?.stop().catch(() => undefined);
    await ctx.commits?.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    machine: {
      cpus: os.cpus().length,
      loadAverageBefore,
      loadAverageAfter: os.loadavg(),
      node: process.version,
    },
    hops: CRITICAL_PATH_HOPS,
    platform: ctx.platform,
    chain: ctx.chainSteps,
    kafkaPerf: ctx.kafkaPerf,
    pgbench: ctx.pgbenchResult,
    skipped: ctx.skipped,
  };
}
