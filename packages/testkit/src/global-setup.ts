// Jest global setup for integration tests: find or start a real Kafka, schema registry and Postgres.
import {
  parseInstance,
  down,
  INFRASTRUCTURE,
  kafkaBrokers,
  loadStackConfig,
  provision,
  registryUrl,
  StackError,
  status,
  up,
  type Component,
  type StackConfig,
} from '@orderflow/infra';
import { dockerAvailable, startContainers } from './containers.js';
import type { TestEnvironment } from './environment.js';

declare global {
  var __orderflowTeardown: (() => Promise<void>) | undefined;
}

function log(message: string): void {
  process.stderr.write(`[testkit] ${message}\n`);
}

function exportEnvironment(env: TestEnvironment): void {
  // Workers are spawned after global setup and inherit this process's environment.
  process.env.KAFKA_BROKERS = env.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = env.schemaRegistryUrl;
  process.env.DATABASE_URL = env.databaseUrl;
}

/** Starts `components` with the launcher; teardown stops exactly what this started. */
async function startWithLauncher(config: StackConfig, components: Component[]): Promise<void> {
  const t0 = Date.now();
  const { started } = await up(config, { output: 'silent', components }).catch((error) => {
    // Jest prints only the message of a failed global setup; the hint and log tail say why.
    if (error instanceof StackError) log(error.report());
    throw error;
  });
  const names = started.map((p) => p.component);
  log(
    `ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (started: ${names.join(', ') || 'nothing'})`,
  );
  const previous = globalThis.__orderflowTeardown;
  globalThis.__orderflowTeardown = async () => {
    await down(config, names);
    await previous?.();
  };
}

const INFRA_COMPONENTS: Component[] = ['kafka', 'registry', 'postgres', 'topics', 'schemas'];

export default async function globalSetup(
  _globalConfig: unknown,
  projectConfig: { globals?: Record<string, unknown> },
): Promise<void> {
  // End-to-end suites set this through jestConfig({ services: true }); the others run their own
  // handlers on private topics and need only the infrastructure.
  const needServices = projectConfig.globals?.orderflowServices === true;
  const config = loadStackConfig();
  const given = process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL;
  if (given) {
    log(
      `using KAFKA_BROKERS=${process.env.KAFKA_BROKERS} SCHEMA_REGISTRY_URL=${process.env.SCHEMA_REGISTRY_URL}`,
    );
    exportEnvironment({
      kafkaBrokers: process.env.KAFKA_BROKERS ?? '',
      schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL ?? '',
      databaseUrl: config.databaseUrl,
    });
    return;
  }
  const local: TestEnvironment = {
    kafkaBrokers: kafkaBrokers(config),
    schemaRegistryUrl: registryUrl(config),
    databaseUrl: config.databaseUrl,
  };
  const rows = await status(config);
  const infrastructure = rows.filter((r) => INFRASTRUCTURE.includes(r.component));
  if (infrastructure.every((r) => r.state === 'ready' || r.state === 'external')) {
    log(`using the running stack (${local.kafkaBrokers}, ${local.schemaRegistryUrl})`);
    exportEnvironment(local);
    // The service instances only: the console serves itself in its own tests, and Zipkin and
    // Prometheus (`--with`) are read only by the tests that skip without them.
    const services = rows.filter((r) => parseInstance(r.component) !== undefined);
    if (needServices && !services.every((r) => r.state === 'ready' || r.state === 'external')) {
      log('starting the services that are not running');
      await startWithLauncher(config, ['services']);
    }
    return;
  }
  if (!needServices && (await dockerAvailable())) {
    log('no stack running; starting Kafka, registry and Postgres with testcontainers');
    const containers = await startContainers();
    await provision(
      loadStackConfig({ ...process.env, DATABASE_URL: containers.environment.databaseUrl }),
      [containers.environment.kafkaBrokers],
    );
    exportEnvironment(containers.environment);
    globalThis.__orderflowTeardown = () => containers.stop();
    return;
  }
  log('no stack running; starting it with the launcher (JVM broker and registry)');
  await startWithLauncher(
    config,
    needServices ? [...INFRA_COMPONENTS, 'services'] : INFRA_COMPONENTS,
  );
  exportEnvironment(local);
}
