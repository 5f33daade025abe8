/**
 * The shape of one completed order's message flow, counted from services/order-saga
 * (domain/steps.ts, domain/saga.ts, domain/draft.ts) and order-service's saga-events handler.
 *
 * Critical path, each record waiting on the one before:
 *   OrderPlaced → ReserveInventory → InventoryReserved → ProcessPayment → PaymentCaptured →
 *   CommitInventory → InventoryCommitted → ScheduleShipment → ShipmentScheduled → SagaCompleted
 * (order-service records finalAt when it handles SagaCompleted).
 *
 * Besides those ten, every saga transition emits SagaStepChanged (STARTED and SUCCEEDED for each
 * of the four steps: eight) and order-service emits OrderCompleted: 19 records in all.
 */
export const CRITICAL_PATH_HOPS = 10;

export const RECORDS_PER_ORDER = 19;

/**
 * Database transactions that carry the order: the POST (event append + view + outbox) and one
 * inbox + state + outbox transaction per consumed record with a handler (saga 5, inventory 2,
 * payment 1, shipping 1, order-service 9). The saga reads OrderCompleted but has no handler.
 */
export const HOP_TRANSACTIONS_PER_ORDER = 19;
