// Compose-wiring check (`./dev check:compose`): docker-compose.yml's one-shots and services run with their compose environment against the launcher's stack, then one order to COMPLETED.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { devSigner, ensureDevKeyPair } from '@orderflow/auth';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { loadStackConfig, REPO_ROOT, registryUrl } from '../config.js';
import { ensureReachable } from '../components/postgres.js';
import { buildServices, runningInstances } from '../components/services.js';
import { StackError } from '../errors.js';
import { checkPortFree } from '../preflight.js';
import { renderTable } from '../table.js';
import { tcpReachable } from '../wait.js';
import { loadCompose, type ComposeService } from './compose-config.js';
import { imageStage, parseDockerfile, type ImageStage } from './dockerfile.js';
import { mapEnvironment, type ComposeMapping } from './env-mapping.js';
import { placeOrderToFinal } from './order.js';
import { startOtlpSink } from './otlp-sink.js';
import { containerArgv, hostWorkdir, planCompose } from './plan.js';
import { launch, logTail, stopAll, succeeds, type Launched } from './processes.js';

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const LOG_DIR = path.join(REPO_ROOT, 'out', 'compose-check');
const ONE_SHOT_TIMEOUT_MS = 90_000;
const HEALTHY_TIMEOUT_MS = 90_000;
const ORDER_TIMEOUT_MS = 60_000;

const config = loadStackConfig();
const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const started: Launched[] = [];

/**
 * Why the stack's own services must be stopped rather than run alongside on other ports: the
 * compose services use the same consumer groups (named after each service) and the same
 * databases, so they would join the running services as extra instances, and the order could
 * complete on the stack's services' work while a compose service sat misconfigured. CI runs
 * this between starting the infrastructure and starting the services; on a shared machine, run
 * it against a stack of its own (STACK_DIR, KAFKA_PORT, SCHEMA_REGISTRY_PORT,
 * SERVICE_PORT_OFFSET, DATABASE_NAME_PREFIX, as the chaos suite does).
 */
function refuseWhileStackServicesRun(): void {
  const running = SERVICE_NAMES.flatMap((s) => runningInstances(config, s).map((i) => i.component));
  if (running.length > 0) {
    throw new StackError(
      `The stack's services are running (${running.join(', ')}): the compose services would join their consumer groups and share their databases, so the check could pass on their work.`,
      `Stop them ('./dev stack down --only services'; './dev stack up' brings them back), or point the check at a stack of its own (README, Running with Docker Compose).`,
    );
  }
}

async function preflight(): Promise<void> {
  refuseWhileStackServicesRun();
  await tcpReachable(config.host, config.kafkaPort, 3_000).catch((error: unknown) => {
    throw new StackError(
      `Kafka at ${config.host}:${config.kafkaPort} is not reachable (${String(error)}).`,
      "Start the infrastructure: './dev stack up --only kafka registry'.",
    );
  });
  const registry = await fetch(`${registryUrl(config)}/subjects`).catch(() => undefined);
  if (!registry?.ok) {
    throw new StackError(
      `The schema registry at ${registryUrl(config)} does not answer.`,
      "Start the infrastructure: './dev stack up --only kafka registry'.",
    );
  }
  await ensureReachable(config);
}

function standIns(
  composeNames: readonly string[],
  sinkPort: number,
  service: ComposeService,
): ComposeMapping {
  const db = new URL(config.databaseUrl);
  return {
    composeServices: composeNames,
    // The container ports docker-compose.yml's own values use (Kafka's INTERNAL listener,
    // Apicurio's 8080, OTLP/HTTP), each with what stands in for it here.
    addresses: new Map([
      ['kafka:29092', { host: config.host, port: config.kafkaPort }],
      ['schema-registry:8080', { host: config.host, port: config.registryPort }],
      ['postgres:5432', { host: db.hostname, port: Number(db.port || 5432) }],
      ['jaeger:4318', { host: config.host, port: sinkPort }],
    ]),
    postgres: {
      service: 'postgres',
      username: decodeURIComponent(db.username),
      password: decodeURIComponent(db.password),
      databasePrefix: config.databaseNamePrefix,
      adminDatabase: db.pathname.slice(1) || 'postgres',
    },
    mounts: service.mounts,
    portVariable: 'PORT',
    portOffset: config.servicePortOffset,
  };
}

