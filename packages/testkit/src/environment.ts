/** Where the integration tests find the real broker, registry and Postgres. */
export interface TestEnvironment {
  readonly kafkaBrokers: string;
  readonly schemaRegistryUrl: string;
  readonly databaseUrl: string;
}

/** Reads the environment the global setup exported; fails with a clear message when it did not run. */
export function testEnvironment(env: NodeJS.ProcessEnv = process.env): TestEnvironment {
  const kafkaBrokers = env.KAFKA_BROKERS;
  const schemaRegistryUrl = env.SCHEMA_REGISTRY_URL;
  const databaseUrl = env.DATABASE_URL;
  if (!kafkaBrokers || !schemaRegistryUrl || !databaseUrl) {
    throw new Error(
      'KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL are not set: run integration tests through ' +
        "their jest config (it uses @orderflow/testkit/global-setup), e.g. './dev test:int'.",
    );
  }
  return { kafkaBrokers, schemaRegistryUrl, databaseUrl };
}
