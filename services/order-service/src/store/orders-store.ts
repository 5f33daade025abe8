import type { Queryable } from '@orderflow/messaging';
import type { Backlog, OrderStatus, PlacedOrder } from '../domain/index.js';

/** SQL for the orders read model and idempotency keys. Every function runs on the caller's client/transaction. */
export interface OrderSummary {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalMinor: number | null;
  readonly currency: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface ViewRow {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  total: string | null;
  currency: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const VIEW_COLUMNS =
  'order_id, customer_id, status, total, currency, version, created_at, updated_at';

function toSummary(row: ViewRow): OrderSummary {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    totalMinor: row.total === null ? null : Number(row.total),
    currency: row.currency,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Writes the order's row from its folded state. `created_at` is the domain's `placedAt` (ms
 * precision), so a cursor built from a JSON timestamp finds the row again exactly. A row never
 * moves back to an older version.
 */
export async function saveOrderView(tx: Queryable, order: PlacedOrder, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO orders_view (${VIEW_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (order_id) DO UPDATE
        SET status = EXCLUDED.status, total = EXCLUDED.total, currency = EXCLUDED.currency,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
      WHERE orders_view.version < EXCLUDED.version`,
    [
      order.orderId,
      order.customerId,
      order.status,
      order.totalMinor,
      order.currency,
      order.version,
      order.placedAt,
      now.toISOString(),
    ],
  );
}

/** Serialises writers of one order for the rest of the transaction. */
export async function lockOrderView(tx: Queryable, orderId: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM orders_view WHERE order_id = $1 FOR UPDATE', [
    orderId,
  ]);
  return rowCount === 1;
}

export interface ListQuery {
  readonly status?: OrderStatus;
  readonly customerId?: string;
  /** Rows strictly after this (createdAt, orderId) in the newest-first order. */
  readonly after?: { readonly createdAt: string; readonly orderId: string };
  readonly limit: number;
}

/** Newest first, keyset-paginated on (created_at, order_id). */
export async function listOrders(db: Queryable, query: ListQuery): Promise<OrderSummary[]> {
  const { rows } = await db.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM orders_view
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::text IS NULL OR customer_id = $2)
        AND ($3::timestamptz IS NULL OR (created_at, order_id) < ($3, $4::text))
      ORDER BY created_at DESC, order_id DESC
      LIMIT $5`,
    [
      query.status ?? null,
      query.customerId ?? null,
      query.after?.createdAt ?? null,
      query.after?.orderId ?? null,
      query.limit,
    ],
  );
  return rows.map(toSummary);
}

export interface BacklogQuery {
  /** Count in-flight orders up to this many (the admission bound): the walk stays that short. */
  readonly countUpTo: number;
  /** Which in-flight order's placing time to return, counted from the oldest (1 = the oldest). */
  readonly ageRank: number;
}

/**
 * The in-flight backlog for admission control, in one statement on `orders_view_status`: PENDING
 * (the only non-final status) orders counted up to a cap, an index-only walk of at most that many
 * entries, and the placing time of the `ageRank`-th oldest, a backward scan of `ageRank` entries.
 */
export async function readBacklog(db: Queryable, query: BacklogQuery): Promise<Backlog> {
  const { rows } = await db.query<{ in_flight: number; ranked_placed_at: Date | null }>(
    `SELECT (SELECT count(*)::int
               FROM (SELECT 1 FROM orders_view WHERE status = 'PENDING' LIMIT $1) AS capped
            ) AS in_flight,
            (SELECT created_at FROM orders_view WHERE status = 'PENDING'
              ORDER BY created_at, order_id OFFSET $2 LIMIT 1
            ) AS ranked_placed_at`,
    [query.countUpTo, query.ageRank - 1],
  );
  const row = rows[0];
  return { inFlight: row?.in_flight ?? 0, rankedPlacedAt: row?.ranked_placed_at ?? null };
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly orderId: string;
}

/**
 * Claims an Idempotency-Key for a new order. When the key is taken, returns what it was first
 * used for; a concurrent first use blocks here until that transaction ends, so exactly one wins.
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  key: string,
  record: IdempotencyRecord,
): Promise<IdempotencyRecord | undefined> {
  const inserted = await tx.query(
    `INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO NOTHING`,
    [key, record.requestHash, record.orderId],
  );
  if (inserted.rowCount === 1) return undefined;
  const { rows } = await tx.query<{ request_hash: string; order_id: string }>(
    'SELECT request_hash, order_id FROM idempotency_keys WHERE key = $1',
    [key],
  );
  const row = rows[0];
  if (!row) throw new Error(`idempotency key ${key} conflicted but cannot be read`);
  return { requestHash: row.request_hash, orderId: row.order_id };
}
