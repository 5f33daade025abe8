import type { MessageType } from '@orderflow/contracts';
import { contractsFor, type MessageContract } from '@orderflow/messaging';

/**
 * The message contracts this service consumes and emits, from the ownership manifest. Passed to
 * `buildApp` as a dependency so tests can move them onto private topics.
 */
export interface ShippingContracts {
  readonly schedule: MessageContract;
  readonly cancel: MessageContract;
  readonly scheduled: MessageContract;
  readonly rejected: MessageContract;
  readonly cancelled: MessageContract;
}

const ROLES = {
  schedule: 'saga.ScheduleShipment',
  cancel: 'saga.CancelShipment',
  scheduled: 'shipping.ShipmentScheduled',
  rejected: 'shipping.ShipmentRejected',
  cancelled: 'shipping.ShipmentCancelled',
} as const satisfies Record<keyof ShippingContracts, MessageType>;

export const SHIPPING_CONTRACTS: ShippingContracts = contractsFor(ROLES);

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(commands: string, events: string): ShippingContracts {
  return contractsFor(ROLES, (topic) => (topic.endsWith('.commands') ? commands : events));
}
