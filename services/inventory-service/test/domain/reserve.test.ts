import { describe, expect, it } from '@jest/globals';
import { decideReserve, mergeLines, type StockItem } from '../../src/domain/reserve.js';

function item(sku: string, available: number, priceMinor = 1000, currency = 'EUR'): StockItem {
  return { sku, name: sku, priceMinor, currency, available, reserved: 0, committed: 0 };
}

const catalogue = new Map(
  [item('A', 5, 250), item('B', 1, 1999), item('EMPTY', 0), item('USD-1', 3, 100, 'USD')].map(
    (i) => [i.sku, i],
  ),
);

describe('decideReserve', () => {
  it('reserves every line, priced from the catalogue, with the total', () => {
    const decision = decideReserve(
      [
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 3 },
      ],
      catalogue,
    );
    expect(decision).toEqual({
      kind: 'reserved',
      currency: 'EUR',
      amountMinor: 3 * 250 + 1999,
      lines: [
        { sku: 'A', quantity: 3, unitAmountMinor: 250, lineAmountMinor: 750 },
        { sku: 'B', quantity: 1, unitAmountMinor: 1999, lineAmountMinor: 1999 },
      ],
      moves: [
        { sku: 'A', quantity: 3, from: 'available', to: 'reserved' },
        { sku: 'B', quantity: 1, from: 'available', to: 'reserved' },
      ],
    });
  });

  it('reserves exactly the last unit', () => {
    expect(decideReserve([{ sku: 'B', quantity: 1 }], catalogue).kind).toBe('reserved');
  });

  it('rejects the whole order naming every short SKU (all or nothing)', () => {
    expect(
      decideReserve(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 2 },
          { sku: 'EMPTY', quantity: 1 },
        ],
        catalogue,
      ),
    ).toEqual({ kind: 'rejected', reason: 'OUT_OF_STOCK', skus: ['B', 'EMPTY'] });
  });

  it('counts repeated SKUs together', () => {
    const lines = [
      { sku: 'A', quantity: 3 },
      { sku: 'A', quantity: 3 },
    ];
    expect(mergeLines(lines)).toEqual([{ sku: 'A', quantity: 6 }]);
    expect(decideReserve(lines, catalogue)).toEqual({
      kind: 'rejected',
      reason: 'OUT_OF_STOCK',
      skus: ['A'],
    });
  });

  it('rejects unknown SKUs by name', () => {
    expect(
      decideReserve(
        [
          { sku: 'NOPE', quantity: 1 },
          { sku: 'A', quantity: 1 },
        ],
        catalogue,
      ),
    ).toEqual({ kind: 'rejected', reason: 'UNKNOWN_SKU', skus: ['NOPE'] });
  });

  it('rejects empty orders, non-positive quantities and mixed currencies as OTHER', () => {
    expect(decideReserve([], catalogue)).toEqual({ kind: 'rejected', reason: 'OTHER', skus: [] });
    expect(decideReserve([{ sku: 'A', quantity: 0 }], catalogue)).toEqual({
      kind: 'rejected',
      reason: 'OTHER',
      skus: ['A'],
    });
    expect(
      decideReserve(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'USD-1', quantity: 1 },
        ],
        catalogue,
      ),
    ).toMatchObject({ kind: 'rejected', reason: 'OTHER' });
  });
});
