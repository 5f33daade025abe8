/**
 * The shape of one completed order's message flow, counted from services/order-saga
 * (domain/steps.ts, domain/saga.ts, domain/draft.ts) and order-service's saga-events handler.
 *
 * Critical path, each record waiting on the one before:
 *   OrderPlaced → ReserveInventory → InventoryReserved → ProcessPayment → PaymentCaptured →
 *   CommitInventory → InventoryCommitted → ScheduleShipment → ShipmentScheduled → SagaCompleted
 * (order-service records finalAt when it handles SagaCompleted).
 *
 * Besides those ten, each of the saga's five decisions sends its step-log entries as one
 * SagaStepsChanged, and order-service emits OrderCompleted: 16 records in all (the bench counts
 * what was written; 19 before one record per decision replaced one per entry).
 */
export const CRITICAL_PATH_HOPS = 10;

/**
 * Database transactions that carry the order: the POST (event append + view + outbox) and one
 * inbox + state + outbox transaction per consumed record with a handler (saga 5, inventory 2,
 * payment 1, shipping 1, order-service 6: five SagaStepsChanged and SagaCompleted). The saga
 * reads OrderCompleted but has no handler.
 */
export const HOP_TRANSACTIONS_PER_ORDER = 16;
