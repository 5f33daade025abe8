import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Messaging, MESSAGING_MIGRATIONS_DIR, silentLogger } from '@orderflow/messaging';
import { MessagingPeer, privateTopics } from '@orderflow/service-testkit';
import { createLogger } from '@orderflow/telemetry';
import {
  createTestDatabase,
  eventually,
  testEnvironment,
  type TestDatabase,
  bearer,
  testAuth,
} from '@orderflow/testkit';
import { buildApp, type InventoryApp } from '../src/app.js';
import { inventoryConfig } from '../src/config.js';
import { contractsOnTopics } from '../src/contracts.js';
import type { StockItem } from '../src/domain/reserve.js';
import { listItems } from '../src/store/inventory-store.js';

/**
 * inventory-service against the real broker, registry and Postgres: the saga's side is a second
 * Messaging instance (service 'order-saga') sending commands through its own outbox and
 * collecting the replies through its own inbox, both on private topics.
 */
const env = testEnvironment();
const brokers = env.kafkaBrokers.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const INVENTORY_MIGRATIONS = path.resolve(here, '../migrations');

const suffix = randomUUID().slice(0, 8);
const commandsTopic = `test.inventory.commands-${suffix}`;
const eventsTopic = `test.inventory.events-${suffix}`;
const inventoryGroup = `inventory-service-${suffix}`;
const sagaGroup = `order-saga-${suffix}`;
const contracts = contractsOnTopics(commandsTopic, eventsTopic);

let inventoryDb: TestDatabase;
let saga: MessagingPeer;
let app: InventoryApp;
let initial: Map<string, StockItem>;

async function stock(): Promise<Map<string, StockItem>> {
  return new Map((await listItems(inventoryDb.pool)).map((item) => [item.sku, item]));
}

async function item(sku: string): Promise<StockItem> {
  const found = (await stock()).get(sku);
  if (!found) throw new Error(`no ${sku}`);
  return found;
}

function total(i: StockItem): number {
  return i.available + i.reserved + i.committed;
}

