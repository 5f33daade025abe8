import { loadStackConfig, withBrokerOutage } from '@orderflow/infra';

/** Runs `duringOutage` while the launcher's broker is stopped, then restarts it and waits for it. */
export function brokerOutage<T>(duringOutage: () => Promise<T>): Promise<T> {
  return withBrokerOutage(loadStackConfig(), duringOutage);
}
