import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import avro from 'avsc';
import fc from 'fast-check';
import { loadSchema } from '@orderflow/contracts';
import { MAX_AVRO_DEPTH, MAX_ZERO_SIZE_ITEMS } from '../src/avro-bounds.js';
import { MessagingError, type ErrorCode } from '../src/errors.js';
import { AvroSerde } from '../src/serde.js';
import type { MessageContract } from '../src/contract.js';
import {
  collectGarbage,
  heapUsed,
  HOSTILE_RESERVE_BODIES,
  varint,
  type HostileCase,
} from './hostile-avro.js';
import { startSchemaServer, type SchemaServer } from './support/schema-server.js';

// Every hostile decode must stay well inside these; avsc alone takes 46 MB for the 1e6 record.
const HEAP_BOUND = 10 * 1024 * 1024;
// Generous for a loaded 2-core machine; an unbounded decode of 2^32−1 items takes minutes.
const TIME_BOUND_MS = 2_000;

const RESERVE_ID = 1;
const HOSTILE_ID = 2;

/** Every Avro construct a count, length, index or nesting can lie in, and a recursive list. */
const HOSTILE_SCHEMA = {
  type: 'record',
  name: 'Hostile',
  namespace: 'test',
  fields: [
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'empties', type: { type: 'array', items: { type: 'record', name: 'E', fields: [] } } },
    { name: 'tags', type: { type: 'map', values: 'string' } },
    { name: 'blob', type: 'bytes' },
    {
      name: 'list',
      type: [
        'null',
        {
          type: 'record',
          name: 'Node',
          fields: [
            { name: 'value', type: 'long' },
            { name: 'next', type: ['null', 'Node'] },
          ],
        },
      ],
    },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'pair', type: { type: 'fixed', name: 'Pair', size: 2 } },
    { name: 'ratio', type: 'double' },
  ],
} as const;

const reserve: MessageContract = {
  type: 'saga.ReserveInventory',
  topic: 'unit',
  subject: 'unit-reserve',
  emitters: ['order-saga'],
  schema: loadSchema('saga.ReserveInventory', 1),
};
const hostile: MessageContract = {
  type: 'test.Hostile',
  topic: 'unit',
  subject: 'unit-hostile',
  emitters: ['order-saga'],
  schema: HOSTILE_SCHEMA as unknown as avro.Schema,
};
const hostileType = avro.Type.forSchema(HOSTILE_SCHEMA as unknown as avro.Schema);
const reserveType = avro.Type.forSchema(reserve.schema);

function wire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

interface Outcome {
  readonly code: ErrorCode | 'ok';
  readonly heapGrowth: number;
  readonly ms: number;
}

let server: SchemaServer;
let serde: AvroSerde;

/** Decodes through the real serde, measuring the heap the decode leaves and its time. */
async function decode(contract: MessageContract, schemaId: number, body: Buffer): Promise<Outcome> {
  const value = wire(schemaId, body);
  const before = heapUsed();
  const started = performance.now();
  let code: Outcome['code'] = 'ok';
  try {
    await serde.decode(value, contract);
  } catch (error) {
    if (!(error instanceof MessagingError)) throw error;
    code = error.code;
  }
  return { code, heapGrowth: heapUsed() - before, ms: performance.now() - started };
}

beforeAll(async () => {
  server = await startSchemaServer(
    new Map<number, unknown>([
      [RESERVE_ID, reserve.schema],
      [HOSTILE_ID, HOSTILE_SCHEMA],
    ]),
  );
  serde = new AvroSerde({ registryUrl: server.url });
  // Writer schemas fetched and cached, so the measures below are the decode's alone.
  await serde.decode(wire(RESERVE_ID, reserveType.toBuffer(reserveType.random())), reserve);
  await serde.decode(wire(HOSTILE_ID, hostileType.toBuffer(hostileType.random())), hostile);
});

afterAll(() => server.close());

