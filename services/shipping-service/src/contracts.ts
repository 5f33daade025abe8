import type { MessageType } from '@orderflow/contracts';
import { contractsFor, type ContractsOf } from '@orderflow/messaging';

const ROLES = {
  schedule: 'saga.ScheduleShipment',
  cancel: 'saga.CancelShipment',
  scheduled: 'shipping.ShipmentScheduled',
  rejected: 'shipping.ShipmentRejected',
  cancelled: 'shipping.ShipmentCancelled',
} as const satisfies Record<string, MessageType>;

/**
 * The message contracts this service consumes and emits, from the ownership manifest, each typed
 * by its message type. Passed to `buildApp` as a dependency so tests can move them onto private
 * topics.
 */
export type ShippingContracts = ContractsOf<typeof ROLES>;

export const SHIPPING_CONTRACTS: ShippingContracts = contractsFor(ROLES);

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(commands: string, events: string): ShippingContracts {
  return contractsFor(ROLES, (topic) => (topic.endsWith('.commands') ? commands : events));
}
