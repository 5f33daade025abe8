import { describe, expect, it } from '@jest/globals';
import avro from 'avsc';
import { loadSchema, type OrderPlacedV1, type OrderPlacedV2 } from '../src/index.js';

// The schema-evolution promise of docs/architecture.md §4, offline: old and new OrderPlaced
// producers and consumers coexist because each side decodes with its own reader schema.
const v1 = avro.Type.forSchema(loadSchema('orders.OrderPlaced', 1));
const v2 = avro.Type.forSchema(loadSchema('orders.OrderPlaced', 2));

const common = {
  orderId: '0190a6e2-7c1e-7b7e-9d43-5b8f0c6a1d2e',
  customerId: 'c-42',
  lines: [{ sku: 'SKU-1', quantity: 2 }],
  shippingAddress: {
    name: 'Ada',
    line1: 'Main St 1',
    line2: null,
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
};

describe('OrderPlaced v1 ⇄ v2', () => {
  it('a v1 reader decodes v2 bytes, ignoring the new field', () => {
    const written: OrderPlacedV2.OrderPlaced = { ...common, channel: 'MOBILE' };
    const read = v1.fromBuffer(
      v2.toBuffer(written),
      v1.createResolver(v2),
    ) as OrderPlacedV1.OrderPlaced;
    expect(read).toEqual(common);
    expect(read).not.toHaveProperty('channel');
  });

  it('a v2 reader decodes v1 bytes, filling the new field from its default', () => {
    const written: OrderPlacedV1.OrderPlaced = common;
    const read = v2.fromBuffer(
      v1.toBuffer(written),
      v2.createResolver(v1),
    ) as OrderPlacedV2.OrderPlaced;
    expect(read).toEqual({ ...common, channel: 'UNKNOWN' });
  });

  it('without a resolver the bytes are not interchangeable (the resolver is doing the work)', () => {
    expect(() => v2.fromBuffer(v1.toBuffer(common)) as unknown).toThrow();
  });
});
