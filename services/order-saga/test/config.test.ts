import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@orderflow/service-runtime';
import { sagaConfig, sagaPolicy } from '../src/config.js';

describe('order-saga config', () => {
  it('defaults to port 3004, the saga database, a 250 ms poll and a complete policy', () => {
    const config = sagaConfig({});
    expect(config).toMatchObject({
      PORT: 3004,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orderflow_saga',
      SAGA_DEADLINE_POLL_MS: 250,
      SAGA_DEADLINE_BATCH: 50,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(sagaPolicy(config)).toEqual({
      stepTimeoutMs: {
        RESERVE_INVENTORY: 10_000,
        PROCESS_PAYMENT: 15_000,
        COMMIT_INVENTORY: 10_000,
        SCHEDULE_SHIPMENT: 15_000,
      },
      compensationTimeoutMs: {
        RESERVE_INVENTORY: 10_000,
        PROCESS_PAYMENT: 10_000,
        COMMIT_INVENTORY: 10_000,
        SCHEDULE_SHIPMENT: 10_000,
      },
      maxCompensationAttempts: 5,
    });
  });

  it('takes the policy from the environment', () => {
    const policy = sagaPolicy(
      sagaConfig({
        SAGA_PROCESS_PAYMENT_TIMEOUT_MS: '4000',
        SAGA_COMPENSATION_TIMEOUT_MS: '2000',
        SAGA_MAX_COMPENSATION_ATTEMPTS: '2',
      }),
    );
    expect(policy.stepTimeoutMs.PROCESS_PAYMENT).toBe(4_000);
    expect(policy.compensationTimeoutMs.SCHEDULE_SHIPMENT).toBe(2_000);
    expect(policy.maxCompensationAttempts).toBe(2);
  });

  it('names every bad variable at once', () => {
    const load = () =>
      sagaConfig({ SAGA_DEADLINE_POLL_MS: '0', SAGA_MAX_COMPENSATION_ATTEMPTS: 'many' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SAGA_DEADLINE_POLL_MS[\s\S]*SAGA_MAX_COMPENSATION_ATTEMPTS/);
  });
});
