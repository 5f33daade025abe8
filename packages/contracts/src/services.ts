/** The services of the platform: their names double as Kafka consumer-group ids and ce_source. */
export const SERVICES = {
  'order-service': { port: 3000, database: 'orderflow_orders' },
  'inventory-service': { port: 3001, database: 'orderflow_inventory' },
  'payment-service': { port: 3002, database: 'orderflow_payments' },
  'shipping-service': { port: 3003, database: 'orderflow_shipping' },
  'order-saga': { port: 3004, database: 'orderflow_saga' },
} as const;

export type ServiceName = keyof typeof SERVICES;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
