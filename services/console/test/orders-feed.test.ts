import { describe, expect, it } from '@jest/globals';
import { changedSince, remember, seenOf, type OrderSummary } from '../src/orders-feed.js';

const order = (orderId: string, status = 'PENDING', version = 1): OrderSummary => ({
  orderId,
  customerId: 'c-1',
  status,
  totalMinor: null,
  currency: null,
  version,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('the live order list', () => {
  it('reports new orders and orders whose status or version changed, oldest first', () => {
    const seen = seenOf([order('a'), order('b')]);
    const page = [order('c'), order('b', 'COMPLETED', 5), order('a')];
    expect(changedSince(seen, page).map((o) => o.orderId)).toEqual(['b', 'c']);
  });

  it('reports nothing for a page it has seen', () => {
    const page = [order('a', 'CANCELLED', 3)];
    expect(changedSince(remember(seenOf([]), page), page)).toEqual([]);
  });

  it('remembers at most the bound, dropping the longest unseen first', () => {
    const seen = remember(seenOf([order('a'), order('b')]), [order('c')], 2);
    expect([...seen.keys()]).toEqual(['b', 'c']);
  });
});
