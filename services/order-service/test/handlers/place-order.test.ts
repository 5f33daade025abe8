import { describe, expect, it } from '@jest/globals';
import { placeOrderCommand, requestHash } from '../../src/handlers/place-order.js';

const body = {
  customerId: 'c-1',
  items: [{ sku: 'MONITOR-27', quantity: 2 }],
  payment: { token: 'tok_approve' },
  shippingAddress: { name: 'A', line1: 'L1', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

describe('requestHash', () => {
  it('is the same for the same JSON in another key order', () => {
    const reordered = {
      shippingAddress: {
        country: 'DE',
        postalCode: '10115',
        city: 'Berlin',
        line1: 'L1',
        name: 'A',
      },
      payment: { token: 'tok_approve' },
      items: [{ quantity: 2, sku: 'MONITOR-27' }],
      customerId: 'c-1',
    };
    expect(requestHash(reordered)).toBe(requestHash(body));
  });

  it('differs when any value differs, including the payment token and line order', () => {
    const hash = requestHash(body);
    expect(requestHash({ ...body, payment: { token: 'tok_decline' } })).not.toBe(hash);
    expect(requestHash({ ...body, items: [{ sku: 'MONITOR-27', quantity: 3 }] })).not.toBe(hash);
    const two = { ...body, items: [...body.items, { sku: 'MUG', quantity: 1 }] };
    const swapped = { ...body, items: [...two.items].reverse() };
    expect(requestHash(swapped)).not.toBe(requestHash(two));
  });
});

describe('placeOrderCommand', () => {
  it('maps the body to PlaceOrder: API channel, no line2 as null, no payment token', () => {
    expect(placeOrderCommand('o-1', body)).toEqual({
      type: 'PlaceOrder',
      orderId: 'o-1',
      customerId: 'c-1',
      lines: [{ sku: 'MONITOR-27', quantity: 2 }],
      shippingAddress: { ...body.shippingAddress, line2: null },
      channel: 'API',
    });
  });
});
