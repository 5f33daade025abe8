import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SHIPPING_COUNTRIES } from '../../src/config.js';
import {
  bookShipment,
  cancelledWithoutShipment,
  decideCancel,
  decideSchedule,
  type ScheduleShipment,
  type Shipment,
  type ShippingPolicy,
} from '../../src/domain/shipment.js';

const policy: ShippingPolicy = { countries: new Set(['DE', 'FR', 'GB']), carrier: 'Test Carrier' };
const NOW = new Date('2026-11-23T12:00:00.000Z');
const IDS = { shipmentId: '01900000-0000-7000-8000-000000000001', trackingSerial: 47312482 };

function command(overrides: Partial<ScheduleShipment['address']> = {}): ScheduleShipment {
  return {
    orderId: 'o-1',
    lines: [{ sku: 'MOUSE-WIRELESS', quantity: 2 }],
    address: {
      name: 'Ada Lovelace',
      line1: 'Hauptstraße 1',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
      ...overrides,
    },
  };
}

function scheduled(): Shipment {
  const decision = decideSchedule(command(), undefined, policy);
  if (decision.kind !== 'book') throw new Error(`expected book, got ${decision.kind}`);
  return bookShipment(command(), decision, IDS, NOW);
}

describe('schedule', () => {
  it('books a shipment to a supported country with a tracking number', () => {
    expect(decideSchedule(command(), undefined, policy)).toEqual({
      kind: 'book',
      country: 'DE',
      carrier: 'Test Carrier',
    });
    expect(scheduled()).toEqual({
      orderId: 'o-1',
      status: 'SCHEDULED',
      shipmentId: IDS.shipmentId,
      carrier: 'Test Carrier',
      trackingNumber: 'OF473124829',
      country: 'DE',
      lines: [{ sku: 'MOUSE-WIRELESS', quantity: 2 }],
      scheduledAt: NOW,
      cancelledAt: null,
    });
  });

  it('accepts a lower-case, padded country code', () => {
    expect(decideSchedule(command({ country: ' gb ' }), undefined, policy)).toMatchObject({
      kind: 'book',
      country: 'GB',
    });
  });

  it('rejects an unsupported country with a reason naming it', () => {
    expect(decideSchedule(command({ country: 'BR' }), undefined, policy)).toEqual({
      kind: 'reject',
      reason: 'UNSUPPORTED_COUNTRY',
      detail: 'we do not ship to BR',
    });
  });

  it('rejects a malformed country code or a blank address field as INVALID_ADDRESS', () => {
    for (const bad of [{ country: 'Germany' }, { country: '' }, { city: ' ' }, { line1: '' }])
      expect(decideSchedule(command(bad), undefined, policy)).toMatchObject({
        kind: 'reject',
        reason: 'INVALID_ADDRESS',
      });
  });

  it('rejects an order with nothing to ship', () => {
    const empty = { ...command(), lines: [] };
    expect(decideSchedule(empty, undefined, policy)).toMatchObject({
      kind: 'reject',
      reason: 'OTHER',
    });
  });

  it('re-sends the recorded booking when the order is already scheduled (one shipment)', () => {
    const existing = scheduled();
    // Even if the repeat asks for somewhere else, the recorded shipment stands.
    expect(decideSchedule(command({ country: 'BR' }), existing, policy)).toEqual({
      kind: 'replay',
      shipment: existing,
    });
  });

  it('ignores a schedule after the order was cancelled', () => {
    expect(decideSchedule(command(), cancelledWithoutShipment('o-1', NOW), policy).kind).toBe(
      'ignore',
    );
    expect(
      decideSchedule(command(), { ...scheduled(), status: 'CANCELLED', cancelledAt: NOW }, policy)
        .kind,
    ).toBe('ignore');
  });
});

describe('cancel', () => {
  it('cancels a scheduled shipment', () => {
    expect(decideCancel(scheduled())).toEqual({ kind: 'cancel', shipmentId: IDS.shipmentId });
  });

  it('records a cancel that arrives before any shipment, with nothing booked', () => {
    expect(decideCancel(undefined)).toEqual({ kind: 'tombstone' });
    expect(cancelledWithoutShipment('o-2', NOW)).toEqual({
      orderId: 'o-2',
      status: 'CANCELLED',
      shipmentId: null,
      carrier: null,
      trackingNumber: null,
      country: null,
      lines: [],
      scheduledAt: null,
      cancelledAt: NOW,
    });
  });

  it('re-sends the confirmation when already cancelled', () => {
    expect(decideCancel({ ...scheduled(), status: 'CANCELLED', cancelledAt: NOW })).toEqual({
      kind: 'replay',
      shipmentId: IDS.shipmentId,
    });
    expect(decideCancel(cancelledWithoutShipment('o-2', NOW))).toEqual({
      kind: 'replay',
      shipmentId: null,
    });
  });
});

describe('default countries', () => {
  it('are the 27 EU member states plus GB and US', () => {
    expect(new Set(DEFAULT_SHIPPING_COUNTRIES).size).toBe(29);
    expect(DEFAULT_SHIPPING_COUNTRIES).toEqual(expect.arrayContaining(['DE', 'FR', 'GB', 'US']));
  });
});
