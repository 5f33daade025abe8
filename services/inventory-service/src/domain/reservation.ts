import type { OrderLine, PricedLine, RejectionReason, StockBucket, StockMove } from './reserve.js';

/**
 * One order's reservation as a small state machine, so every saga command is idempotent per
 * order and compensation always nets to zero:
 *
 *   (none) --reserve--> RESERVED | REJECTED
 *   RESERVED --commit--> COMMITTED --restock--> RESTOCKED
 *   RESERVED | COMMITTED --release--> RELEASED   (release undoes whatever the order still holds)
 *   (none) --release--> RELEASED with no lines   (a reserve arriving later then does nothing)
 *
 * A repeated command re-emits the recorded reply without touching stock; a command that is
 * superseded (e.g. a late reserve after release) is ignored.
 */
export type ReservationStatus = 'RESERVED' | 'REJECTED' | 'COMMITTED' | 'RELEASED' | 'RESTOCKED';

export interface Reservation {
  readonly orderId: string;
  readonly status: ReservationStatus;
  readonly lines: readonly PricedLine[];
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly rejectReason: RejectionReason | null;
  readonly rejectSkus: readonly string[];
}

export type FollowUp = 'commit' | 'release' | 'restock';

/** What to do for commit/release/restock: stock moves, the new status, and the reply's lines. */
export type FollowUpDecision =
  | {
      readonly kind: 'apply';
      readonly moves: readonly StockMove[];
      readonly status: ReservationStatus;
      /** The reservation row does not exist yet and is created with `status`. */
      readonly create: boolean;
      readonly lines: readonly OrderLine[];
    }
  | { readonly kind: 'reply'; readonly lines: readonly OrderLine[] }
  | { readonly kind: 'ignore'; readonly why: string }
  | { readonly kind: 'invalid'; readonly why: string };

function stockLines(lines: readonly PricedLine[]): OrderLine[] {
  return lines.map(({ sku, quantity }) => ({ sku, quantity }));
}

function moves(lines: readonly PricedLine[], from: StockBucket, to: StockBucket): StockMove[] {
  return lines.map(({ sku, quantity }) => ({ sku, quantity, from, to }));
}

export function decideFollowUp(
  command: FollowUp,
  reservation: Reservation | undefined,
): FollowUpDecision {
  const status = reservation?.status;
  const lines = reservation?.lines ?? [];
  switch (command) {
    case 'commit':
      if (status === 'RESERVED')
        return apply(moves(lines, 'reserved', 'committed'), 'COMMITTED', lines);
      if (status === 'COMMITTED') return { kind: 'reply', lines: stockLines(lines) };
      if (status === 'RESTOCKED') return { kind: 'ignore', why: 'already committed and restocked' };
      return { kind: 'invalid', why: `cannot commit: reservation is ${status ?? 'missing'}` };
    case 'release':
      if (status === 'RESERVED')
        return apply(moves(lines, 'reserved', 'available'), 'RELEASED', lines);
      if (status === 'COMMITTED')
        return apply(moves(lines, 'committed', 'available'), 'RELEASED', lines);
      if (status === 'RELEASED') return { kind: 'reply', lines: stockLines(lines) };
      if (status === undefined)
        return { kind: 'apply', moves: [], status: 'RELEASED', create: true, lines: [] };
      // REJECTED or RESTOCKED: the order holds no stock; confirm with no lines.
      return { kind: 'reply', lines: [] };
    case 'restock':
      if (status === 'COMMITTED')
        return apply(moves(lines, 'committed', 'available'), 'RESTOCKED', lines);
      if (status === 'RESTOCKED') return { kind: 'reply', lines: stockLines(lines) };
      // Nothing committed (still reserved, released, rejected or unknown): nothing to put back.
      return { kind: 'reply', lines: [] };
  }
}

function apply(
  stockMoves: StockMove[],
  status: ReservationStatus,
  lines: readonly PricedLine[],
): FollowUpDecision {
  return { kind: 'apply', moves: stockMoves, status, create: false, lines: stockLines(lines) };
}

/** Whether a repeated reserve should re-send its recorded reply (the saga may have missed it). */
export function replayReserve(reservation: Reservation): boolean {
  return reservation.status === 'RESERVED' || reservation.status === 'REJECTED';
}
