// Jest global setup for integration tests: find or start a real Kafka, schema registry and Postgres.
import {
  down,
  INFRASTRUCTURE,
  kafkaBrokers,
  loadStackConfig,
  provision,
  registryUrl,
  status,
  up,
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

export default async function globalSetup(): Promise<void> {
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
    return;
  }
  if (await dockerAvailable()) {
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
  log(
    'no stack running and no Docker engine; starting the JVM broker and registry with the launcher',
  );
  const t0 = Date.now();
  // Integration tests run their own handlers on private topics; the services are not needed.
  const { started } = await up(config, {
    output: 'silent',
    components: ['kafka', 'registry', 'postgres', 'topics', 'schemas'],
  });
  log(
    `stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (started: ${started.map((p) => p.component).join(', ') || 'nothing'})`,
  );
  exportEnvironment(local);
  globalThis.__orderflowTeardown = async () => {
    await down(
      config,
      started.map((p) => p.component),
    );
  };
}
