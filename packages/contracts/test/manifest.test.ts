import { describe, expect, it } from '@jest/globals';
import {
  assertCanEmit,
  canEmit,
  ContractError,
  loadSchema,
  MESSAGE_TYPES,
  messageSpec,
  messagesOf,
  OWNER_SHORT,
  schemaText,
  TOPICS,
  type MessagePayload,
  type MessageType,
  type TopicName,
} from '../src/index.js';
import { checkSchemas, manifestExpectations } from '../src/tooling/check-schemas.js';
import { REPO_SCHEMAS } from './support/schemas.js';

describe('ownership manifest', () => {
  it('describes a message fully: topic, owner, subject, latest version and its file', () => {
    expect(messageSpec('orders.OrderPlaced')).toMatchObject({
      kind: 'event',
      name: 'OrderPlaced',
      fullName: 'orderflow.orders.OrderPlaced',
      topic: 'orders.events',
      owner: 'order-service',
      emitters: ['order-service'],
      compatibility: 'FULL_TRANSITIVE',
      subject: 'orders.events-orderflow.orders.OrderPlaced',
      version: 3,
      file: 'schemas/order-service/OrderPlaced.v3.avsc',
    });
    expect(messageSpec('inventory.InventoryReserved').compatibility).toBe('BACKWARD_TRANSITIVE');
  });

  it('lists the messages of a topic', () => {
    expect(messagesOf('inventory.commands').map((m) => m.type)).toEqual([
      'saga.ReserveInventory',
      'saga.ReleaseInventory',
      'saga.CommitInventory',
      'saga.RestockInventory',
    ]);
  });

  it('lets only the owner emit events and only the saga send commands', () => {
    expect(canEmit('inventory-service', 'inventory.InventoryReserved')).toBe(true);
    expect(canEmit('order-saga', 'inventory.InventoryReserved')).toBe(false);
    expect(canEmit('order-saga', 'saga.ReserveInventory')).toBe(true);
    expect(canEmit('inventory-service', 'saga.ReserveInventory')).toBe(false);
    expect(canEmit('order-service', 'orders.NoSuchThing')).toBe(false);
    for (const type of MESSAGE_TYPES) {
      const spec = messageSpec(type);
      expect(spec.emitters).toEqual(
        spec.kind === 'command' ? ['order-saga'] : [TOPICS[spec.topic].owner],
      );
    }
  });

  it('refuses a foreign emitter with a NOT_OWNER error that says who may emit', () => {
    expect(() => assertCanEmit('payment-service', 'orders.OrderPlaced')).toThrow(
      'payment-service may not emit orders.OrderPlaced: only order-service may (event on orders.events, owned by order-service)',
    );
    const err = catchError(() => assertCanEmit('payment-service', 'orders.OrderPlaced'));
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ code: 'NOT_OWNER', retryable: false });
    expect(catchError(() => messageSpec('orders.Nope'))).toMatchObject({
      code: 'UNKNOWN_MESSAGE_TYPE',
    });
  });

  it('loads embedded schemas by version, frozen', () => {
    const names = (v?: number) => loadSchema('orders.OrderPlaced', v).fields.map((f) => f.name);
    expect(names(1)).not.toContain('channel');
    expect(names()).toContain('channel');
    expect(Object.isFrozen(loadSchema('orders.OrderPlaced').fields)).toBe(true);
    expect(catchError(() => loadSchema('orders.OrderPlaced', 9))).toMatchObject({
      code: 'UNKNOWN_SCHEMA_VERSION',
      message: 'orders.OrderPlaced has no v9; published versions: 1, 2, 3',
    });
    expect(JSON.parse(schemaText('payments.PaymentCaptured'))).toEqual(
      loadSchema('payments.PaymentCaptured'),
    );
  });

  it('covers every topic, and names each type <owner-short>.<Record>', () => {
    for (const topic of Object.keys(TOPICS) as TopicName[])
      expect(messagesOf(topic).length).toBeGreaterThan(0);
    for (const type of MESSAGE_TYPES) {
      const spec = messageSpec(type);
      expect(type).toBe(`${OWNER_SHORT[spec.owner]}.${spec.name}`);
      expect(spec.version).toBeGreaterThan(0); // the generated module knows it
    }
  });

  it('types message types and their payloads at compile time (checked by tsc)', () => {
    const type: MessageType = 'saga.ReserveInventory';
    // @ts-expect-error not a declared message type
    const wrong: MessageType = 'saga.Nope';
    const payload: MessagePayload<typeof type> = {
      orderId: 'o-1',
      lines: [{ sku: 'SKU-1', quantity: 1 }],
    };
    type OrderLine = MessagePayload<'orders.OrderPlaced'>['lines'][number];
    // @ts-expect-error OrderPlaced lines carry no client prices
    const priced: OrderLine = { sku: 'A', quantity: 1, unitAmountMinor: 5 };
    expect([type, wrong, payload.orderId, priced.sku]).toEqual([
      'saga.ReserveInventory',
      'saga.Nope',
      'o-1',
      'A',
    ]);
  });

  it('agrees with the schema files, and every chain passes its compatibility mode', () => {
    expect(checkSchemas(REPO_SCHEMAS, manifestExpectations()).problems).toEqual([]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
