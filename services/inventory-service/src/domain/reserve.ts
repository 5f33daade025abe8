import type { MessagePayload } from '@orderflow/contracts';

/**
 * Pricing and all-or-nothing reservation of an order's lines against the catalogue. Pure: the
 * caller loads (and locks) the catalogue rows and applies the resulting stock moves.
 */
export interface StockItem {
  readonly sku: string;
  readonly name: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly available: number;
  readonly reserved: number;
  readonly committed: number;
}

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

export type StockBucket = 'available' | 'reserved' | 'committed';

/** Move `quantity` units of a SKU from one bucket to another; stock is conserved by construction. */
export interface StockMove {
  readonly sku: string;
  readonly quantity: number;
  readonly from: StockBucket;
  readonly to: StockBucket;
}

export type PricedLine = MessagePayload<'inventory.InventoryReserved'>['lines'][number];
export type RejectionReason = MessagePayload<'inventory.InventoryReservationRejected'>['reason'];

export type ReserveDecision =
  | {
      readonly kind: 'reserved';
      readonly lines: readonly PricedLine[];
      readonly amountMinor: number;
      readonly currency: string;
      readonly moves: readonly StockMove[];
    }
  | {
      readonly kind: 'rejected';
      readonly reason: RejectionReason;
      readonly skus: readonly string[];
    };

/** Sums repeated SKUs so each is checked and reserved once; sorted by SKU (the lock order). */
export function mergeLines(lines: readonly OrderLine[]): OrderLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku]
    .map(([sku, quantity]) => ({ sku, quantity }))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

export function decideReserve(
  requested: readonly OrderLine[],
  catalogue: ReadonlyMap<string, StockItem>,
): ReserveDecision {
  const lines = mergeLines(requested);
  if (lines.length === 0) return { kind: 'rejected', reason: 'OTHER', skus: [] };
  const invalid = lines.filter((l) => !Number.isSafeInteger(l.quantity) || l.quantity < 1);
  if (invalid.length > 0) return { kind: 'rejected', reason: 'OTHER', skus: skusOf(invalid) };
  const unknown = lines.filter((l) => !catalogue.has(l.sku));
  if (unknown.length > 0) return { kind: 'rejected', reason: 'UNKNOWN_SKU', skus: skusOf(unknown) };
  const items = lines.map((line) => ({ line, item: catalogue.get(line.sku) as StockItem }));
  const short = items.filter(({ line, item }) => item.available < line.quantity);
  if (short.length > 0)
    return { kind: 'rejected', reason: 'OUT_OF_STOCK', skus: short.map(({ line }) => line.sku) };
  const currencies = new Set(items.map(({ item }) => item.currency));
  // One order is charged in one currency; a mixed-currency catalogue is a data problem, refused.
  if (currencies.size !== 1) return { kind: 'rejected', reason: 'OTHER', skus: skusOf(lines) };

  const priced: PricedLine[] = items.map(({ line, item }) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitAmountMinor: item.priceMinor,
    lineAmountMinor: item.priceMinor * line.quantity,
  }));
  return {
    kind: 'reserved',
    lines: priced,
    amountMinor: priced.reduce((sum, l) => sum + l.lineAmountMinor, 0),
    currency: [...currencies][0] as string,
    moves: lines.map(({ sku, quantity }) => ({ sku, quantity, from: 'available', to: 'reserved' })),
  };
}

function skusOf(lines: readonly OrderLine[]): string[] {
  return lines.map((l) => l.sku);
}