/** An admin's Authorization header: every route but health needs a token. */
let admin: { authorization: string };
beforeAll(async () => {
  await Promise.all([
    privateTopics(brokers, commandsTopic, inventoryGroup),
    privateTopics(brokers, eventsTopic, sagaGroup),
  ]);
  inventoryDb = await createTestDatabase(env.databaseUrl, [
    MESSAGING_MIGRATIONS_DIR,
    INVENTORY_MIGRATIONS,
  ]);
  initial = await stock();

  const auth = await testAuth();
  admin = bearer(await auth.admin());
  const config = inventoryConfig({
    ...auth.env,
    DATABASE_URL: inventoryDb.url,
    KAFKA_BROKERS: env.kafkaBrokers,
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger({ service: 'inventory-service', level: 'silent' });
  const messaging = new Messaging({
    service: 'inventory-service',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    pool: inventoryDb.pool,
    logger: silentLogger,
    autoRegisterSchemas: true, // private topics mean private subjects
    relay: { pollIntervalMs: 200 },
  });
  app = await buildApp(config, {
    pool: inventoryDb.pool,
    messaging,
    logger,
    contracts,
    group: inventoryGroup,
  });

  saga = await MessagingPeer.start({
    service: 'order-saga',
    brokers,
    registryUrl: env.schemaRegistryUrl,
    databaseUrl: env.databaseUrl,
    group: sagaGroup,
    receives: [
      contracts.reserved,
      contracts.rejected,
      contracts.committed,
      contracts.released,
      contracts.restocked,
    ],
  });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await saga?.stop();
  await inventoryDb?.drop();
});

describe('inventory over Kafka', () => {
  const reservedOrder = `order-${randomUUID()}`;
  const duplicateOrder = `order-${randomUUID()}`;

  it('reserves available stock and replies with priced lines and the total', async () => {
    const command = await saga.send(contracts.reserve, {
      orderId: reservedOrder,
      lines: [
        { sku: 'MOUSE-WIRELESS', quantity: 1 },
        { sku: 'KEYBOARD-MECH', quantity: 2 },
      ],
    });
    const [reply] = await saga.receivedFor(reservedOrder, 1);
    expect(reply?.type).toBe('inventory.InventoryReserved');
    expect(reply?.payload).toEqual({
      orderId: reservedOrder,
      lines: [
        { sku: 'KEYBOARD-MECH', quantity: 2, unitAmountMinor: 8999, lineAmountMinor: 17998 },
        { sku: 'MOUSE-WIRELESS', quantity: 1, unitAmountMinor: 2999, lineAmountMinor: 2999 },
      ],
      amountMinor: 20997,
      currency: 'EUR',
    });
    expect(reply?.envelope.causationId).toBe(command.id);
    expect(reply?.envelope.correlationId).toBe(command.correlationId);
    expect(await item('KEYBOARD-MECH')).toMatchObject({ available: 48, reserved: 2 });
    expect(await item('MOUSE-WIRELESS')).toMatchObject({ available: 99, reserved: 1 });
  });

  it('rejects an order for more than is available, naming the SKU, and changes no stock', async () => {
    const before = await stock();
    const short = `order-${randomUUID()}`;
    const unknown = `order-${randomUUID()}`;
    await saga.send(contracts.reserve, {
      orderId: short,
      lines: [
        { sku: 'MOUSE-WIRELESS', quantity: 1 },
        { sku: 'LAPTOP-STAND', quantity: 6 },
      ],
    });
    await saga.send(contracts.reserve, {
      orderId: unknown,
      lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }],
    });
    const [rejected] = await saga.receivedFor(short, 1);
    expect(rejected?.type).toBe('inventory.InventoryReservationRejected');
    expect(rejected?.payload).toEqual({
      orderId: short,
      reason: 'OUT_OF_STOCK',
      skus: ['LAPTOP-STAND'],
    });
    const [unknownReply] = await saga.receivedFor(unknown, 1);
    expect(unknownReply?.payload).toEqual({
      orderId: unknown,
      reason: 'UNKNOWN_SKU',
      skus: ['NO-SUCH-SKU'],
    });
    expect(await stock()).toEqual(before);
  });

  it('reserves once when the same ReserveInventory arrives twice, and answers both', async () => {
    const command = { orderId: duplicateOrder, lines: [{ sku: 'MONITOR-27', quantity: 3 }] };
    await saga.send(contracts.reserve, command);
    await saga.send(contracts.reserve, command);
    const both = await saga.receivedFor(duplicateOrder, 2);
    expect(both.map((r) => r.type)).toEqual([
      'inventory.InventoryReserved',
      'inventory.InventoryReserved',
    ]);
    expect(both[1]?.payload).toEqual(both[0]?.payload);
    expect(await item('MONITOR-27')).toMatchObject({ available: 17, reserved: 3 });
  });

  it('release returns the reserved stock', async () => {
    await saga.send(contracts.release, { orderId: duplicateOrder });
    const released = await eventually('InventoryReleased', () => {
      const r = saga.received.find(
        (x) => x.key === duplicateOrder && x.type === 'inventory.InventoryReleased',
      );
      if (!r) throw new Error('not yet');
      return r;
    });
    expect(released.payload.lines).toEqual([{ sku: 'MONITOR-27', quantity: 3 }]);
    expect(await item('MONITOR-27')).toMatchObject({ available: 20, reserved: 0, committed: 0 });
  });

  it('commit moves reserved to committed; restock puts it back', async () => {
    await saga.send(contracts.commit, { orderId: reservedOrder });
    const committed = await eventually('InventoryCommitted', () => {
      const r = saga.received.find(
        (x) => x.key === reservedOrder && x.type === 'inventory.InventoryCommitted',
      );
      if (!r) throw new Error('not yet');
      return r;
    });
    expect(committed.payload.lines).toEqual([
      { sku: 'KEYBOARD-MECH', quantity: 2 },
      { sku: 'MOUSE-WIRELESS', quantity: 1 },
    ]);
    expect(await item('KEYBOARD-MECH')).toMatchObject({
      available: 48,
      reserved: 0,
      committed: 2,
    });

    await saga.send(contracts.restock, { orderId: reservedOrder });
    await eventually('InventoryRestocked', () => {
      if (
        !saga.received.some(
          (x) => x.key === reservedOrder && x.type === 'inventory.InventoryRestocked',
        )
      )
        throw new Error('not yet');
    });
    expect(await item('KEYBOARD-MECH')).toMatchObject({
      available: 50,
      reserved: 0,
      committed: 0,
    });
  });

  it('a release that overtakes its reserve wins: the late reserve holds nothing', async () => {
    const orderId = `order-${randomUUID()}`;
    const before = await item('MONITOR-27');
    await saga.send(contracts.release, { orderId });
    const [released] = await saga.receivedFor(orderId, 1);
    expect(released).toMatchObject({
      type: 'inventory.InventoryReleased',
      payload: { orderId, lines: [] },
    });
    const late = await saga.send(contracts.reserve, {
      orderId,
      lines: [{ sku: 'MONITOR-27', quantity: 1 }],
    });
    await eventually('the late reserve processed', async () => {
      const { rowCount } = await inventoryDb.pool.query(
        'SELECT 1 FROM inbox WHERE message_id = $1',
        [late.id],
      );
      if (rowCount !== 1) throw new Error('not yet');
    });
    expect(await item('MONITOR-27')).toEqual(before);
    // Outbox rows are written in the handler's transaction, so this is final: only the release reply.
    const { rows } = await inventoryDb.pool.query<{ message_type: string }>(
      'SELECT message_type FROM outbox WHERE message_key = $1',
      [orderId],
    );
    expect(rows.map((r) => r.message_type)).toEqual(['inventory.InventoryReleased']);
  });

  it('never oversells: parallel orders for the last units reserve exactly what is left', async () => {
    const orders = Array.from({ length: 12 }, () => `order-${randomUUID()}`);
    // Lines in both orders, across partitions consumed concurrently: SKU-ordered locks keep this deadlock-free.
    await Promise.all(
      orders.map((orderId, i) => {
        const lines = [
          { sku: 'LAPTOP-STAND', quantity: 1 },
          { sku: 'MOUSE-WIRELESS', quantity: 1 },
        ];
        return saga.send(contracts.reserve, { orderId, lines: i % 2 ? lines : lines.reverse() });
      }),
    );
    const outcomes = await Promise.all(orders.map((o) => saga.receivedFor(o, 1)));
    const types = outcomes.map(([r]) => r?.type);
    expect(types.filter((t) => t === 'inventory.InventoryReserved')).toHaveLength(5);
    const rejected = outcomes.flat().filter((r) => r.type !== 'inventory.InventoryReserved');
    expect(rejected).toHaveLength(7);
    for (const r of rejected)
      expect(r.payload).toMatchObject({ reason: 'OUT_OF_STOCK', skus: ['LAPTOP-STAND'] });
    expect(await item('LAPTOP-STAND')).toMatchObject({ available: 0, reserved: 5 });
  });

  it('lets the database refuse negative stock whatever the code does', async () => {
    await expect(
      inventoryDb.pool.query(
        "UPDATE catalogue SET available = available - 1 WHERE sku = 'SOLD-OUT-MUG'",
      ),
    ).rejects.toMatchObject({ code: '23514' }); // check_violation
  });

  it('conserves stock: available + reserved + committed is unchanged for every SKU', async () => {
    const now = await stock();
    expect([...now.keys()].sort()).toEqual([...initial.keys()].sort());
    for (const [sku, before] of initial) {
      const after = now.get(sku);
      expect({ sku, total: after && total(after) }).toEqual({ sku, total: total(before) });
    }
  });
});

