import type { MessagePayload } from '@orderflow/contracts';
import { trackingNumber } from './tracking-number.js';

/**
 * One order's shipment as a small state machine, so both saga commands are idempotent per order:
 *
 *   (none) --schedule--> SCHEDULED            (supported country, valid address)
 *   (none) --schedule--> (none) + rejection   (a refusal books nothing, so nothing is stored)
 *   SCHEDULED --cancel--> CANCELLED
 *   (none) --cancel--> CANCELLED without a shipment   (a schedule arriving later does nothing)
 *
 * A repeated command re-sends the recorded reply; a schedule after cancel is ignored. Pure: the
 * caller loads (and locks) the order's row, allocates ids and the clock, and stores the result.
 */
export type ScheduleShipment = MessagePayload<'saga.ScheduleShipment'>;
export type ShippingAddress = ScheduleShipment['address'];
export type ShipmentLine = ScheduleShipment['lines'][number];
export type RejectionReason = MessagePayload<'shipping.ShipmentRejected'>['reason'];

export type ShipmentStatus = 'SCHEDULED' | 'CANCELLED';

export interface Shipment {
  readonly orderId: string;
  readonly status: ShipmentStatus;
  /** Null only for a cancel that arrived before any shipment was booked. */
  readonly shipmentId: string | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly country: string | null;
  readonly lines: readonly ShipmentLine[];
  readonly scheduledAt: Date | null;
  readonly cancelledAt: Date | null;
}

export interface ShippingPolicy {
  /** ISO 3166-1 alpha-2 codes we deliver to. */
  readonly countries: ReadonlySet<string>;
  readonly carrier: string;
}

export type ScheduleDecision =
  | { readonly kind: 'book'; readonly country: string; readonly carrier: string }
  | { readonly kind: 'reject'; readonly reason: RejectionReason; readonly detail: string }
  | { readonly kind: 'replay'; readonly shipment: Shipment }
  | { readonly kind: 'ignore'; readonly why: string };

export type CancelDecision =
  | { readonly kind: 'cancel'; readonly shipmentId: string }
  /** Nothing was booked: record the cancel so a late schedule does nothing, and confirm. */
  | { readonly kind: 'tombstone' }
  | { readonly kind: 'replay'; readonly shipmentId: string | null };

const BLANK = /^\s*$/;

export function decideSchedule(
  command: ScheduleShipment,
  existing: Shipment | undefined,
  policy: ShippingPolicy,
): ScheduleDecision {
  if (existing?.status === 'SCHEDULED') return { kind: 'replay', shipment: existing };
  if (existing?.status === 'CANCELLED')
    return { kind: 'ignore', why: 'the order was cancelled before or after it was scheduled' };

  const { address, lines } = command;
  const country = address.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    return reject('INVALID_ADDRESS', `"${address.country}" is not an ISO 3166-1 alpha-2 code`);
  const missing = (['name', 'line1', 'city', 'postalCode'] as const).filter((field) =>
    BLANK.test(address[field]),
  );
  if (missing.length > 0)
    return reject('INVALID_ADDRESS', `address is missing ${missing.join(', ')}`);
  if (!policy.countries.has(country))
    return reject('UNSUPPORTED_COUNTRY', `we do not ship to ${country}`);
  if (lines.length === 0 || lines.some((line) => line.quantity < 1))
    return reject('OTHER', 'nothing to ship: every line needs a quantity of at least 1');
  return { kind: 'book', country, carrier: policy.carrier };
}

function reject(reason: RejectionReason, detail: string): ScheduleDecision {
  return { kind: 'reject', reason, detail };
}

/** Ids and the clock come from the caller, so booking is deterministic under test. */
export interface BookingIds {
  readonly shipmentId: string;
  /** A never-reused serial (a database sequence) from which the tracking number is made. */
  readonly trackingSerial: number;
}

export function bookShipment(
  command: ScheduleShipment,
  decision: Extract<ScheduleDecision, { kind: 'book' }>,
  ids: BookingIds,
  now: Date,
): Shipment {
  return {
    orderId: command.orderId,
    status: 'SCHEDULED',
    shipmentId: ids.shipmentId,
    carrier: decision.carrier,
    trackingNumber: trackingNumber(ids.trackingSerial),
    country: decision.country,
    lines: command.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    scheduledAt: now,
    cancelledAt: null,
  };
}

export function decideCancel(existing: Shipment | undefined): CancelDecision {
  if (existing === undefined) return { kind: 'tombstone' };
  if (existing.status === 'CANCELLED') return { kind: 'replay', shipmentId: existing.shipmentId };
  if (existing.shipmentId === null)
    throw new Error(`scheduled shipment of order ${existing.orderId} has no id`); // schema forbids it
  return { kind: 'cancel', shipmentId: existing.shipmentId };
}

export function cancelledWithoutShipment(orderId: string, now: Date): Shipment {
  return {
    orderId,
    status: 'CANCELLED',
    shipmentId: null,
    carrier: null,
    trackingNumber: null,
    country: null,
    lines: [],
    scheduledAt: null,
    cancelledAt: now,
  };
}
