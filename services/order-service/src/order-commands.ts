import type { EventMetadata, EventStore, Queryable } from '@orderflow/event-store';
import {
  decide,
  evolve,
  orderStreamId,
  OrderDomainError,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
  type PlacedOrder,
} from './domain/index.js';
import { saveOrderView } from './store/orders-store.js';

/**
 * The command loop shared by HTTP and Kafka: rebuild the order, decide, append the events and
 * refresh its read-model row, all on the caller's transaction (whose outbox rows commit with
 * them). A refusal is thrown as the domain's error; each entry point translates it.
 */
export type OrderEventStore = EventStore<OrderState, OrderEvent>;

export interface Executed {
  /** The order before the command. */
  readonly before: OrderState;
  readonly order: PlacedOrder;
  /** Empty when the command was a no-op (e.g. a redelivered saga event). */
  readonly events: readonly OrderEvent[];
}

export async function executeOrderCommand(
  tx: Queryable,
  store: OrderEventStore,
  orderId: string,
  command: OrderCommand,
  now: Date,
  metadata: EventMetadata,
): Promise<Executed> {
  const streamId = orderStreamId(orderId);
  const { state, version } = await store.rebuild(tx, streamId);
  const decision = decide(state, command, now);
  if (!decision.ok) throw decision.error;
  const order = decision.events.reduce(evolve, state);
  if (order.status === 'NONE') {
    throw new OrderDomainError('ORDER_NOT_FOUND', `order ${orderId} does not exist`);
  }
  if (decision.events.length > 0) {
    await store.append(tx, streamId, version, decision.events, metadata);
    await saveOrderView(tx, order, now);
  }
  return { before: state, order, events: decision.events };
}