describe('inventory over HTTP', () => {
  it('lists the catalogue and shows one SKU', async () => {
    const list = await app.http.inject({ headers: admin, method: 'GET', url: '/inventory' });
    expect(list.statusCode).toBe(200);
    const { items } = list.json<{ items: StockItem[] }>();
    expect(items.map((i) => i.sku)).toEqual([...initial.keys()].sort());
    const one = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: '/inventory/SOLD-OUT-MUG',
    });
    expect(one.json()).toEqual({
      sku: 'SOLD-OUT-MUG',
      name: 'Orderflow mug',
      priceMinor: 1200,
      currency: 'EUR',
      available: 0,
      reserved: 0,
      committed: 0,
    });
  });

  it('answers an unknown SKU with a 404 problem', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'GET',
      url: '/inventory/NOPE-1',
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, detail: 'No SKU NOPE-1' });
  });

  it('sets price and available stock', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'PUT',
      url: '/inventory/USB-C-CABLE',
      payload: { priceMinor: 1099, available: 42 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ sku: 'USB-C-CABLE', priceMinor: 1099, available: 42 });
    expect(await item('USB-C-CABLE')).toMatchObject({ priceMinor: 1099, available: 42 });
  });

  it('refuses a bad body with a 400 problem naming the failing fields, and changes nothing', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'PUT',
      url: '/inventory/USB-C-CABLE',
      payload: { available: -1, priceMinor: 'cheap', reserved: 5 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<{ errors: { path: string }[] }>();
    expect(problem.errors.map((e) => e.path).sort()).toEqual([
      'body',
      'body/available',
      'body/priceMinor',
    ]);
    expect(await item('USB-C-CABLE')).toMatchObject({ priceMinor: 1099, available: 42 });
  });

  it('answers PUT for an unknown SKU with 404', async () => {
    const response = await app.http.inject({
      headers: admin,
      method: 'PUT',
      url: '/inventory/NOPE-1',
      payload: { available: 1 },
    });
    expect(response.statusCode).toBe(404);
  });

  it('is ready when Postgres and Kafka answer', async () => {
    const response = await app.http.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', kafka: 'ok' } });
  });
});
