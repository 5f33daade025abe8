import type { MessageType } from '@orderflow/contracts';
import { contractsFor, type ContractsOf } from '@orderflow/messaging';

/**
 * The message contracts this service consumes and emits, from the ownership manifest. Passed to
 * `buildApp` as a dependency so tests can move them onto private topics.
 */
const ROLES = {
  process: 'saga.ProcessPayment',
  refund: 'saga.RefundPayment',
  captured: 'payments.PaymentCaptured',
  declined: 'payments.PaymentDeclined',
  refunded: 'payments.PaymentRefunded',
} as const satisfies Record<string, MessageType>;

export type PaymentContracts = ContractsOf<typeof ROLES>;

export const PAYMENT_CONTRACTS: PaymentContracts = contractsFor(ROLES);

/** The same contracts on other topics (tests run on private copies so runs never collide). */
export function contractsOnTopics(commands: string, events: string): PaymentContracts {
  return contractsFor(ROLES, (topic) => (topic.endsWith('.commands') ? commands : events));
}
