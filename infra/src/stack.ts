import path from 'node:path';
import { Listr } from 'listr2';
import { allTopics, platformAcls, SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import {
  describeAclCount,
  describeBroker,
  ensureAcls,
  ensureTopics,
} from '@orderflow/messaging/admin';
import { kafkaBrokers, registryUrl, type StackConfig } from './config.js';
import {
  KAFKA,
  resolveKafka,
  startKafka,
  waitForKafka,
  wipeKafkaData,
} from './components/kafka.js';
import {
  adminSecurity,
  kafkaUsers,
  recordedMode,
  SCRAM_MECHANISM,
} from './components/kafka-security.js';
import { ensureDatabases, ensureReachable, migrateAll } from './components/postgres.js';
import {
  REGISTRY,
  resolveRegistry,
  startRegistry,
  waitForRegistry,
} from './components/registry.js';
import {
  ensurePrometheus,
  PROMETHEUS,
  prometheusUrl,
  startPrometheus,
  waitForPrometheus,
} from './components/prometheus.js';
import { registerSchemas } from './components/schemas.js';
import {
  buildConsole,
  CONSOLE,
  consoleUrl,
  startConsole,
  waitForConsole,
} from './components/console.js';
import {
  buildServices,
  runnableServices,
  runningInstances,
  serviceUrl,
  startService,
  waitForService,
} from './components/services.js';
import {
  parseInstance,
  planInstances,
  serviceInstance,
  type InstanceComponent,
} from './instances.js';
import {
  resolveZipkin,
  startZipkin,
  waitForZipkin,
  ZIPKIN,
  zipkinSpansEndpoint,
  zipkinUrl,
} from './components/zipkin.js';
import { checkJava, checkPortFree } from './preflight.js';
import {
  killProcess,
  logFile,
  runningProcess,
  stopProcess,
  type ProcessRecord,
} from './process.js';

/** Brings the local stack up and down; used by the CLI and by the test harness. */
export const COMPONENTS = [
  'kafka',
  'registry',
  'postgres',
  'topics',
  'schemas',
  'services',
  'console',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** Observability the stack runs only when asked (`up --with tracing metrics`). */
export const EXTRAS = ['tracing', 'metrics'] as const;
export type Extra = (typeof EXTRAS)[number];

export interface UpOptions {
  readonly components?: readonly Component[];
  /** Zipkin ('tracing') and Prometheus ('metrics'); each runs until `down`. */
  readonly extras?: readonly Extra[];
  /** 'silent' for callers that print their own progress (the test harness). */
  readonly output?: 'progress' | 'silent';
}

export interface UpResult {
  /** Processes this call started (the caller owns them); already-running ones are not listed. */
  readonly started: readonly ProcessRecord[];
}

interface Ctx {
  kafkaLib?: string;
  registryJar?: string;
  zipkinJar?: string;
  started: ProcessRecord[];
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export async function up(config: StackConfig, options: UpOptions = {}): Promise<UpResult> {
  const want = new Set<Component>(options.components ?? COMPONENTS);
  const needKafka = want.has('kafka') && !runningProcess(config, KAFKA);
  const needRegistry = want.has('registry') && !runningProcess(config, REGISTRY);
  const extras = new Set<Extra>(options.extras ?? []);
  const needZipkin = extras.has('tracing') && !runningProcess(config, ZIPKIN);
  const needPrometheus = extras.has('metrics') && !runningProcess(config, PROMETHEUS);
  const tasks = new Listr<Ctx>(
    [
      {
        title: 'Preflight: Java and free ports',
        enabled: needKafka || needRegistry || needZipkin || needPrometheus,
        task: async (_ctx, task) => {
          const java = await checkJava(config);
          if (needZipkin) await checkPortFree(config.host, config.zipkinPort, 'Zipkin');
          if (needPrometheus) await checkPortFree(config.host, config.prometheusPort, 'Prometheus');
          if (needKafka) {
            await checkPortFree(config.host, config.kafkaPort, 'Kafka');
            await checkPortFree(config.host, config.kafkaControllerPort, 'Kafka controller');
          }
          if (needRegistry)
            await checkPortFree(config.host, config.registryPort, 'schema registry');
          task.title = `Preflight: ${java}, ports free`;
        },
      },
      {
        title: 'Resolve artifacts from Maven Central (cached after the first run)',
        enabled: needKafka || needRegistry || needZipkin,
        task: (_ctx, task) =>
          task.newListr(
            [
              {
                title: 'Kafka broker jars',
                enabled: needKafka,
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  ctx.kafkaLib = await resolveKafka(config);
                  sub.title = `Kafka broker jars (${seconds(t0)})`;
                },
              },
              {
                title: 'Apicurio Registry distribution',
                enabled: needRegistry,
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  ctx.registryJar = await resolveRegistry(config);
                  sub.title = `Apicurio Registry distribution (${seconds(t0)})`;
                },
              },
              {
                title: 'Zipkin server jar',
                enabled: needZipkin,
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  ctx.zipkinJar = await resolveZipkin(config);
                  sub.title = `Zipkin server jar (${seconds(t0)})`;
                },
              },
            ],
            { concurrent: true },
          ),
      },
      {
        title: 'Start components',
        task: (_ctx, task) =>
          task.newListr(
            [
              {
                title: `Kafka on ${kafkaBrokers(config)}`,
                enabled: want.has('kafka'),
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  const record = ctx.kafkaLib ? await startKafka(config, ctx.kafkaLib) : undefined;
                  if (record) ctx.started.push(record);
                  const info = await waitForKafka(config);
                  sub.title = `Kafka on ${kafkaBrokers(config)}: ${record ? `ready in ${seconds(t0)}` : 'already running'} (${info})`;
                },
              },
              {
                title: `Schema registry on ${registryUrl(config)}`,
                enabled: want.has('registry'),
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  const record = ctx.registryJar
                    ? await startRegistry(config, ctx.registryJar)
                    : undefined;
                  if (record) ctx.started.push(record);
                  await waitForRegistry(config);
                  sub.title = `Schema registry on ${registryUrl(config)}: ${record ? `ready in ${seconds(t0)}` : 'already running'}`;
                },
              },
              {
                title: 'Postgres databases and migrations',
                enabled: want.has('postgres'),
                task: async (_ctx, sub) => {
                  const dbs = await ensureDatabases(config);
                  const applied = await migrateAll(config);
                  sub.title = `Postgres: ${dbs.created.length} databases created, ${dbs.existing.length} present, ${applied} migrations applied`;
                },
              },
              {
                title: `Zipkin on ${zipkinUrl(config)}`,
                enabled: extras.has('tracing'),
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  const record = ctx.zipkinJar
                    ? await startZipkin(config, ctx.zipkinJar)
                    : undefined;
                  if (record) ctx.started.push(record);
                  await waitForZipkin(config);
                  sub.title = `Zipkin on ${zipkinUrl(config)}: ${record ? `ready in ${seconds(t0)}` : 'already running'}`;
                },
              },
              {
                title: `Prometheus on ${prometheusUrl(config)}`,
                enabled: extras.has('metrics'),
                task: async (ctx, sub) => {
                  const t0 = Date.now();
                  const record = await startPrometheus(
                    config,
                    await ensurePrometheus(),
                    planInstances(config.serviceInstances, runnableServices()),
                  );
                  if (record) ctx.started.push(record);
                  await waitForPrometheus(config);
                  sub.title = `Prometheus on ${prometheusUrl(config)}: ${record ? `ready in ${seconds(t0)}` : 'configuration reloaded'}`;
                },
              },
            ],
            { concurrent: true, exitOnError: true },
          ),
      },
      {
        title: 'Schemas from schemas/ registered',
        enabled: want.has('schemas'),
        task: async (_ctx, task) => {
          const subjects = await registerSchemas(config);
          task.title = `Schemas: ${subjects} subjects registered (idempotent)`;
        },
      },
      {
        title: 'Topics from the catalogue',
        enabled: want.has('topics'),
        task: async (_ctx, task) => {
          const result = await ensureTopics(
            [kafkaBrokers(config)],
            allTopics(),
            adminSecurity(config),
          );
          task.title = `Topics: ${result.created.length} created, ${result.existing.length} already present`;
        },
      },
      {
        title: 'ACLs from the ownership manifest',
        // The broker's mode is known only once it runs (a running one keeps its own).
        enabled: want.has('topics'),
        task: async (_ctx, task) => {
          if (recordedMode(config) !== 'scram') {
            task.skip('ACLs: none (plaintext broker)');
            return;
          }
          const t0 = Date.now();
          const acls = platformAcls();
          const held = await ensureAcls([kafkaBrokers(config)], acls, adminSecurity(config));
          task.title = `ACLs: ${acls.length} from the manifest applied, ${held} on the broker (${seconds(t0)})`;
        },
      },
      {
        title: 'Build the services (turbo, cached; SERVICE_RUNTIME=source skips it)',
        enabled:
          want.has('services') && config.serviceRuntime === 'dist' && runnableServices().length > 0,
        task: async (_ctx, task) => {
          const t0 = Date.now();
          await buildServices(runnableServices());
          task.title = `Services built in ${seconds(t0)}`;
        },
      },
      {
        title:
          config.serviceInstances === 1
            ? 'Services'
            : `Services, ${config.serviceInstances} instances each`,
        enabled: want.has('services') && runnableServices().length > 0,
        task: (_ctx, task) =>
          task.newListr(
            planInstances(config.serviceInstances, runnableServices()).map((instance) => {
              const where = `${instance.component} on ${serviceUrl(config, instance.service, instance.index)}`;
              return {
                title: where,
                task: async (ctx: Ctx, sub: { title: string }) => {
                  const t0 = Date.now();
                  const record = await startService(config, instance, tracingEnv(config));
                  if (record) ctx.started.push(record);
                  await waitForService(config, instance);
                  sub.title = `${where}: ${record ? `ready in ${seconds(t0)}` : 'already running'}`;
                },
              };
            }),
            // One at a time: five TypeScript services booting at once starve two cores.
            { concurrent: false, exitOnError: true },
          ),
      },
      {
        title: `Console on ${consoleUrl(config)}`,
        enabled: want.has('console'),
        task: async (ctx, task) => {
          const t0 = Date.now();
          await buildConsole();
          const record = await startConsole(config);
          if (record) ctx.started.push(record);
          await waitForConsole(config);
          task.title = `Console on ${consoleUrl(config)}: ${record ? `ready in ${seconds(t0)}` : 'already running'}`;
        },
      },
    ],
    {
      // Non-interactive terminals (CI) get one line per step instead of a redrawn tree.
      fallbackRenderer: 'simple',
      silentRendererCondition: options.output === 'silent',
      rendererOptions: { collapseSubtasks: false },
      exitOnError: true,
    },
  );
  const ctx = await tasks.run({ started: [] });
  return { started: ctx.started };
}

