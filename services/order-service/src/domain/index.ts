import type { Aggregate } from '@orderflow/event-store';
import type { OrderEvent } from './events.js';
import { evolve, initialOrderState, upcastSnapshot } from './evolve.js';
import type { OrderState } from './order.js';

export * from './admission.js';
export * from './commands.js';
export * from './decide.js';
export * from './errors.js';
export * from './events.js';
export * from './evolve.js';
export * from './order.js';

/** The Order aggregate as the event store folds it. */
export const orderAggregate: Aggregate<OrderState, OrderEvent> = {
  initialState: initialOrderState,
  evolve,
  upcastSnapshot,
};

/** One stream per order. */
export const orderStreamId = (orderId: string): string => `order-${orderId}`;
