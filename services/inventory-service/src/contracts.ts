import { messageSpec, type MessageType } from '@orderflow/contracts';
import { fromSpec, type MessageContract } from '@orderflow/messaging';

/**
 * The message contracts this service consumes and emits, from the ownership manifest. Passed to
 * `buildApp` as a dependency so tests can move them onto private topics.
 */
export interface InventoryContracts {
  readonly reserve: MessageContract;
  readonly commit: MessageContract;
  readonly release: MessageContract;
  readonly restock: MessageContract;
  readonly reserved: MessageContract;
  readonly rejected: MessageContract;
  readonly committed: MessageContract;
  readonly released: MessageContract;
  readonly restocked: MessageContract;
}

const COMMANDS = {
  reserve: 'saga.ReserveInventory',
  commit: 'saga.CommitInventory',
  release: 'saga.ReleaseInventory',
  restock: 'saga.RestockInventory',
} as const satisfies Record<string, MessageType>;

const EVENTS = {
  reserved: 'inventory.InventoryReserved',
  rejected: 'inventory.InventoryReservationRejected',
  committed: 'inventory.InventoryCommitted',
  released: 'inventory.InventoryReleased',
  restocked: 'inventory.InventoryRestocked',
} as const satisfies Record<string, MessageType>;

type Role = keyof InventoryContracts;

function build(topics?: { commands: string; events: string }): InventoryContracts {
  const entries = [
    ...Object.entries(COMMANDS).map(([role, type]) => [role, type, topics?.commands] as const),
    ...Object.entries(EVENTS).map(([role, type]) => [role, type, topics?.events] as const),
  ].map(([role, type, topic]) => {
    const spec = messageSpec(type);
    const contract = fromSpec(spec);
    if (topic === undefined) return [role, contract] as const;
    // TopicRecordNameStrategy: the subject follows the topic.
    return [role, { ...contract, topic, subject: `${topic}-${spec.fullName}` }] as const;
  });
  return Object.fromEntries(entries) as Record<Role, MessageContract>;
}

export const INVENTORY_CONTRACTS: InventoryContracts = build();

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(commands: string, events: string): InventoryContracts {
  return build({ commands, events });
}