/**
 * Services started while our Zipkin runs (or is starting) export their spans to it; the exporter
 * drops spans quietly while Zipkin is still booting. Services started before it do not export:
 * restart them (`down --only services`, `up`) after `up --with tracing`.
 */
function tracingEnv(config: StackConfig): NodeJS.ProcessEnv {
  return runningProcess(config, ZIPKIN)
    ? { OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkinSpansEndpoint(config) }
    : {};
}

/** Databases, migrations and topics on infrastructure someone else runs (e.g. containers). */
export async function provision(config: StackConfig, brokers: readonly string[]): Promise<void> {
  await ensureDatabases(config);
  await migrateAll(config);
  await ensureTopics(brokers, allTopics());
}

/**
 * Stops the given processes (default: every one the launcher runs). A service's name stands for
 * all its instances, so `down --only services` leaves none behind whatever `up` was asked for.
 */
export async function down(
  config: StackConfig,
  // Services first: they flush their outboxes to a broker that is still there.
  components: readonly string[] = [CONSOLE, ...SERVICE_NAMES, REGISTRY, KAFKA, ZIPKIN, PROMETHEUS],
): Promise<ProcessRecord[]> {
  const stopped: ProcessRecord[] = [];
  const targets = components.flatMap((component) => {
    const instance = parseInstance(component);
    if (instance?.index !== 1) return [component];
    const others = runningInstances(config, instance.service).filter((i) => i.index > 1);
    return [...others.map((i) => i.component), component];
  });
  for (const component of targets) {
    const record = await stopProcess(config, component);
    if (record) stopped.push(record);
  }
  if (components.includes(KAFKA)) wipeKafkaData(config);
  return stopped;
}

