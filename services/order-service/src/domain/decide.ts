import type { Cancel, Complete, OrderCommand, Park, PlaceOrder } from './commands.js';
import { OrderDomainError } from './errors.js';
import type { OrderEvent } from './events.js';
import {
  isFinal,
  type OrderState,
  type OrderStatus,
  type PlacedOrder,
  type StepLogEntry,
} from './order.js';

/** A refusal is a value, not a throw: callers must handle it, and decide stays a pure function. */
export type Decision =
  | { readonly ok: true; readonly events: readonly OrderEvent[] }
  | { readonly ok: false; readonly error: OrderDomainError };

const accept = (...events: OrderEvent[]): Decision => ({ ok: true, events });
const refuse = (error: OrderDomainError): Decision => ({ ok: false, error });

/** What a command does to an order, given its current state and the time (passed in, never read). */
export function decide(state: OrderState, command: OrderCommand, now: Date): Decision {
  if (command.type === 'PlaceOrder') return placeOrder(state, command, now);
  if (state.status === 'NONE') {
    return refuse(new OrderDomainError('ORDER_NOT_FOUND', `cannot ${command.type}: no such order`));
  }
  switch (command.type) {
    case 'RecordStep':
      return recordSteps(state, [payload(command)]);
    case 'RecordSteps':
      return recordSteps(state, command.entries);
    case 'Complete':
      return outcome(state, command, 'COMPLETED', () =>
        accept({ ...payload(command), type: 'OrderCompleted', completedAt: now.toISOString() }),
      );
    case 'Cancel':
      return outcome(state, command, 'CANCELLED', () =>
        accept({ ...payload(command), type: 'OrderCancelled', cancelledAt: now.toISOString() }),
      );
    case 'Park':
      return outcome(state, command, 'FAILED_NEEDS_ATTENTION', () =>
        accept({ ...payload(command), type: 'OrderParked', parkedAt: now.toISOString() }),
      );
  }
}

function payload<C extends { type: string }>(command: C): Omit<C, 'type'> {
  const { type: _type, ...rest } = command;
  return rest;
}

function placeOrder(state: OrderState, command: PlaceOrder, now: Date): Decision {
  if (state.status !== 'NONE') {
    return refuse(
      new OrderDomainError('ORDER_ALREADY_PLACED', `order ${command.orderId} already exists`),
    );
  }
  const invalid = invalidOrder(command);
  if (invalid) return refuse(new OrderDomainError('INVALID_ORDER', invalid));
  return accept({ ...payload(command), type: 'OrderPlaced', placedAt: now.toISOString() });
}

// The HTTP schema checks these too; the aggregate keeps its own invariants whoever calls it.
function invalidOrder(command: PlaceOrder): string | null {
  if (!command.orderId || !command.customerId) return 'orderId and customerId are required';
  if (command.lines.length === 0) return 'an order needs at least one line';
  const skus = new Set<string>();
  for (const { sku, quantity } of command.lines) {
    if (!sku) return 'every line needs a sku';
    if (!Number.isSafeInteger(quantity) || quantity < 1)
      return `quantity of ${sku} must be a whole number >= 1`;
    if (skus.has(sku)) return `sku ${sku} appears on more than one line`;
    skus.add(sku);
  }
  return null;
}

const sameEntry = (a: StepLogEntry) => (b: StepLogEntry) =>
  a.step === b.step && a.status === b.status && a.at === b.at && a.detail === b.detail;

function recordSteps(state: PlacedOrder, entries: readonly StepLogEntry[]): Decision {
  // The log stays open after the outcome: late replies, the void of a payment and its refund
  // come after it and belong to the order's story. An entry already logged is a redelivery.
  const recorded: StepLogEntry[] = [];
  for (const entry of entries) {
    if (state.steps.some(sameEntry(entry)) || recorded.some(sameEntry(entry))) continue;
    recorded.push(entry);
  }
  return accept(...recorded.map((entry): OrderEvent => ({ ...entry, type: 'StepRecorded' })));
}

/**
 * A saga outcome moves a pending order to its final status. The same outcome again is a
 * duplicate delivery and a no-op; a different outcome for a final order contradicts the saga's
 * record, which is refused rather than silently overwriting what the customer was told, with
 * two exceptions the saga does send (order-saga's compensation.ts): a parked order is
 * cancelled once its stuck compensation is confirmed (late, or after an operator's resume), and
 * a cancelled order is parked when undoing a participant's late success keeps failing.
 */
const FOLLOWS: Partial<Record<OrderStatus, OrderStatus>> = {
  FAILED_NEEDS_ATTENTION: 'CANCELLED',
  CANCELLED: 'FAILED_NEEDS_ATTENTION',
};

function outcome(
  state: PlacedOrder,
  command: Complete | Cancel | Park,
  target: OrderStatus,
  emit: () => Decision,
): Decision {
  if (state.status === target) return accept();
  if (isFinal(state) && FOLLOWS[state.status] !== target) {
    return refuse(
      new OrderDomainError(
        'ORDER_ALREADY_FINAL',
        `cannot ${command.type} order ${state.orderId}: it is ${state.status}`,
      ),
    );
  }
  return emit();
}
