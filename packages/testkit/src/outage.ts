import { kafkaBrokers, loadStackConfig, withBrokerOutage } from '@orderflow/infra';
import { testEnvironment } from './environment.js';

/** Runs `duringOutage` while the launcher's broker is stopped, then restarts it and waits for it. */
export function brokerOutage<T>(duringOutage: () => Promise<T>): Promise<T> {
  const config = loadStackConfig();
  const used = testEnvironment().kafkaBrokers;
  if (used !== kafkaBrokers(config)) {
    throw new Error(
      `the tests use the broker at ${used}, but the launcher's broker is ${kafkaBrokers(config)}: ` +
        'an outage test can only stop a broker the launcher runs (check KAFKA_PORT / KAFKA_BROKERS)',
    );
  }
  return withBrokerOutage(config, duringOutage);
}
