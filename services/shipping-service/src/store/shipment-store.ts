import type { Queryable } from '@orderflow/messaging';
import type { Shipment, ShipmentLine, ShipmentStatus } from '../domain/shipment.js';

/** SQL for shipments. Every function runs on the caller's client or transaction. */
interface ShipmentRow {
  order_id: string;
  status: ShipmentStatus;
  shipment_id: string | null;
  carrier: string | null;
  tracking_number: string | null;
  country: string | null;
  lines: ShipmentLine[];
  scheduled_at: Date | null;
  cancelled_at: Date | null;
}

const COLUMNS =
  'order_id, status, shipment_id, carrier, tracking_number, country, lines, scheduled_at, cancelled_at';

function toShipment(row: ShipmentRow): Shipment {
  return {
    orderId: row.order_id,
    status: row.status,
    shipmentId: row.shipment_id,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    country: row.country,
    lines: row.lines,
    scheduledAt: row.scheduled_at,
    cancelledAt: row.cancelled_at,
  };
}

export async function findShipment(db: Queryable, orderId: string): Promise<Shipment | undefined> {
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${COLUMNS} FROM shipments WHERE order_id = $1`,
    [orderId],
  );
  return rows[0] && toShipment(rows[0]);
}

/**
 * Serialises every command for this order until the transaction ends, then reads its row. The
 * advisory lock also covers an order with no row yet (FOR UPDATE alone locks nothing there), so
 * two commands for one order racing (e.g. one arriving from a retry topic) never both insert: a
 * unique violation would be classified non-retryable and dead-lettered. A hash collision only
 * makes two unrelated orders queue behind each other.
 */
export async function lockShipment(tx: Queryable, orderId: string): Promise<Shipment | undefined> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('shipments:' || $1, 0))", [
    orderId,
  ]);
  const { rows } = await tx.query<ShipmentRow>(
    `SELECT ${COLUMNS} FROM shipments WHERE order_id = $1 FOR UPDATE`,
    [orderId],
  );
  return rows[0] && toShipment(rows[0]);
}

/** The next tracking serial; sequences never hand out a value twice. */
export async function nextTrackingSerial(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ serial: number }>(
    "SELECT nextval('tracking_serial')::integer AS serial",
  );
  const serial = rows[0]?.serial;
  if (serial === undefined) throw new Error('nextval returned no row');
  return serial;
}

/** Inserts the order's row; the caller holds `lockShipment`'s lock, so it is the only writer. */
export async function insertShipment(tx: Queryable, shipment: Shipment): Promise<void> {
  await tx.query(
    `INSERT INTO shipments (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
    [
      shipment.orderId,
      shipment.status,
      shipment.shipmentId,
      shipment.carrier,
      shipment.trackingNumber,
      shipment.country,
      JSON.stringify(shipment.lines),
      shipment.scheduledAt,
      shipment.cancelledAt,
    ],
  );
}

export async function markCancelled(tx: Queryable, orderId: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE shipments SET status = 'CANCELLED', cancelled_at = $2, updated_at = now()
      WHERE order_id = $1`,
    [orderId, now],
  );
}