interface Prepared {
  readonly service: ComposeService;
  readonly argv: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly rewrites: string;
}

function prepare(
  service: ComposeService,
  stage: ImageStage,
  composeNames: readonly string[],
  sinkPort: number,
): Prepared {
  const mapped = mapEnvironment(service.environment, standIns(composeNames, sinkPort, service));
  return {
    service,
    argv: containerArgv(service, stage),
    cwd: hostWorkdir(service, stage),
    // A container sees its image's ENV and compose's environment, nothing of this shell's: a
    // variable compose forgot must be missing here too. PATH and HOME stand in for the image's.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...stage.env,
      ...mapped.env,
      // The launcher's own database prefix reaches the migrations as it reaches `stack up`.
      ...(config.databaseNamePrefix ? { DATABASE_NAME_PREFIX: config.databaseNamePrefix } : {}),
    },
    rewrites: mapped.rewrites.map((r) => `${r.name}: ${r.from} → ${r.to}`).join('\n'),
  };
}

async function runOneShot(p: Prepared): Promise<void> {
  const run = launch(p.service.name, p.argv, {
    cwd: p.cwd,
    env: p.env,
    logFile: path.join(LOG_DIR, `${p.service.name}.log`),
  });
  started.push(run);
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), ONE_SHOT_TIMEOUT_MS).unref(),
  );
  const code = await Promise.race([run.exited, timeout]);
  if (code !== 0) {
    throw new StackError(
      `One-shot ${p.service.name} (${p.argv.join(' ')}) ${code === 'timeout' ? 'did not finish' : `exited ${String(code)}`}.`,
      `Its output is in ${run.logFile}; the services would never start in compose.`,
      logTail(run.logFile),
    );
  }
  console.log(`  ${elapsed()}  ${p.service.name} exited 0`);
}

async function runUntilHealthy(p: Prepared): Promise<void> {
  const run = launch(p.service.name, p.argv, {
    cwd: p.cwd,
    env: p.env,
    logFile: path.join(LOG_DIR, `${p.service.name}.log`),
  });
  started.push(run);
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  let exited = false;
  void run.exited.then(() => (exited = true));
  while (!exited && Date.now() < deadline) {
    // compose's own healthcheck command, with the service's environment, in its folder; only
    // once the port is open, as each try is a node process and five services start at once.
    const listening = await tcpReachable(config.host, Number(p.env.PORT), 500).then(
      () => true,
      () => false,
    );
    if (
      listening &&
      (await succeeds(p.service.healthcheck ?? [], { cwd: p.cwd, env: p.env, timeoutMs: 5_000 }))
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, listening ? 500 : 250));
  }
  if (exited || Date.now() >= deadline) {
    throw new StackError(
      `${p.service.name} ${exited ? 'exited' : 'never passed its compose healthcheck'} (${p.argv.join(' ')} in ${path.relative(REPO_ROOT, p.cwd)}).`,
      `Its output is in ${run.logFile}.`,
      logTail(run.logFile),
    );
  }
  console.log(`  ${elapsed()}  ${p.service.name} healthy`);
}

/** Starts every service when compose would: once each of its dependencies meets its condition. */
function runInDependencyOrder(
  prepared: readonly Prepared[],
  oneShots: ReadonlySet<string>,
): Promise<void> {
  const done = new Map<string, Promise<void>>();
  const byName = new Map(prepared.map((p) => [p.service.name, p]));
  const start = (name: string): Promise<void> => {
    const existing = done.get(name);
    if (existing) return existing;
    const p = byName.get(name);
    // Not ours: a stand-in from the launcher (checked in preflight) or the OTLP sink.
    const promise = !p
      ? Promise.resolve()
      : Promise.all(Object.keys(p.service.dependsOn).map(start)).then(() =>
          oneShots.has(name) ? runOneShot(p) : runUntilHealthy(p),
        );
    done.set(name, promise);
    return promise;
  };
  return Promise.all(prepared.map((p) => start(p.service.name))).then(() => undefined);
}

