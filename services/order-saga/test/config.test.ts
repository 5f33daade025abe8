import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@orderflow/service-runtime';
import { sagaConfig, sagaPolicy } from '../src/config.js';

const retry = (attemptTimeoutMs: number, deadlineMs: number) => ({
  attemptTimeoutMs,
  backoffCoefficient: 2,
  maxAttemptTimeoutMs: 30_000,
  deadlineMs,
});

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
      steps: {
        RESERVE_INVENTORY: retry(10_000, 60_000),
        PROCESS_PAYMENT: retry(15_000, 90_000),
        COMMIT_INVENTORY: retry(10_000, 60_000),
        SCHEDULE_SHIPMENT: retry(15_000, 60_000),
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
        SAGA_PROCESS_PAYMENT_DEADLINE_MS: '120000',
        SAGA_COMPENSATION_TIMEOUT_MS: '2000',
        SAGA_MAX_COMPENSATION_ATTEMPTS: '2',
      }),
    );
    expect(policy.steps.PROCESS_PAYMENT).toEqual(retry(4_000, 120_000));
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
