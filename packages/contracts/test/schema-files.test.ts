import { describe, expect, it } from '@jest/globals';
import { loadSchemaDir } from '../src/tooling/schema-files.js';
import { checkSchemas } from '../src/tooling/check-schemas.js';
import { documented, schemaDir } from './support/schemas.js';

const placed = documented('OrderPlaced', 'orderflow.orders', [{ name: 'orderId', type: 'string' }]);

describe('schema file validation', () => {
  it('reports every problem at once: names, namespaces, gaps, docs, folders', () => {
    const dir = schemaDir({
      'order-service/OrderPlaced.v1.avsc': placed,
      'order-service/OrderPlaced.v3.avsc': {
        ...placed,
        fields: [...placed.fields, { name: 'x', type: 'int', default: 0, doc: 'x.' }],
      },
      'order-service/OrderDone.v1.avsc': placed,
      'order-service/Broken.v1.avsc': '{ not json',
      'order-service/lowercase.avsc': placed,
      'inventory-service/OrderPlacedToo.v1.avsc': documented('OrderPlacedToo', 'orderflow.orders', [
        { name: 'a', type: 'int' },
      ]),
      'payment-service/Undocumented.v1.avsc': {
        type: 'record',
        name: 'Undocumented',
        namespace: 'orderflow.payments',
        fields: [{ name: 'a', type: 'int' }],
      },
      'billing/Thing.v1.avsc': placed,
    });
    const problems = loadSchemaDir(dir).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'billing/: not a service name (expected one of order-service, inventory-service, payment-service, shipping-service, order-saga)',
        "inventory-service/OrderPlacedToo.v1.avsc: namespace must be orderflow.inventory (the owner's), found orderflow.orders",
        expect.stringMatching(/^order-service\/Broken\.v1\.avsc: not valid JSON/),
        'order-service/OrderDone.v1.avsc: record is named OrderPlaced but the file name says OrderDone',
        'order-service/lowercase.avsc: file name must be <RecordName>.v<N>.avsc with N >= 1',
        'payment-service/Undocumented.v1.avsc: record Undocumented has no doc',
        'payment-service/Undocumented.v1.avsc: field `a` has no doc',
        'orders.OrderPlaced: found v1, v3; versions must run v1..vN without gaps (missing v2)',
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('rejects a version that differs from its predecessor only in docs', () => {
    const dir = schemaDir({
      'order-service/OrderPlaced.v1.avsc': placed,
      'order-service/OrderPlaced.v2.avsc': { ...placed, doc: 'Reworded.' },
    });
    expect(loadSchemaDir(dir).problems).toEqual([
      'orders.OrderPlaced: v2 differs from v1 only in docs; a registry would not make it a new version',
    ]);
  });

  it('requires manifest and files to match one to one', () => {
    const dir = schemaDir({ 'order-service/OrderPlaced.v1.avsc': placed });
    const expected = [
      {
        type: 'orders.OrderCompleted',
        owner: 'order-service',
        name: 'OrderCompleted',
        compatibility: 'BACKWARD',
      } as const,
    ];
    expect(checkSchemas(dir, expected).problems).toEqual([
      'orders.OrderCompleted: declared in the manifest but order-service/OrderCompleted.v1.avsc does not exist',
      'orders.OrderPlaced: order-service/OrderPlaced.v1.avsc exists but the manifest (packages/contracts/src/manifest.ts) does not declare it',
    ]);
  });
});
