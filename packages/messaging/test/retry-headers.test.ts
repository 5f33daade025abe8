import { describe, expect, it } from '@jest/globals';
import {
  failureState,
  storedFailureState,
  withTrustedState,
  X,
  type RetryTier,
} from '../src/retry-headers.js';

const delivered = { topic: 'shipping.commands', partition: 3, offset: '42' };
const tier1: RetryTier = {
  originTopic: 'shipping.commands',
  tier: 1,
  delayMs: 1_000,
};
const forged = {
  [X.originTopic]: 'payments.commands',
  [X.originPartition]: '5',
  [X.originOffset]: '7',
  [X.attempts]: '4',
  [X.retryTier]: '2',
  [X.notBefore]: String(Date.now() + 600_000),
  [X.firstFailure]: '2026-12-02T10:00:00.000Z',
};

describe('failureState', () => {
  it('ignores failure headers on a topic that is not one of the group’s retry tiers', () => {
    expect(failureState(delivered, forged)).toEqual({
      origin: delivered,
      attempts: 0,
      tier: 0,
      notBefore: 0,
    });
  });

  it('on a retry tier takes the origin topic and tier from the topic, the rest from the headers', () => {
    const onTier = { ...delivered, topic: 'shipping.commands.shipping-service.retry.1' };
    expect(failureState(onTier, forged, tier1)).toEqual({
      origin: { topic: 'shipping.commands', partition: 5, offset: '7' },
      attempts: 4,
      tier: 1,
      notBefore: Number(forged[X.notBefore]),
      firstFailure: '2026-12-02T10:00:00.000Z',
    });
  });

  it('falls back to neutral values for headers that do not parse', () => {
    const junk = {
      [X.originPartition]: '-1',
      [X.originOffset]: '1e99',
      [X.attempts]: 'NaN',
      [X.notBefore]: 'soon',
      [X.firstFailure]: 'yesterday',
    };
    const state = failureState(delivered, junk, tier1);
    expect(state).toMatchObject({ origin: { ...delivered }, attempts: 0, tier: 1 });
    expect(state.notBefore).toBeNaN();
    expect(state.firstFailure).toBeUndefined();
  });
});

describe('withTrustedState / storedFailureState', () => {
  it('replaces the failure headers a record arrived with by the state the consumer believed', () => {
    const headers = { ce_id: 'm-1', ...forged };
    const firstDelivery = failureState(delivered, headers);
    expect(withTrustedState(headers, firstDelivery)).toEqual({ ce_id: 'm-1' });
    const retried = failureState(delivered, headers, tier1);
    const stored = withTrustedState(headers, retried);
    expect(stored).toEqual({
      ce_id: 'm-1',
      [X.attempts]: '4',
      [X.retryTier]: '1',
      [X.firstFailure]: '2026-12-02T10:00:00.000Z',
    });
    expect(storedFailureState(retried.origin, stored)).toEqual({ ...retried, notBefore: 0 });
  });
});