/**
 * Stops the launcher's broker (keeping its data), runs `duringOutage`, then starts it again and
 * waits until it answers. For tests of behaviour through a broker outage.
 */
export async function withBrokerOutage<T>(
  config: StackConfig,
  duringOutage: () => Promise<T>,
): Promise<T> {
  if (!runningProcess(config, KAFKA)) {
    throw new Error(
      'withBrokerOutage needs a broker started by the launcher (./dev stack up); this one is external',
    );
  }
  await stopProcess(config, KAFKA);
  try {
    return await duringOutage();
  } finally {
    await startKafka(config, await resolveKafka(config));
    await waitForKafka(config);
  }
}

/**
 * A component the launcher can crash and start on its own (fault injection): the broker, or an
 * instance of a service (`order-saga` is instance 1, `order-saga@2` the second).
 */
export type Restartable = typeof KAFKA | InstanceComponent;

/**
 * SIGKILLs one component the launcher runs (no shutdown: a crash) and waits until it is gone; the
 * broker keeps its data. Returns the killed process, or undefined when none of ours was running.
 */
export function crash(
  config: StackConfig,
  component: Restartable,
): Promise<ProcessRecord | undefined> {
  return killProcess(config, component);
}

/**
 * Starts one component that is not running and waits until it is ready (the broker answers, a
 * service's /health/ready is 200). `env` is added to a service's environment for this run only.
 */
