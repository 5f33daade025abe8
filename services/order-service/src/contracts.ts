import { messageSpec, type MessageType } from '@orderflow/contracts';
import { fromSpec, type MessageContract } from '@orderflow/messaging';

/**
 * The message contracts this service emits and consumes, from the ownership manifest. Passed to
 * `buildApp` as a dependency so tests can move them onto private topics.
 */
export interface OrderContracts {
  readonly placed: MessageContract;
  readonly completed: MessageContract;
  readonly cancelled: MessageContract;
  readonly stepChanged: MessageContract;
  readonly sagaCompleted: MessageContract;
  readonly sagaCancelled: MessageContract;
  readonly sagaParked: MessageContract;
}

const EVENTS = {
  placed: 'orders.OrderPlaced',
  completed: 'orders.OrderCompleted',
  cancelled: 'orders.OrderCancelled',
} as const satisfies Record<string, MessageType>;

const SAGA_EVENTS = {
  stepChanged: 'saga.SagaStepChanged',
  sagaCompleted: 'saga.SagaCompleted',
  sagaCancelled: 'saga.SagaCancelled',
  sagaParked: 'saga.SagaParked',
} as const satisfies Record<string, MessageType>;

type Role = keyof OrderContracts;

function build(topics?: { orders: string; saga: string }): OrderContracts {
  const entries = [
    ...Object.entries(EVENTS).map(([role, type]) => [role, type, topics?.orders] as const),
    ...Object.entries(SAGA_EVENTS).map(([role, type]) => [role, type, topics?.saga] as const),
  ].map(([role, type, topic]) => {
    const spec = messageSpec(type);
    const contract = fromSpec(spec);
    if (topic === undefined) return [role, contract] as const;
    // TopicRecordNameStrategy: the subject follows the topic.
    return [role, { ...contract, topic, subject: `${topic}-${spec.fullName}` }] as const;
  });
  return Object.fromEntries(entries) as Record<Role, MessageContract>;
}

export const ORDER_CONTRACTS: OrderContracts = build();

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(orders: string, saga: string): OrderContracts {
  return build({ orders, saga });
}
