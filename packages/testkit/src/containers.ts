import { existsSync } from 'node:fs';
import type { TestEnvironment } from './environment.js';

/**
 * The testcontainers path, for machines with a Docker engine. Images match docker-compose.yml;
 * the Confluent Kafka image is the one @testcontainers/kafka knows how to configure.
 */
export interface StartedContainers {
  readonly environment: TestEnvironment;
  stop(): Promise<void>;
}

/** Cheap check before loading testcontainers at all: is there any Docker endpoint to try? */
export async function dockerAvailable(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startContainers(): Promise<StartedContainers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, registry, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(),
    new GenericContainer('apicurio/apicurio-registry:3.0.9')
      .withEnvironment({
        APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true',
        APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED: 'false',
      })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/health/ready', 8080))
      .start(),
    new PostgreSqlContainer('postgres:17').start(),
  ]);
  return {
    environment: {
      kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: postgres.getConnectionUri(),
    },
    async stop() {
      await Promise.all([kafka.stop(), registry.stop(), postgres.stop()]);
    },
  };
}
