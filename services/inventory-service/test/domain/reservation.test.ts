import { describe, expect, it } from '@jest/globals';
import {
  decideFollowUp,
  replayReserve,
  type Reservation,
  type ReservationStatus,
} from '../../src/domain/reservation.js';

const lines = [
  { sku: 'A', quantity: 2, unitAmountMinor: 100, lineAmountMinor: 200 },
  { sku: 'B', quantity: 1, unitAmountMinor: 50, lineAmountMinor: 50 },
];
const stock = [
  { sku: 'A', quantity: 2 },
  { sku: 'B', quantity: 1 },
];

function reservation(status: ReservationStatus): Reservation {
  return {
    orderId: 'o-1',
    status,
    lines: status === 'REJECTED' ? [] : lines,
    amountMinor: 250,
    currency: 'EUR',
    rejectReason: null,
    rejectSkus: [],
  };
}

describe('commit', () => {
  it('moves reserved stock to committed', () => {
    expect(decideFollowUp('commit', reservation('RESERVED'))).toEqual({
      kind: 'apply',
      status: 'COMMITTED',
      create: false,
      lines: stock,
      moves: [
        { sku: 'A', quantity: 2, from: 'reserved', to: 'committed' },
        { sku: 'B', quantity: 1, from: 'reserved', to: 'committed' },
      ],
    });
  });

  it('repeats its reply without moving stock when already committed', () => {
    expect(decideFollowUp('commit', reservation('COMMITTED'))).toEqual({
      kind: 'reply',
      lines: stock,
    });
  });

  it('ignores a late commit after restock', () => {
    expect(decideFollowUp('commit', reservation('RESTOCKED')).kind).toBe('ignore');
  });

  it('refuses to commit what was never reserved', () => {
    for (const r of [undefined, reservation('REJECTED'), reservation('RELEASED')])
      expect(decideFollowUp('commit', r).kind).toBe('invalid');
  });
});

describe('release', () => {
  it('returns reserved stock to available', () => {
    expect(decideFollowUp('release', reservation('RESERVED'))).toMatchObject({
      kind: 'apply',
      status: 'RELEASED',
      moves: [
        { sku: 'A', quantity: 2, from: 'reserved', to: 'available' },
        { sku: 'B', quantity: 1, from: 'reserved', to: 'available' },
      ],
    });
  });

  it('returns committed stock too, so a late commit cannot leak stock', () => {
    expect(decideFollowUp('release', reservation('COMMITTED'))).toMatchObject({
      kind: 'apply',
      status: 'RELEASED',
      moves: [
        { sku: 'A', from: 'committed', to: 'available' },
        { sku: 'B', from: 'committed', to: 'available' },
      ],
    });
  });

  it('records a release that overtakes its reserve, so the reserve later does nothing', () => {
    expect(decideFollowUp('release', undefined)).toEqual({
      kind: 'apply',
      status: 'RELEASED',
      create: true,
      moves: [],
      lines: [],
    });
    expect(replayReserve(reservation('RELEASED'))).toBe(false);
  });

  it('confirms without effect when nothing is held', () => {
    expect(decideFollowUp('release', reservation('RELEASED'))).toEqual({
      kind: 'reply',
      lines: stock,
    });
    expect(decideFollowUp('release', reservation('RESTOCKED'))).toEqual({
      kind: 'reply',
      lines: [],
    });
    expect(decideFollowUp('release', reservation('REJECTED'))).toEqual({
      kind: 'reply',
      lines: [],
    });
  });
});

describe('restock', () => {
  it('returns committed stock to available', () => {
    expect(decideFollowUp('restock', reservation('COMMITTED'))).toMatchObject({
      kind: 'apply',
      status: 'RESTOCKED',
      moves: [
        { sku: 'A', quantity: 2, from: 'committed', to: 'available' },
        { sku: 'B', quantity: 1, from: 'committed', to: 'available' },
      ],
    });
  });

  it('is idempotent and a no-op when nothing was committed', () => {
    expect(decideFollowUp('restock', reservation('RESTOCKED'))).toEqual({
      kind: 'reply',
      lines: stock,
    });
    for (const r of [undefined, reservation('RESERVED'), reservation('RELEASED')])
      expect(decideFollowUp('restock', r)).toEqual({ kind: 'reply', lines: [] });
  });
});

describe('repeated reserve', () => {
  it('replays the recorded outcome only while it is still current', () => {
    expect(replayReserve(reservation('RESERVED'))).toBe(true);
    expect(replayReserve(reservation('REJECTED'))).toBe(true);
    expect(replayReserve(reservation('COMMITTED'))).toBe(false);
  });
});
