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
import { createRunner, type Prepared } from './run.js';

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const LOG_DIR = path.join(REPO_ROOT, 'out', 'compose-check');
const ORDER_TIMEOUT_MS = 60_000;

const config = loadStackConfig();
const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const runner = createRunner({ host: config.host, logDir: LOG_DIR, elapsed });

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
  // The services default to 127.0.0.1:9092 and :8081 (service-runtime's commonEnv). In a
  // container that is the container itself; here it is the launcher's stack, so a variable
  // compose left out would still work. CI runs the check on other ports (.ci/run).
  if (config.kafkaPort === 9092 || config.registryPort === 8081) {
    console.warn(
      "note: the launcher's Kafka or registry is on a service default port (9092, 8081): a KAFKA_BROKERS or SCHEMA_REGISTRY_URL that docker-compose.yml leaves out would go unnoticed. A stack on other ports catches it (README, Running with Docker Compose).",
    );
  }
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
    await runner.runInDependencyOrder(prepared, oneShotNames);

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
    await runner.stopAll();
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
