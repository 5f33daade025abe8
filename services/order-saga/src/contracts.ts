import { messageSpec, type MessageType, type TopicName } from '@orderflow/contracts';
import { fromSpec, type MessageContract } from '@orderflow/messaging';
import type { ParticipantReply, SagaCommand, SagaEvent } from './domain/index.js';

/**
 * The message contracts the saga consumes and emits, from the ownership manifest. Passed to
 * `buildApp` as a dependency so tests can move them onto private topics.
 */
export interface SagaContracts {
  readonly placed: MessageContract;
  readonly replies: Readonly<Record<ParticipantReply['type'], MessageContract>>;
  readonly commands: Readonly<Record<SagaCommand['type'], MessageContract>>;
  readonly events: Readonly<Record<SagaEvent['type'], MessageContract>>;
}

// Typed as records over the domain's unions, so a message the domain adds and this list misses
// fails to compile.
const REPLIES = {
  'inventory.InventoryReserved': true,
  'inventory.InventoryReservationRejected': true,
  'inventory.InventoryCommitted': true,
  'inventory.InventoryReleased': true,
  'inventory.InventoryRestocked': true,
  'payments.PaymentCaptured': true,
  'payments.PaymentDeclined': true,
  'payments.PaymentRefunded': true,
  'shipping.ShipmentScheduled': true,
  'shipping.ShipmentRejected': true,
  'shipping.ShipmentCancelled': true,
} as const satisfies Record<ParticipantReply['type'], true>;

const COMMANDS = {
  'saga.ReserveInventory': true,
  'saga.ProcessPayment': true,
  'saga.CommitInventory': true,
  'saga.ScheduleShipment': true,
  'saga.ReleaseInventory': true,
  'saga.RefundPayment': true,
  'saga.RestockInventory': true,
  'saga.CancelShipment': true,
} as const satisfies Record<SagaCommand['type'], true>;

const EVENTS = {
  'saga.SagaStepChanged': true,
  'saga.SagaCompleted': true,
  'saga.SagaCancelled': true,
  'saga.SagaParked': true,
} as const satisfies Record<SagaEvent['type'], true>;

/** Private topic names per catalogue topic; unnamed topics keep their manifest name. */
export type TopicOverrides = Partial<Readonly<Record<TopicName, string>>>;

function contract(type: MessageType, topics: TopicOverrides): MessageContract {
  const spec = messageSpec(type);
  const base = fromSpec(spec);
  const topic = topics[spec.topic];
  // TopicRecordNameStrategy: the subject follows the topic.
  return topic === undefined ? base : { ...base, topic, subject: `${topic}-${spec.fullName}` };
}

function table<T extends MessageType>(
  types: Record<T, true>,
  topics: TopicOverrides,
): Record<T, MessageContract> {
  const keys = Object.keys(types) as T[];
  return Object.fromEntries(keys.map((t) => [t, contract(t, topics)])) as Record<
    T,
    MessageContract
  >;
}

function build(topics: TopicOverrides): SagaContracts {
  return {
    placed: contract('orders.OrderPlaced', topics),
    replies: table(REPLIES, topics),
    commands: table(COMMANDS, topics),
    events: table(EVENTS, topics),
  };
}

export const SAGA_CONTRACTS: SagaContracts = build({});

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(topics: TopicOverrides): SagaContracts {
  return build(topics);
}
