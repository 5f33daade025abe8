/**
 * The SQL of one hop as the saga runs it (packages/messaging consumer.ts and publisher.ts,
 * services/order-saga store/saga-store.ts), for pgbench: one transaction with the inbox insert,
 * the saga row read and its update with the whole state as jsonb, and an outbox insert with the
 * NOTIFY that wakes the relay. Values have the sizes seen on the running platform: a ~2 kB
 * state, ~600 bytes of CloudEvents headers, a small Avro value.
 */
export const SAGA_ROWS = 10_000;

const ORDER = '018f3c1e-7a2b-7c4d-9e8f-0a1b2c3d4e5f';

/** A saga state after three steps, shaped like order_saga.state on the platform. */
const STATE = {
  orderId: ORDER,
  version: 6,
  status: 'RUNNING',
  policy: {
    stepTimeoutMs: {
      RESERVE_INVENTORY: 10000,
      PROCESS_PAYMENT: 30000,
      COMMIT_INVENTORY: 10000,
      SCHEDULE_SHIPMENT: 15000,
    },
    compensationTimeoutMs: {
      RESERVE_INVENTORY: 10000,
      PROCESS_PAYMENT: 10000,
      COMMIT_INVENTORY: 10000,
      SCHEDULE_SHIPMENT: 10000,
    },
    maxCompensationAttempts: 5,
  },
  order: {
    customerId: 'bench',
    lines: [{ sku: 'USB-C-CABLE', quantity: 1 }],
    paymentToken: 'tok_approve',
    shippingAddress: {
      name: 'Bench',
      line1: '1 Load St',
      line2: null,
      city: 'Paris',
      postalCode: '75001',
      country: 'FR',
    },
  },
  priced: {
    lines: [{ sku: 'USB-C-CABLE', quantity: 1, unitAmountMinor: 999, lineAmountMinor: 999 }],
    amountMinor: 999,
    currency: 'EUR',
  },
  payment: { orderId: ORDER, paymentId: ORDER, amountMinor: 999, currency: 'EUR' },
  shipment: null,
  steps: {
    RESERVE_INVENTORY: 'SUCCEEDED',
    PROCESS_PAYMENT: 'SUCCEEDED',
    COMMIT_INVENTORY: 'STARTED',
    SCHEDULE_SHIPMENT: 'PENDING',
  },
  current: 'COMMIT_INVENTORY',
  compensationStack: ['RESERVE_INVENTORY', 'PROCESS_PAYMENT'],
  compensating: null,
  deadline: { kind: 'step', step: 'COMMIT_INVENTORY', attempt: 1, dueAt: 1795654133077 },
  failure: null,
  outcomeEmitted: false,
  log: [
    ['RESERVE_INVENTORY', 'STARTED'],
    ['RESERVE_INVENTORY', 'SUCCEEDED'],
    ['PROCESS_PAYMENT', 'STARTED'],
    ['PROCESS_PAYMENT', 'SUCCEEDED'],
    ['COMMIT_INVENTORY', 'STARTED'],
  ].map(([step, status]) => ({ step, status, at: 1795654131435, detail: null })),
  startedAt: 1795654131435,
  updatedAt: 1795654133077,
};

const HEADERS = {
  ce_specversion: '1.0',
  ce_id: '01a2155f-1ca8-73d3-9b65-a78846d4346b',
  ce_source: '/services/order-saga',
  ce_type: 'saga.CommitInventory',
  ce_time: '2026-11-26T01:01:24.520Z',
  ce_subject: ORDER,
  ce_dataschema: 'http://127.0.0.1:8081/apis/ccompat/v7/schemas/ids/26',
  'content-type': 'application/avro',
  ce_correlationid: '263a483b-44eb-4aec-9d41-dc27bcee44aa',
  ce_causationid: '01a2155f-1c72-726b-9c94-126ad82e5b6f',
  ce_causationdepth: '5',
  traceparent: '00-5860c24ed276c4a36b6ebdc28ed44c6f-5268f8e6d04e1ee8-01',
};

/** A SQL string literal (standard_conforming_strings: only quotes need doubling). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * JSON as pgbench can carry it: pgbench reads `:name` anywhere in a query as a variable (digits
 * included), so no colon may be followed by a letter or digit. Structural colons get a space
 * after them, colons inside strings are written as the JSON escape \u003a.
 */
export function pgbenchJson(value: unknown): string {
  const MARK = '\u0001';
  const json = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll(':', MARK) : v,
  );
  return json.replaceAll(':', ': ').replaceAll('\\u0001', '\\u003a');
}

const VALUE_HEX = '00'.repeat(64);

/** The pgbench script of one hop; every SQL command on one line, as pgbench reads them. */
export function hopScript(outboxChannel: string): string {
  const key = `'bench-' || :n`;
  return [
    `\\set n random(1, ${SAGA_ROWS})`,
    'BEGIN;',
    `INSERT INTO inbox (consumer_group, message_id, message_type, topic, kafka_partition, kafka_offset) VALUES ('order-saga', gen_random_uuid()::text, 'payments.PaymentCaptured', 'payments.events', :n % 6, :n) ON CONFLICT DO NOTHING;`,
    `SELECT state, correlation_id FROM order_saga WHERE order_id = ${key};`,
    `UPDATE order_saga SET version = version + 1, status = 'RUNNING', state = ${literal(pgbenchJson(STATE))}::jsonb, deadline_at = now() + interval '10 seconds', updated_at = now() WHERE order_id = ${key};`,
    `WITH row AS (INSERT INTO outbox (message_id, message_type, topic, message_key, value, headers) VALUES (gen_random_uuid(), 'saga.CommitInventory', 'inventory.commands', ${key}, '\\x${VALUE_HEX}'::bytea, ${literal(pgbenchJson(HEADERS))}::jsonb)) SELECT pg_notify(${literal(outboxChannel)}, '');`,
    'COMMIT;',
    '',
  ].join('\n');
}

/** The saga rows the script reads and updates. */
export function seedSql(rows: number): string {
  return `INSERT INTO order_saga (order_id, version, status, state, deadline_at, correlation_id)
    SELECT 'bench-' || n, 1, 'RUNNING', ${literal(pgbenchJson(STATE))}::jsonb, now(), 'bench'
      FROM generate_series(1, ${rows}) AS n`;
}
