import type { MessagePayload } from '@orderflow/contracts';
import { subscribe, type HandlerContext, type Subscription } from '@orderflow/messaging';
import {
  bookShipment,
  cancelledWithoutShipment,
  decideCancel,
  decideSchedule,
  type ScheduleShipment,
  type Shipment,
  type ShippingPolicy,
} from '../domain/shipment.js';
import type { ShippingContracts } from '../contracts.js';
import {
  insertShipment,
  lockShipment,
  markCancelled,
  nextTrackingSerial,
} from '../store/shipment-store.js';

/**
 * Kafka entry point: the saga's shipping commands → domain decisions → the order's shipment row
 * and a reply through the outbox, all in the consumer's transaction (inbox + writes + outbox
 * commit together). The order's row is locked first, so one order's commands never interleave.
 */
export interface ShippingClock {
  now(): Date;
  /** A new shipment id (UUIDv7 in production: time-ordered, so the unique index stays compact). */
  newShipmentId(): string;
}

export function shippingSubscriptions(
  contracts: ShippingContracts,
  policy: ShippingPolicy,
  clock: ShippingClock,
): Subscription[] {
  async function replyScheduled(ctx: HandlerContext, shipment: Shipment): Promise<void> {
    await ctx.publish({
      contract: contracts.scheduled,
      key: shipment.orderId,
      payload: {
        orderId: shipment.orderId,
        shipmentId: shipment.shipmentId ?? '',
        carrier: shipment.carrier ?? '',
        trackingNumber: shipment.trackingNumber ?? '',
      } satisfies MessagePayload<'shipping.ShipmentScheduled'>,
    });
  }

  async function schedule(command: ScheduleShipment, ctx: HandlerContext): Promise<void> {
    const { orderId } = command;
    const existing = await lockShipment(ctx.tx, orderId);
    const decision = decideSchedule(command, existing, policy);
    switch (decision.kind) {
      case 'ignore':
        ctx.logger.info({ orderId, why: decision.why }, 'late ScheduleShipment ignored');
        return;
      case 'replay':
        await replyScheduled(ctx, decision.shipment);
        return;
      case 'reject':
        ctx.logger.info({ orderId, reason: decision.reason }, 'shipment rejected');
        await ctx.publish({
          contract: contracts.rejected,
          key: orderId,
          payload: {
            orderId,
            reason: decision.reason,
            detail: decision.detail,
          } satisfies MessagePayload<'shipping.ShipmentRejected'>,
        });
        return;
      case 'book': {
        const ids = {
          shipmentId: clock.newShipmentId(),
          trackingSerial: await nextTrackingSerial(ctx.tx),
        };
        const shipment = bookShipment(command, decision, ids, clock.now());
        await insertShipment(ctx.tx, shipment);
        await replyScheduled(ctx, shipment);
        return;
      }
    }
  }

  async function cancel(
    { orderId }: MessagePayload<'saga.CancelShipment'>,
    ctx: HandlerContext,
  ): Promise<void> {
    const existing = await lockShipment(ctx.tx, orderId);
    const decision = decideCancel(existing);
    let shipmentId: string | null;
    switch (decision.kind) {
      case 'cancel':
        await markCancelled(ctx.tx, orderId, clock.now());
        shipmentId = decision.shipmentId;
        break;
      case 'tombstone':
        await insertShipment(ctx.tx, cancelledWithoutShipment(orderId, clock.now()));
        shipmentId = null;
        break;
      case 'replay':
        shipmentId = decision.shipmentId;
        break;
    }
    await ctx.publish({
      contract: contracts.cancelled,
      key: orderId,
      // An empty shipmentId says "there was nothing to cancel"; the saga only needs the confirmation.
      payload: {
        orderId,
        shipmentId: shipmentId ?? '',
      } satisfies MessagePayload<'shipping.ShipmentCancelled'>,
    });
  }

  return [subscribe(contracts.schedule, schedule), subscribe(contracts.cancel, cancel)];
}
