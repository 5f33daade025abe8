import type { MessageType } from '@orderflow/contracts';
import { contractsFor, type ContractsOf } from '@orderflow/messaging';

/** What this service emits, on orders.events. */
const EVENTS = {
  placed: 'orders.OrderPlaced',
  completed: 'orders.OrderCompleted',
  cancelled: 'orders.OrderCancelled',
} as const satisfies Record<string, MessageType>;

/** What it consumes: the saga's events, on order-saga.events. */
const SAGA_EVENTS = {
  stepChanged: 'saga.SagaStepChanged',
  stepsChanged: 'saga.SagaStepsChanged',
  sagaCompleted: 'saga.SagaCompleted',
  sagaCancelled: 'saga.SagaCancelled',
  sagaParked: 'saga.SagaParked',
} as const satisfies Record<string, MessageType>;

/**
 * The message contracts this service emits and consumes, from the ownership manifest, each typed
 * by its message type. Passed to `buildApp` as a dependency so tests can move them onto private
 * topics.
 */
export type OrderContracts = ContractsOf<typeof EVENTS> & ContractsOf<typeof SAGA_EVENTS>;

function build(topics?: { readonly orders: string; readonly saga: string }): OrderContracts {
  return {
    ...contractsFor(EVENTS, (topic) => topics?.orders ?? topic),
    ...contractsFor(SAGA_EVENTS, (topic) => topics?.saga ?? topic),
  };
}

export const ORDER_CONTRACTS: OrderContracts = build();

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(orders: string, saga: string): OrderContracts {
  return build({ orders, saga });
}
