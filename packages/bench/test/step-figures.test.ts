import { describe, expect, it } from '@jest/globals';
import { orderBody, unitsNeeded } from '../src/platform/catalogue.js';
import { saturation, summarizeStep, unfinishedOrders } from '../src/platform/step-figures.js';
import { platformStep } from './fixtures.js';
import { summarizeLag } from '../src/platform/lag.js';

describe('the orders placed', () => {
  it('take the SKUs in turn, one unit each, paid with an approving token', () => {
    const shape = { customerId: 'bench-1', skus: ['A', 'B'] };
    const skus = [0, 1, 2].map((i) => orderBody(shape, i).items[0]?.sku);
    expect(skus).toEqual(['A', 'B', 'A']);
    expect(orderBody(shape, 0)).toMatchObject({
      customerId: 'bench-1',
      payment: { token: 'tok_approve' },
    });
  });

  it('need each SKU’s share of the step’s orders in stock, with headroom', () => {
    expect(unitsNeeded(150, 4)).toBe(38 + 50);
  });
});

describe('summarizeStep', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const order = (status: string, placed: number, final: number | null) => ({
    status,
    placedAt: at(placed),
    finalAt: final === null ? null : at(final),
  });

  const step = summarizeStep({
    options: { rate: 2, durationSeconds: 2 },
    sent: [
      { dueAt: 0, status: 202, answeredAt: 5, orderId: 'a' },
      { dueAt: 500, status: 202, answeredAt: 520, orderId: 'b' },
      { dueAt: 1000, status: 202, answeredAt: 1003, orderId: 'c' },
      { dueAt: 1500, status: 503, answeredAt: 1510 },
      { dueAt: 2000, status: 'network', answeredAt: 2100 },
    ],
    orders: [
      order('COMPLETED', 0, 40),
      order('COMPLETED', 500, 1000),
      { ...order('CANCELLED', 1000, 1100), cancellation: { reason: 'STEP_TIMEOUT' } },
    ],
    lagSamples: [],
    generatorLateMs: 2,
    recordsWritten: 57,
    commits: 90,
    windowSeconds: 3,
    resources: [],
    handlers: {},
  });

  it('counts answers, outcomes and errors', () => {
    expect(step).toMatchObject({
      sent: 5,
      accepted: 3,
      httpErrors: { '503': 1, network: 1 },
      completed: 2,
      cancelled: 1,
      cancelReasons: { STEP_TIMEOUT: 1 },
      otherStatus: {},
      recordsPerOrder: 19,
      commitsPerOrder: 30,
    });
  });

  it('takes latency from the orders’ own timestamps, completed orders only', () => {
    expect(step.latencyMs).toMatchObject({ count: 2, p50: 40, max: 500 });
    // Completions at 0.04 s and 1 s: one interval of 0.96 s.
    expect(step.completedPerSecond).toBeCloseTo(1 / 0.96);
  });

  it('measures acceptance from the scheduled time, not the send time', () => {
    expect(step.acceptMs).toMatchObject({ count: 3, p50: 5, max: 20 });
  });

  it('lists orders it could not read or that did not finish', () => {
    const unfinished = summarizeStep({
      options: { rate: 1, durationSeconds: 1 },
      sent: [
        { dueAt: 0, status: 202, orderId: 'a' },
        { dueAt: 1, status: 202, orderId: 'b' },
      ],
      orders: [order('PENDING', 0, null), undefined],
      lagSamples: [],
      generatorLateMs: 0,
      recordsWritten: 0,
      commits: 0,
      windowSeconds: 1,
      resources: [],
      handlers: {},
    });
    expect(unfinished.otherStatus).toEqual({ PENDING: 1, UNREADABLE: 1 });
    expect(unfinishedOrders(unfinished)).toBe(2);
    expect(unfinishedOrders({ ...unfinished, otherStatus: { FAILED_NEEDS_ATTENTION: 3 } })).toBe(0);
    expect(unfinished.latencyMs).toBeUndefined();
    expect(unfinished.commitsPerOrder).toBeUndefined();
    expect(unfinished.lag).toEqual(summarizeLag([]));
  });
});

describe('saturation', () => {
  it('is reached when orders never finished, or lag grew while completions fell short', () => {
    expect(saturation(platformStep(30))).toBeUndefined();
    expect(saturation(platformStep(30, { otherStatus: { PENDING: 4 } }))).toMatch(
      /4 orders of the 30\/s step never finished/,
    );
    const lagging = { ...platformStep(60).lag, growing: true };
    expect(saturation(platformStep(60, { lag: lagging, completedPerSecond: 41 }))).toMatch(
      /lag kept growing and 41.0 orders\/s completed/,
    );
    // Growing lag with completions keeping up: a slow start, not saturation.
    expect(saturation(platformStep(60, { lag: lagging, completedPerSecond: 58 }))).toBeUndefined();
  });
});
