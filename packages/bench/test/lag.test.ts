import { describe, expect, it } from '@jest/globals';
import { groupLag, platformGroups, summarizeLag, type LagSample } from '../src/platform/lag.js';

describe('platformGroups', () => {
  it('has each consuming service read its catalogue topics and their retry tiers', () => {
    const groups = new Map(platformGroups().map((g) => [g.group, g.topics]));
    expect([...groups.keys()].sort()).toEqual([
      'inventory-service',
      'order-saga',
      'order-service',
      'payment-service',
      'shipping-service',
    ]);
    expect(groups.get('payment-service')).toEqual([
      'payments.commands',
      'payments.commands.payment-service.retry.1',
      'payments.commands.payment-service.retry.2',
    ]);
    expect(groups.get('order-saga')).toContain('shipping.events');
  });
});

describe('groupLag', () => {
  const ends = new Map([
    [
      't',
      [
        { partition: 0, high: '100', low: '0' },
        { partition: 1, high: '50', low: '20' },
        { partition: 2, high: '10', low: '0' },
      ],
    ],
  ]);

  it('sums high watermark minus committed offset over the partitions', () => {
    const committed = [
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '90' },
          { partition: 1, offset: '50' },
          { partition: 2, offset: '10' },
        ],
      },
    ];
    expect(groupLag(committed, ends)).toBe(10);
  });

  it('counts a partition never committed from its low watermark', () => {
    const committed = [
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '100' },
          { partition: 1, offset: '-1' },
        ],
      },
    ];
    // partition 1: 50 - 20; partition 2 (absent): 10 - 0.
    expect(groupLag(committed, ends)).toBe(40);
  });
});

describe('summarizeLag', () => {
  const samples = (totals: number[], writtenPerSecond: number): LagSample[] =>
    totals.map((total, i) => ({
      at: i,
      byGroup: { 'order-saga': total },
      total,
      written: i * writtenPerSecond,
    }));

  it('calls a saw-tooth from once-a-second commits steady', () => {
    const summary = summarizeLag(samples([0, 500, 20, 480, 10, 520, 0, 490, 30, 510, 5], 570));
    expect(summary.growing).toBe(false);
    expect(summary.maxByGroup).toEqual({ 'order-saga': 520 });
    expect(summary.recordsWritten).toBe(5700);
  });

  it('calls lag that climbs by more than a tenth of the record rate growing', () => {
    const climbing = Array.from({ length: 11 }, (_, i) => 300 * i);
    const summary = summarizeLag(samples(climbing, 1000));
    expect(summary.growing).toBe(true);
    expect(summary.slopePerSecond).toBeCloseTo(300);
    expect(summary.endByGroup).toEqual({ 'order-saga': 3000 });
  });

  it('copes with no samples', () => {
    expect(summarizeLag([])).toMatchObject({ samples: 0, growing: false, recordsWritten: 0 });
  });
});
