import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { AvroField } from '../src/avro-schema.js';
import { checkChain } from '../src/tooling/compatibility-check.js';
import { checkSchemas, type ExpectedMessage } from '../src/tooling/check-schemas.js';
import { FIXTURES, orderPlaced } from './support/schemas.js';

const ORDER_PLACED: ExpectedMessage = {
  type: 'orders.OrderPlaced',
  owner: 'order-service',
  name: 'OrderPlaced',
  compatibility: 'BACKWARD_TRANSITIVE',
};

const id = { name: 'orderId', type: 'string' } as const;
const chain = (...types: ReturnType<typeof orderPlaced>[]) =>
  types.map((avro, i) => ({ version: i + 1, avro }));

describe('compatibility gate on fixture chains', () => {
  it('accepts a compatible chain (optional field added, then dropped; int widened to long)', () => {
    const result = checkSchemas(join(FIXTURES, 'compatible'), [ORDER_PLACED]);
    expect(result.problems).toEqual([]);
    expect(result.chains.map((c) => c.versions.length)).toEqual([3]);
  });

  it('rejects a field added without a default, naming the field and every broken pair', () => {
    const result = checkSchemas(join(FIXTURES, 'incompatible'), [ORDER_PLACED]);
    expect(result.problems).toEqual([
      'orders.OrderPlaced v3 is not BACKWARD compatible with v1: field `channel` was added without a default',
      'orders.OrderPlaced v3 is not BACKWARD compatible with v2: field `channel` was added without a default',
    ]);
  });

  it('uses the mode the manifest declares for the subject', () => {
    const result = checkSchemas(join(FIXTURES, 'incompatible'), [
      { ...ORDER_PLACED, compatibility: 'NONE' },
    ]);
    expect(result.problems).toEqual([]);
  });
});

describe('checkChain modes', () => {
  const v1 = orderPlaced([id]);
  const v2 = orderPlaced([id, { name: 'note', type: 'string', default: '' }]);
  const v3 = orderPlaced([id, { name: 'note', type: 'string' }]); // reads v2 data, not v1

  it('BACKWARD checks only the previous version, BACKWARD_TRANSITIVE all of them', () => {
    expect(checkChain('orders.OrderPlaced', chain(v1, v2, v3), 'BACKWARD')).toEqual([]);
    expect(checkChain('orders.OrderPlaced', chain(v1, v2, v3), 'BACKWARD_TRANSITIVE')).toEqual([
      'orders.OrderPlaced v3 is not BACKWARD compatible with v1: field `note` was added without a default',
    ]);
  });

  it('FORWARD explains a removed field that old readers still need', () => {
    const withQty = orderPlaced([id, { name: 'quantity', type: 'int' }]);
    expect(checkChain('x.X', chain(withQty, v1), 'BACKWARD')).toEqual([]);
    expect(checkChain('x.X', chain(withQty, v1), 'FORWARD')).toEqual([
      'x.X v2 is not FORWARD compatible with v1: field `quantity` was removed, but v1 readers need it (it has no default there)',
    ]);
  });

  it('allows promotions one way only: int → long is BACKWARD but not FULL', () => {
    const asInt = orderPlaced([id, { name: 'quantity', type: 'int' }]);
    const asLong = orderPlaced([id, { name: 'quantity', type: 'long' }]);
    expect(checkChain('x.X', chain(asInt, asLong), 'BACKWARD')).toEqual([]);
    expect(checkChain('x.X', chain(asInt, asLong), 'FULL')).toEqual([
      'x.X v2 is not FORWARD compatible with v1: field `quantity` changed type between v1 and v2: a v1 reader cannot read `long` (written by v2) as `int`',
    ]);
  });

  it('names nested fields and enum symbols', () => {
    const line = (symbols: string[]): AvroField => ({
      name: 'lines',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Line',
          fields: [{ name: 'status', type: { type: 'enum', name: 'Status', symbols } }],
        },
      },
    });
    const before = orderPlaced([id, line(['OPEN', 'SHIPPED'])]);
    const after = orderPlaced([id, line(['OPEN'])]);
    expect(checkChain('x.X', chain(before, after), 'BACKWARD')).toEqual([
      'x.X v2 is not BACKWARD compatible with v1: field `lines[].status`: enum Status dropped symbol(s) SHIPPED that v1 data may hold, and v2 declares no enum default',
    ]);
  });

  it('reports a type change under a nullable union and a renamed nested record', () => {
    const a = orderPlaced([id, { name: 'ref', type: ['null', 'string'], default: null }]);
    const b = orderPlaced([id, { name: 'ref', type: ['null', 'int'], default: null }]);
    expect(checkChain('x.X', chain(a, b), 'BACKWARD')).toEqual([
      'x.X v2 is not BACKWARD compatible with v1: field `ref` changed type between v1 and v2: a v2 reader cannot read `string` (written by v1) as `null | int`',
    ]);
    const nested = (name: string) =>
      orderPlaced([id, { name: 'addr', type: { type: 'record', name, fields: [] } }]);
    expect(checkChain('x.X', chain(nested('Address'), nested('Location')), 'BACKWARD')).toEqual([
      'x.X v2 is not BACKWARD compatible with v1: field `addr`: type renamed from orderflow.orders.Address to orderflow.orders.Location, and v2 lists no alias orderflow.orders.Address',
    ]);
  });

  it('terminates on recursive schemas and still names the field', () => {
    const tree = (valueType: string) =>
      orderPlaced([
        id,
        {
          name: 'root',
          type: {
            type: 'record',
            name: 'Node',
            fields: [
              { name: 'value', type: valueType },
              { name: 'children', type: { type: 'array', items: 'Node' } },
            ],
          },
        },
      ]);
    expect(checkChain('x.X', chain(tree('string'), tree('int')), 'BACKWARD')).toEqual([
      'x.X v2 is not BACKWARD compatible with v1: field `root.value` changed type between v1 and v2: a v2 reader cannot read `string` (written by v1) as `int`',
    ]);
  });

  it('accepts anything under NONE', () => {
    expect(
      checkChain('x.X', chain(v1, orderPlaced([{ name: 'other', type: 'int' }])), 'NONE'),
    ).toEqual([]);
  });
});
