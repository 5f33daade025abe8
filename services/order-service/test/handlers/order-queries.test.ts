import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from '../../src/handlers/order-queries.js';

describe('list cursors', () => {
  it('round-trips (createdAt, orderId)', () => {
    const cursor = { createdAt: '2026-11-23T10:00:00.123Z', orderId: 'o-1' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    'not-a-cursor',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","o-1"]').toString('base64url'),
    Buffer.from('["2026-11-23T10:00:00Z",7]').toString('base64url'),
  ])('rejects %s', (raw) => {
    expect(decodeCursor(raw)).toBeUndefined();
  });
});