async function main(): Promise<void> {
  await preflight();
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const sink = await startOtlpSink(config.host);
  try {
    // The check signs with the launcher's development key, so compose mounts its public half.
    const { publicKeyFile } = await ensureDevKeyPair(config.stackDir);
    const services = await loadCompose(COMPOSE_FILE, ['services'], {
      ...process.env,
      AUTH_PUBLIC_KEY_PATH: publicKeyFile,
    });
    const composeNames = services.map((s) => s.name);
    const plan = planCompose(services, ['kafka', 'schema-registry', 'postgres', 'jaeger']);
    const oneShotNames = new Set(plan.oneShots.map((s) => s.name));
    const prepared = [...plan.oneShots, ...plan.longRunning].map((service) => {
      const build = service.build!;
      const stages = parseDockerfile(
        readFileSync(path.resolve(build.context, build.dockerfile), 'utf8'),
      );
      return prepare(service, imageStage(stages, build.target), composeNames, sink.port);
    });
    console.log(
      renderTable(
        prepared.map((p) => ({
          service: p.service.name,
          command: p.argv.join(' '),
          folder: path.relative(REPO_ROOT, p.cwd) || '.',
          'environment rewritten': p.rewrites || '-',
        })),
      ),
    );
    for (const p of prepared.filter((x) => !oneShotNames.has(x.service.name))) {
      await checkPortFree(config.host, Number(p.env.PORT), p.service.name);
    }
    const serviceNames = plan.longRunning.map((s) => s.build!.args.SERVICE as ServiceName);
    console.log(`Building ${serviceNames.join(', ')} (turbo, cached) ...`);
    await buildServices(serviceNames);
    console.log(`  ${elapsed()}  built; starting in compose's order`);
    await runInDependencyOrder(prepared, oneShotNames);

    const port = (name: string): string =>
      `http://${config.host}:${prepared.find((p) => p.service.name === name)?.env.PORT}`;
    const order = await placeOrderToFinal(
      { orders: port('order-service'), inventory: port('inventory-service') },
      await devSigner(config.stackDir),
      ORDER_TIMEOUT_MS,
    );
    if (order.status !== 'COMPLETED') {
      throw new StackError(
        `Order ${order.orderId} ended ${order.status}, not COMPLETED: ${order.detail}`,
        `The services' output is in ${LOG_DIR}.`,
      );
    }
    console.log(`  ${elapsed()}  order ${order.orderId} COMPLETED`);
    await waitForSpans(
      sink.services,
      plan.longRunning.map((s) => s.name),
    );
    console.log(
      `  ${elapsed()}  spans exported to the OTLP stand-in by ${[...sink.services].sort().join(', ')}`,
    );
  } finally {
    await stopAll(started);
    await sink.close();
  }
}

async function waitForSpans(seen: ReadonlySet<string>, expected: readonly string[]): Promise<void> {
  // The exporter batches every 5 s; a service that never exports has a broken OTLP wiring.
  const deadline = Date.now() + 15_000;
  while (expected.some((s) => !seen.has(s)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const missing = expected.filter((s) => !seen.has(s));
  if (missing.length > 0) {
    throw new StackError(
      `No spans reached compose's OTLP endpoint from ${missing.join(', ')} within 15 s of the order.`,
      'Check OTEL_EXPORTER_OTLP_ENDPOINT in docker-compose.yml and the service’s instrument.ts.',
    );
  }
}

try {
  await main();
  console.log(
    `Compose wiring works: ${elapsed()} in all. Logs in ${path.relative(REPO_ROOT, LOG_DIR)}/`,
  );
} catch (error) {
  console.error(`\n\u2716 ${error instanceof StackError ? error.report() : String(error)}`);
  process.exitCode = 1;
}
