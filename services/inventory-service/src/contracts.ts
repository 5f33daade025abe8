import type { MessageType } from '@orderflow/contracts';
import { contractsFor, type ContractsOf } from '@orderflow/messaging';

const ROLES = {
  reserve: 'saga.ReserveInventory',
  commit: 'saga.CommitInventory',
  release: 'saga.ReleaseInventory',
  restock: 'saga.RestockInventory',
  reserved: 'inventory.InventoryReserved',
  rejected: 'inventory.InventoryReservationRejected',
  committed: 'inventory.InventoryCommitted',
  released: 'inventory.InventoryReleased',
  restocked: 'inventory.InventoryRestocked',
} as const satisfies Record<string, MessageType>;

/**
 * The message contracts this service consumes and emits, from the ownership manifest, each typed
 * by its message type. Passed to `buildApp` as a dependency so tests can move them onto private
 * topics.
 */
export type InventoryContracts = ContractsOf<typeof ROLES>;

export const INVENTORY_CONTRACTS: InventoryContracts = contractsFor(ROLES);

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(commands: string, events: string): InventoryContracts {
  return contractsFor(ROLES, (topic) => (topic.endsWith('.commands') ? commands : events));
}
