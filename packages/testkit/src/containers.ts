import { existsSync } from 'node:fs';
import { VERSIONS } from '@orderflow/infra';
import type { TestEnvironment } from './environment.js';

/**
 * The testcontainers path, for machines with a Docker engine: the versions the launcher runs
 * (infra/src/config.ts VERSIONS) as the images docker-compose.yml names, so a test sees the same
 * broker and registry on either path. Kafka is apache/kafka, not Confluent's cp-kafka that
 * @testcontainers/kafka configures. Untested here: the development and CI machines have no
 * Docker engine, so this path only type-checks (`./dev typecheck`); the launcher's JVM stack is
 * what the suites run against.
 */
export const CONTAINER_IMAGES = {
  kafka: `apache/kafka:${VERSIONS.kafka}`,
  registry: `apicurio/apicurio-registry:${VERSIONS.apicurio}`,
  postgres: 'postgres:17',
} as const;

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

// The broker must advertise the host port Docker maps, known only once the container runs; the
// container waits for a starter script that exports it, as @testcontainers/kafka does for cp-kafka.
const KAFKA_HOST_PORT = 9092;
const STARTER = '/tmp/orderflow-kafka-start.sh';
const WAITING = 'waiting for the starter script';

async function startKafka() {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CONTAINER_IMAGES.kafka)
    .withExposedPorts(KAFKA_HOST_PORT)
    .withEnvironment({
      // As docker-compose.yml's kafka: one KRaft node; HOST for clients, INTERNAL between brokers.
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:29093',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENERS: `INTERNAL://:29092,CONTROLLER://:29093,HOST://:${KAFKA_HOST_PORT}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_NUM_PARTITIONS: '6',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withEntrypoint(['sh'])
    .withCommand([
      '-c',
      `echo '${WAITING}'; while [ ! -f ${STARTER} ]; do sleep 0.1; done; exec ${STARTER}`,
    ])
    .withWaitStrategy(Wait.forLogMessage(WAITING))
    .withStartupTimeout(180_000)
    .start();
  const brokers = `${container.getHost()}:${container.getMappedPort(KAFKA_HOST_PORT)}`;
  await container.copyContentToContainer([
    {
      content: [
        '#!/bin/bash',
        `export KAFKA_ADVERTISED_LISTENERS=INTERNAL://localhost:29092,HOST://${brokers}`,
        // The apache/kafka image's own entry point, which the command above replaced.
        'exec /etc/kafka/docker/run',
        '',
      ].join('\n'),
      target: STARTER,
      mode: 0o755,
    },
  ]);
  const ready = await container.exec([
    'bash',
    '-c',
    'for i in $(seq 120); do /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:29092 >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1',
  ]);
  if (ready.exitCode !== 0) throw new Error(`${CONTAINER_IMAGES.kafka} did not become ready`);
  return { container, brokers };
}

export async function startContainers(): Promise<StartedContainers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, registry, postgres] = await Promise.all([
    startKafka(),
    new GenericContainer(CONTAINER_IMAGES.registry)
      .withEnvironment({
        APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true',
        APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED: 'false',
      })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/health/ready', 8080))
      .start(),
    new PostgreSqlContainer(CONTAINER_IMAGES.postgres).start(),
  ]);
  return {
    environment: {
      kafkaBrokers: kafka.brokers,
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: postgres.getConnectionUri(),
    },
    async stop() {
      await Promise.all([kafka.container.stop(), registry.stop(), postgres.stop()]);
    },
  };
}
