import type { Queryable } from '@orderflow/messaging';
import type {
  PricedLine,
  RejectionReason,
  StockBucket,
  StockItem,
  StockMove,
} from '../domain/reserve.js';
import type { Reservation, ReservationStatus } from '../domain/reservation.js';

/** SQL for the catalogue and reservations. Every function runs on the caller's client/transaction. */
interface CatalogueRow {
  sku: string;
  name: string;
  price_minor: string;
  currency: string;
  available: number;
  reserved: number;
  committed: number;
}

const CATALOGUE_COLUMNS = 'sku, name, price_minor, currency, available, reserved, committed';

function toItem(row: CatalogueRow): StockItem {
  return {
    sku: row.sku,
    name: row.name,
    priceMinor: Number(row.price_minor),
    currency: row.currency,
    available: row.available,
    reserved: row.reserved,
    committed: row.committed,
  };
}

export async function listItems(db: Queryable): Promise<StockItem[]> {
  const { rows } = await db.query<CatalogueRow>(
    `SELECT ${CATALOGUE_COLUMNS} FROM catalogue ORDER BY sku`,
  );
  return rows.map(toItem);
}

export async function findItem(db: Queryable, sku: string): Promise<StockItem | undefined> {
  const { rows } = await db.query<CatalogueRow>(
    `SELECT ${CATALOGUE_COLUMNS} FROM catalogue WHERE sku = $1`,
    [sku],
  );
  return rows[0] && toItem(rows[0]);
}

/**
 * Locks the rows of these SKUs for the rest of the transaction, always in SKU order, so two
 * orders touching the same SKUs queue instead of deadlocking.
 */
export async function lockItems(
  tx: Queryable,
  skus: readonly string[],
): Promise<Map<string, StockItem>> {
  const { rows } = await tx.query<CatalogueRow>(
    `SELECT ${CATALOGUE_COLUMNS} FROM catalogue WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
    [[...skus]],
  );
  return new Map(rows.map((row) => [row.sku, toItem(row)]));
}

const BUCKETS: Readonly<Record<StockBucket, string>> = {
  available: 'available',
  reserved: 'reserved',
  committed: 'committed',
};

/** Applies moves in SKU order; a CHECK violation (stock below zero) aborts the transaction. */
export async function applyMoves(tx: Queryable, moves: readonly StockMove[]): Promise<void> {
  const ordered = [...moves].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  for (const move of ordered) {
    const from = BUCKETS[move.from];
    const to = BUCKETS[move.to];
    const { rowCount } = await tx.query(
      `UPDATE catalogue SET ${from} = ${from} - $2, ${to} = ${to} + $2, updated_at = now() WHERE sku = $1`,
      [move.sku, move.quantity],
    );
    if (rowCount !== 1) throw new Error(`stock move for unknown SKU ${move.sku}`);
  }
}

export interface ItemUpdate {
  readonly priceMinor?: number;
  readonly available?: number;
}

export async function updateItem(
  db: Queryable,
  sku: string,
  update: ItemUpdate,
): Promise<StockItem | undefined> {
  const { rows } = await db.query<CatalogueRow>(
    `UPDATE catalogue
        SET price_minor = COALESCE($2, price_minor),
            available   = COALESCE($3, available),
            updated_at  = now()
      WHERE sku = $1
      RETURNING ${CATALOGUE_COLUMNS}`,
    [sku, update.priceMinor ?? null, update.available ?? null],
  );
  return rows[0] && toItem(rows[0]);
}

interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  lines: PricedLine[];
  amount_minor: string | null;
  currency: string | null;
  reject_reason: RejectionReason | null;
  reject_skus: string[];
}

/** The order's reservation, locked for the rest of the transaction. */
export async function lockReservation(
  tx: Queryable,
  orderId: string,
): Promise<Reservation | undefined> {
  const { rows } = await tx.query<ReservationRow>(
    `SELECT order_id, status, lines, amount_minor, currency, reject_reason, reject_skus
       FROM reservations WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  const row = rows[0];
  return (
    row && {
      orderId: row.order_id,
      status: row.status,
      lines: row.lines,
      amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
      currency: row.currency,
      rejectReason: row.reject_reason,
      rejectSkus: row.reject_skus,
    }
  );
}

export async function insertReservation(tx: Queryable, reservation: Reservation): Promise<void> {
  await tx.query(
    `INSERT INTO reservations (order_id, status, lines, amount_minor, currency, reject_reason, reject_skus)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::text[])`,
    [
      reservation.orderId,
      reservation.status,
      JSON.stringify(reservation.lines),
      reservation.amountMinor,
      reservation.currency,
      reservation.rejectReason,
      [...reservation.rejectSkus],
    ],
  );
}

export async function setReservationStatus(
  tx: Queryable,
  orderId: string,
  status: ReservationStatus,
): Promise<void> {
  await tx.query('UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1', [
    orderId,
    status,
  ]);
}
