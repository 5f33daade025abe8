import type { MessageType, TopicName } from '@orderflow/contracts';
import { contractsFor, type ContractsOf, type MessageContract } from '@orderflow/messaging';
import type { ParticipantReply, SagaCommand, SagaEvent } from './domain/index.js';

/** A role table whose roles are the message types themselves: the saga looks contracts up by type. */
type ByType<T extends MessageType> = { readonly [K in T]: K };

/**
 * The message contracts the saga consumes and emits, from the ownership manifest, each typed by
 * its message type. Passed to `buildApp` as a dependency so tests can move them onto private
 * topics.
 */
export interface SagaContracts {
  readonly placed: MessageContract<'orders.OrderPlaced'>;
  readonly replies: ContractsOf<ByType<ParticipantReply['type']>>;
  readonly commands: ContractsOf<ByType<SagaCommand['type']>>;
  readonly events: ContractsOf<ByType<SagaEvent['type']>>;
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
  'saga.SagaStepsChanged': true,
  'saga.SagaCompleted': true,
  'saga.SagaCancelled': true,
  'saga.SagaParked': true,
} as const satisfies Record<SagaEvent['type'], true>;

/** Private topic names per catalogue topic; unnamed topics keep their manifest name. */
export type TopicOverrides = Partial<Readonly<Record<TopicName, string>>>;

function byType<T extends MessageType>(types: Readonly<Record<T, true>>): ByType<T> {
  return Object.fromEntries(Object.keys(types).map((type) => [type, type])) as ByType<T>;
}

function build(topics: TopicOverrides): SagaContracts {
  const renamed = new Map<string, string | undefined>(Object.entries(topics));
  const topicFor = (topic: string) => renamed.get(topic) ?? topic;
  return {
    placed: contractsFor({ placed: 'orders.OrderPlaced' }, topicFor).placed,
    replies: contractsFor(byType(REPLIES), topicFor),
    commands: contractsFor(byType(COMMANDS), topicFor),
    events: contractsFor(byType(EVENTS), topicFor),
  };
}

export const SAGA_CONTRACTS: SagaContracts = build({});

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(topics: TopicOverrides): SagaContracts {
  return build(topics);
}
