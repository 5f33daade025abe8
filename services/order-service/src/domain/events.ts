import type { Cancel, Complete, Park, PlaceOrder, RecordStep } from './commands.js';

// The Order stream's events. Internal to order-service (stored in its event store); the Kafka
// contracts (orders.OrderPlaced, ...) are mapped from them at the messaging edge.
type Payload<C> = Omit<C, 'type'>;

export interface OrderPlaced extends Payload<PlaceOrder> {
  readonly type: 'OrderPlaced';
  readonly placedAt: string;
}

export interface StepRecorded extends Payload<RecordStep> {
  readonly type: 'StepRecorded';
}

export interface OrderCompleted extends Payload<Complete> {
  readonly type: 'OrderCompleted';
  readonly completedAt: string;
}

export interface OrderCancelled extends Payload<Cancel> {
  readonly type: 'OrderCancelled';
  readonly cancelledAt: string;
}

export interface OrderParked extends Payload<Park> {
  readonly type: 'OrderParked';
  readonly parkedAt: string;
}

export type OrderEvent = OrderPlaced | StepRecorded | OrderCompleted | OrderCancelled | OrderParked;
export type OrderEventType = OrderEvent['type'];