describe('bounded Avro decoding: the crafted records', () => {
  it.each(Object.keys(HOSTILE_RESERVE_BODIES) as HostileCase[])(
    'refuses %s with AVRO_BOUNDS, in bounded heap and time',
    async (name) => {
      collectGarbage();
      const outcome = await decode(reserve, RESERVE_ID, HOSTILE_RESERVE_BODIES[name]);
      expect(outcome.code).toBe('AVRO_BOUNDS');
      expect(outcome.heapGrowth).toBeLessThan(HEAP_BOUND);
      expect(outcome.ms).toBeLessThan(TIME_BOUND_MS);
    },
  );

  it('is a measure that catches the unbounded decode: avsc alone on the 1e6 record', () => {
    const body = HOSTILE_RESERVE_BODIES['a 4-byte value whose array block claims 1e6 items'];
    expect(body).toHaveLength(4);
    collectGarbage();
    const before = heapUsed();
    expect(() => {
      reserveType.fromBuffer(body);
    }).toThrow(/truncated/);
    expect(heapUsed() - before).toBeGreaterThan(HEAP_BOUND);
  });

  it('still decodes every well-formed value, a large one included', async () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: i }));
    const payload = { orderId: 'o-1', lines };
    const value = wire(RESERVE_ID, reserveType.toBuffer(payload));
    expect((await serde.decode(value, reserve)).value).toEqual(payload);
  });

  it('takes null and empty-record items up to the cap, and refuses more', async () => {
    const valid = { nulls: [], empties: [], tags: {}, blob: Buffer.alloc(0), list: null };
    const tail = hostileType.toBuffer({ ...valid, kind: 'A', pair: Buffer.from('ab'), ratio: 1 });
    const withNulls = (n: number) => Buffer.concat([varint(n), varint(0), tail.subarray(1)]);
    expect((await decode(hostile, HOSTILE_ID, withNulls(MAX_ZERO_SIZE_ITEMS))).code).toBe('ok');
    expect((await decode(hostile, HOSTILE_ID, withNulls(2 ** 32 - 1))).code).toBe('AVRO_BOUNDS');
  });

  it(`refuses a list nested deeper than ${MAX_AVRO_DEPTH} levels`, async () => {
    // Empty nulls, empties, tags and blob; `nodes` times union branch 1 (a Node) and its value 0;
    // the last Node's next is null (branch 0); kind, pair and ratio.
    const head = Buffer.from([0, 0, 0, 0]);
    const tail = Buffer.concat([Buffer.from([0, 0]), Buffer.from('ab'), Buffer.alloc(8)]);
    const list = (nodes: number) =>
      Buffer.concat([head, Buffer.alloc(nodes * 2, 2).map((b, i) => (i % 2 ? 0 : b)), tail]);
    // A list of n nodes nests 2n + 1 levels deep (its unions and records).
    expect((await decode(hostile, HOSTILE_ID, list(15))).code).toBe('ok');
    expect((await decode(hostile, HOSTILE_ID, list(16))).code).toBe('AVRO_BOUNDS');
    expect((await decode(hostile, HOSTILE_ID, list(100_000))).code).toBe('AVRO_BOUNDS');
  });
});

// Fuzzing: hostile bodies from pieces of real encodings and lies, against both schemas.
const huge = fc.bigInt({ min: 2n ** 20n, max: 2n ** 63n - 1n }).map(varint);
const negative = fc.bigInt({ min: -(2n ** 63n), max: -1n }).map(varint);
const junk = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const deep = fc.integer({ min: 1, max: 400 }).map((n) => Buffer.alloc(n * 2, 2));

/** Whole and cut-short encodings of valid values (drawn once: avsc's random is not seeded). */
function encodings(type: avro.Type): fc.Arbitrary<Buffer> {
  const samples = Array.from({ length: 64 }, () => type.toBuffer(type.random()));
  return fc
    .tuple(fc.constantFrom(...samples), fc.nat())
    .map(([full, cut]) => (cut % 3 === 0 ? full : full.subarray(0, cut % (full.length + 1))));
}

function hostileBodies(type: avro.Type): fc.Arbitrary<Buffer> {
  const piece = fc.oneof(encodings(type), huge, negative, junk, deep);
  return fc.array(piece, { minLength: 1, maxLength: 6 }).map((pieces) => Buffer.concat(pieces));
}

describe('bounded Avro decoding: fuzzed', () => {
  for (const [name, contract, id, type] of [
    ['ReserveInventory', reserve, RESERVE_ID, reserveType],
    ['a schema of every construct', hostile, HOSTILE_ID, hostileType],
  ] as const) {
    it(`decodes or refuses hostile ${name} bodies precisely, in bounded heap and time`, async () => {
      collectGarbage();
      const start = heapUsed();
      await fc.assert(
        fc.asyncProperty(hostileBodies(type), async (body) => {
          const outcome = await decode(contract, id, body);
          expect(['ok', 'AVRO_BOUNDS', 'NOT_AVRO']).toContain(outcome.code);
          expect(outcome.heapGrowth).toBeLessThan(HEAP_BOUND);
          expect(outcome.ms).toBeLessThan(TIME_BOUND_MS);
        }),
        { numRuns: 400 },
      );
      collectGarbage();
      expect(heapUsed() - start).toBeLessThan(HEAP_BOUND);
    });
  }

  it('refuses every block count or length beyond the bytes left as AVRO_BOUNDS', async () => {
    const orderId = fc
      .string({ maxLength: 40 })
      .map((s) => avro.Type.forSchema('string').toBuffer(s));
    const lie = fc.oneof(
      // A block count claiming more lines than the tail holds bytes.
      fc
        .tuple(fc.bigInt({ min: 25n, max: 2n ** 62n }), fc.boolean())
        .map(([n, sized]) => Buffer.concat(sized ? [varint(-n), varint(0)] : [varint(n)])),
      // A negative block count followed by a negative byte size.
      negative.map((size) => Buffer.concat([varint(-1), size])),
    );
    await fc.assert(
      fc.asyncProperty(orderId, lie, junk, async (id, count, tail) => {
        const outcome = await decode(reserve, RESERVE_ID, Buffer.concat([id, count, tail]));
        expect(outcome.code).toBe('AVRO_BOUNDS');
      }),
      { numRuns: 300 },
    );
  });
});