export async function startComponent(
  config: StackConfig,
  component: Restartable,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<ProcessRecord | undefined> {
  if (component === KAFKA) {
    if (!runningProcess(config, KAFKA)) {
      // Right after a crash the kernel may still hold the ports for a moment.
      await checkPortFree(config.host, config.kafkaPort, 'Kafka', 5_000);
      await checkPortFree(config.host, config.kafkaControllerPort, 'Kafka controller', 5_000);
    }
    const record = await startKafka(config, await resolveKafka(config));
    await waitForKafka(config, options.timeoutMs);
    return record;
  }
  const instance = parseInstance(component);
  if (!instance) throw new Error(`${component} is neither the broker nor a service instance`);
  const record = await startService(config, instance, { ...tracingEnv(config), ...options.env });
  await waitForService(config, instance, options.timeoutMs);
  return record;
}

/** The pid of a component the launcher runs, or undefined when none of ours is alive. */
export function componentPid(config: StackConfig, component: string): number | undefined {
  return runningProcess(config, component)?.pid;
}

export interface StatusRow {
  readonly component: string;
  readonly state: 'ready' | 'running, not answering' | 'stopped' | 'external' | 'unreachable';
  readonly address: string;
  readonly pid: string;
  readonly log: string;
}

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

/** What runs where, each endpoint probed (a process of ours may be alive but not answering). */
export async function status(config: StackConfig): Promise<StatusRow[]> {
  const row = async (
    component: string,
    address: string,
    probe: () => Promise<unknown>,
  ): Promise<StatusRow> => {
    const record = runningProcess(config, component);
    const ok = await answers(probe);
    return {
      component,
      state: record ? (ok ? 'ready' : 'running, not answering') : ok ? 'external' : 'stopped',
      address,
      pid: record ? String(record.pid) : '-',
      log: record ? logFile(config, component) : '-',
    };
  };
  const pgHost = new URL(config.databaseUrl).host;
  return Promise.all([
    row(KAFKA, kafkaBrokers(config), () =>
      describeBroker([kafkaBrokers(config)], adminSecurity(config)),
    ),
    row(REGISTRY, registryUrl(config), () => waitForRegistry(config, 0)),
    answers(() => ensureReachable(config)).then((ok): StatusRow => ({
      component: 'postgres',
      state: ok ? 'ready' : 'unreachable',
      address: pgHost,
      pid: '(system)',
      log: '-',
    })),
    row(ZIPKIN, zipkinUrl(config), () => waitForZipkin(config, 0)),
    row(PROMETHEUS, prometheusUrl(config), () => waitForPrometheus(config, 0)),
    ...runnableServices()
      .flatMap((service) => instancesToShow(config, service))
      .map((instance) =>
        row(instance.component, serviceUrl(config, instance.service, instance.index), () =>
          waitForService(config, instance, 0),
        ),
      ),
    row(CONSOLE, consoleUrl(config), () => waitForConsole(config, 0)),
  ]);
}

/** The instances `up` would run, and any others still running (from an `up` with more). */
function instancesToShow(config: StackConfig, service: ServiceName) {
  const running = runningInstances(config, service).map((i) => i.index);
  const count = Math.max(config.serviceInstances, ...running);
  return Array.from({ length: count }, (_, i) => i + 1)
    .filter((index) => index <= config.serviceInstances || running.includes(index))
    .map((index) => serviceInstance(service, index));
}

/** The infrastructure rows only (what integration tests need). */
export const INFRASTRUCTURE: readonly string[] = [KAFKA, REGISTRY, 'postgres'];

/** One line on how the stack's broker authenticates and authorises (for `stack status`). */
export async function kafkaSecurityStatus(config: StackConfig): Promise<string> {
  const mode = recordedMode(config);
  if (mode === undefined) return 'Kafka security: no broker data (not started by this stack)';
  if (mode === 'plaintext')
    return "Kafka security: plaintext (no authentication, no ACLs); secured: './dev stack down', then './dev stack up --secure'";
  const users = kafkaUsers();
  const acls = await describeAclCount([kafkaBrokers(config)], adminSecurity(config)).then(
    ({ acls, principals }) => `${acls} ACLs for ${principals} principals`,
    () => 'ACLs unknown (broker not answering)',
  );
  return [
    `Kafka security: SASL/${SCRAM_MECHANISM}, StandardAuthorizer, allow.everyone.if.no.acl.found=false; ${acls}`,
    `  users: ${users.join(', ')} (super user: ${users[0]}; passwords in ${path.join(config.stackDir, 'kafka-users')})`,
  ].join('\n');
}
