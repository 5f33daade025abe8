import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '@orderflow/contracts';
import { orderRequest, placeOrder, settled } from './platform.js';
import { TopicTap, type TappedRecord } from './topic-tap.js';

/** Every message one completed order produces, whichever service writes it. */
const HAPPY_PATH_TYPES = [
  'orders.OrderPlaced',
  'saga.ReserveInventory',
  'inventory.InventoryReserved',
  'saga.ProcessPayment',
  'payments.PaymentCaptured',
  'saga.CommitInventory',
  'inventory.InventoryCommitted',
  'saga.ScheduleShipment',
  'shipping.ShipmentScheduled',
  'saga.SagaStepChanged',
  'saga.SagaCompleted',
  'orders.OrderCompleted',
];

const traceIdOf = (record: TappedRecord) => record.envelope.traceparent?.split('-')[1];

describe('tracing and correlation across the platform', () => {
  it('carries the HTTP request trace id and correlation id through every service to the end', async () => {
    const tap = await TopicTap.mark();
    const traceId = randomBytes(16).toString('hex');
    const correlationId = `e2e-trace-${randomUUID()}`;
    const placed = await placeOrder(orderRequest(), {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'x-correlation-id': correlationId,
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect((await settled(orderId)).status).toBe('COMPLETED');

    const records = await tap.recordsFor(orderId, (seen) =>
      HAPPY_PATH_TYPES.every((type) => seen.some((r) => r.envelope.type === type)),
    );

    // Written by all five services...
    expect(new Set(records.map((r) => r.envelope.source))).toEqual(
      new Set(Object.keys(SERVICES).map((service) => `/services/${service}`)),
    );
    // ...each one in the request's trace and under its correlation id.
    expect(records.filter((r) => traceIdOf(r) !== traceId).map((r) => r.envelope.type)).toEqual([]);
    expect(
      records.filter((r) => r.envelope.correlationId !== correlationId).map((r) => r.envelope.type),
    ).toEqual([]);
    // Every record but the first names, as its cause, another record of the same order.
    const ids = new Set(records.map((r) => r.envelope.id));
    const roots = records.filter((r) => r.envelope.causationId === undefined);
    expect(roots.map((r) => r.envelope.type)).toEqual(['orders.OrderPlaced']);
    expect(
      records
        .filter((r) => r.envelope.causationId !== undefined && !ids.has(r.envelope.causationId))
        .map((r) => r.envelope.type),
    ).toEqual([]);
  });
});
