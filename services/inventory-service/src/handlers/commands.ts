import type { MessagePayload } from '@orderflow/contracts';
import {
  NonRetryableError,
  subscribe,
  type HandlerContext,
  type Subscription,
} from '@orderflow/messaging';
import { decideReserve, type OrderLine } from '../domain/reserve.js';
import {
  decideFollowUp,
  replayReserve,
  type FollowUp,
  type Reservation,
} from '../domain/reservation.js';
import type { InventoryContracts } from '../contracts.js';
import {
  applyMoves,
  insertReservation,
  lockItems,
  lockReservation,
  setReservationStatus,
} from '../store/inventory-store.js';

/**
 * Kafka entry point: the saga's inventory commands → domain decisions → stock changes and a
 * reply through the outbox, all in the consumer's transaction (inbox + writes + outbox commit
 * together). The reservation row is locked first, so one order's commands never interleave.
 */
export function inventorySubscriptions(contracts: InventoryContracts): Subscription[] {
  const replyTo = {
    commit: contracts.committed,
    release: contracts.released,
    restock: contracts.restocked,
  };

  async function reply(ctx: HandlerContext, reservation: Reservation): Promise<void> {
    if (reservation.status === 'REJECTED') {
      await ctx.publish({
        contract: contracts.rejected,
        key: reservation.orderId,
        payload: {
          orderId: reservation.orderId,
          reason: reservation.rejectReason ?? 'OTHER',
          skus: reservation.rejectSkus,
        } satisfies MessagePayload<'inventory.InventoryReservationRejected'>,
      });
      return;
    }
    await ctx.publish({
      contract: contracts.reserved,
      key: reservation.orderId,
      payload: {
        orderId: reservation.orderId,
        lines: reservation.lines,
        amountMinor: reservation.amountMinor ?? 0,
        currency: reservation.currency ?? '',
      } satisfies MessagePayload<'inventory.InventoryReserved'>,
    });
  }

  async function reserve(
    { orderId, lines }: MessagePayload<'saga.ReserveInventory'>,
    ctx: HandlerContext,
  ): Promise<void> {
    const existing = await lockReservation(ctx.tx, orderId);
    if (existing) {
      if (replayReserve(existing)) await reply(ctx, existing);
      else ctx.logger.info({ orderId, status: existing.status }, 'late ReserveInventory ignored');
      return;
    }
    const catalogue = await lockItems(ctx.tx, lines.map((l) => l.sku).sort());
    const decision = decideReserve(lines, catalogue);
    const reservation: Reservation =
      decision.kind === 'reserved'
        ? {
            orderId,
            status: 'RESERVED',
            lines: decision.lines,
            amountMinor: decision.amountMinor,
            currency: decision.currency,
            rejectReason: null,
            rejectSkus: [],
          }
        : {
            orderId,
            status: 'REJECTED',
            lines: [],
            amountMinor: null,
            currency: null,
            rejectReason: decision.reason,
            rejectSkus: decision.skus,
          };
    if (decision.kind === 'reserved') await applyMoves(ctx.tx, decision.moves);
    await insertReservation(ctx.tx, reservation);
    await reply(ctx, reservation);
  }

  function followUp(command: FollowUp) {
    // Commit, release and restock all carry just the order id.
    return async (
      { orderId }: { readonly orderId: string },
      ctx: HandlerContext,
    ): Promise<void> => {
      const reservation = await lockReservation(ctx.tx, orderId);
      const decision = decideFollowUp(command, reservation);
      switch (decision.kind) {
        case 'invalid':
          // A protocol violation by the sender: retrying cannot help, so it goes to the DLQ.
          throw new NonRetryableError(`${command} for order ${orderId}: ${decision.why}`);
        case 'ignore':
          ctx.logger.info({ orderId, command, why: decision.why }, 'command ignored');
          return;
        case 'apply':
          await lockItems(ctx.tx, decision.moves.map((m) => m.sku).sort());
          await applyMoves(ctx.tx, decision.moves);
          if (decision.create)
            await insertReservation(ctx.tx, {
              orderId,
              status: decision.status,
              lines: [],
              amountMinor: null,
              currency: null,
              rejectReason: null,
              rejectSkus: [],
            });
          else await setReservationStatus(ctx.tx, orderId, decision.status);
          break;
        case 'reply':
          break;
      }
      await ctx.publish({
        contract: replyTo[command],
        key: orderId,
        payload: { orderId, lines: decision.lines satisfies readonly OrderLine[] },
      });
    };
  }

  return [
    subscribe(contracts.reserve, reserve),
    subscribe(contracts.commit, followUp('commit')),
    subscribe(contracts.release, followUp('release')),
    subscribe(contracts.restock, followUp('restock')),
  ];
}
