import avro from 'avsc';
import { MessagingError } from './errors.js';

/**
 * Bounded Avro decoding: a walk of the binary body, driven by the writer's schema, that runs
 * before avsc decodes it and allocates nothing. avsc trusts block counts and lengths: a 4-byte
 * value whose array block claims 1e6 items makes it build a million-slot array (0.65 s, 46 MB)
 * before it notices the bytes ran out, and 2^32−1 items never finish. Here every claim is checked
 * against the bytes left first, so decoding costs time and memory in proportion to the record's
 * real size, and a hostile one is refused with AVRO_BOUNDS.
 *
 * Why a walk and not a patch of avsc (patches/ + pnpm patchedDependencies): the checks would sit
 * inside avsc's private Tap and per-type `_read`/`_skip`/resolver code, three code paths per
 * container, re-done on every upgrade; the walk depends only on avsc's public type classes, is
 * tested on its own, and names the offending byte. Its cost is one allocation-free pass over
 * bytes that are about to be read anyway (records here are a few hundred bytes).
 */

/** Composite nesting (records, arrays, maps, unions) deeper than this is refused. */
export const MAX_AVRO_DEPTH = 32;
/**
 * Items that take no bytes (null, an empty record) cannot be bounded by the body's size; a value
 * may hold this many of them in all.
 */
export const MAX_ZERO_SIZE_ITEMS = 10_000;
/** A zigzag varint of a 64-bit long is at most 10 bytes. */
const MAX_VARINT_BYTES = 10;

const { ArrayType, MapType, RecordType, EnumType, FixedType, LogicalType } = avro.types;

class Walk {
  pos = 0;
  zeroSizeItems = 0;

  constructor(private readonly buf: Buffer) {}

  get left(): number {
    return this.buf.length - this.pos;
  }

  fail(what: string): never {
    throw new MessagingError('AVRO_BOUNDS', `Avro value refused at byte ${this.pos}: ${what}`);
  }

  need(bytes: number, what: string): void {
    if (bytes > this.left) this.fail(`${what} needs ${bytes} bytes, ${this.left} left`);
  }

  /** A zigzag varint, as a float: exact up to 2^53, and only ever compared beyond that. */
  long(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i += 1) {
      const byte = this.buf[this.pos];
      if (byte === undefined) this.fail(`${what} is truncated`);
      this.pos += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
      scale *= 128;
    }
    return this.fail(`${what} is a varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  /** Skips a length-prefixed string or bytes. */
  skipSized(what: string): void {
    const n = this.long(`${what} length`);
    if (n < 0) this.fail(`${what} has a negative length (${n})`);
    this.skip(n, what);
  }

  skip(bytes: number, what: string): void {
    this.need(bytes, what);
    this.pos += bytes;
  }
}

const minSizes = new WeakMap<avro.Type, number>();

/** The fewest bytes a value of `type` can take (0 for null and records of nulls). */
export function minEncodedSize(type: avro.Type, visiting = new Set<avro.Type>()): number {
  const known = minSizes.get(type);
  if (known !== undefined) return known;
  // A recursive record is only finite through a union, array or map, each at least one byte.
  if (visiting.has(type)) return 1;
  visiting.add(type);
  const size = computeMinSize(type, visiting);
  visiting.delete(type);
  minSizes.set(type, size);
  return size;
}

function computeMinSize(type: avro.Type, visiting: Set<avro.Type>): number {
  if (type instanceof LogicalType) return minEncodedSize(type.underlyingType, visiting);
  if (type instanceof RecordType)
    return type.fields.reduce((sum, f) => sum + minEncodedSize(f.type, visiting), 0);
  if (type instanceof FixedType) return type.size;
  switch (type.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    default:
      // boolean, int, long, bytes, string, enum, array, map, union: a byte or a varint at least.
      return 1;
  }
}

function unionBranches(type: avro.Type): readonly avro.Type[] | undefined {
  return type.typeName.startsWith('union')
    ? (type as avro.types.WrappedUnionType).types
    : undefined;
}

function walk(type: avro.Type, w: Walk, depth: number): void {
  if (type instanceof LogicalType) return walk(type.underlyingType, w, depth);
  const branches = unionBranches(type);
  const nested =
    branches || type instanceof RecordType || type instanceof ArrayType || type instanceof MapType;
  if (nested && depth >= MAX_AVRO_DEPTH) w.fail(`nesting deeper than ${MAX_AVRO_DEPTH} levels`);
  if (branches) {
    const index = w.long('union branch');
    const branch = branches[index];
    if (!branch) w.fail(`union branch ${index} of ${branches.length}`);
    return walk(branch, w, depth + 1);
  }
  if (type instanceof RecordType) {
    for (const field of type.fields) walk(field.type, w, depth + 1);
    return;
  }
  if (type instanceof ArrayType) return blocks(w, 'array', type.itemsType, undefined, depth);
  if (type instanceof MapType)
    return blocks(w, 'map', type.valuesType as avro.Type, 'map key', depth);
  if (type instanceof EnumType) {
    const index = w.long('enum index');
    if (index < 0 || index >= type.symbols.length)
      w.fail(`enum index ${index} of ${type.symbols.length} symbols`);
    return;
  }
  if (type instanceof FixedType) return w.skip(type.size, 'fixed');
  primitive(type.typeName, w);
}

function primitive(name: string, w: Walk): void {
  switch (name) {
    case 'null':
      return;
    case 'boolean':
      return w.skip(1, 'boolean');
    case 'int':
    case 'long':
      w.long(name);
      return;
    case 'float':
      return w.skip(4, name);
    case 'double':
      return w.skip(8, name);
    case 'bytes':
    case 'string':
      return w.skipSized(name);
    default:
      w.fail(`no bounds rule for Avro type ${name}`);
  }
}

/** Array and map blocks: a count (negative: followed by the block's byte size), 0 ends. */
function blocks(
  w: Walk,
  what: 'array' | 'map',
  items: avro.Type,
  key: string | undefined,
  depth: number,
): void {
  // A map entry is a string key (a length byte at least) and its value.
  const itemSize = minEncodedSize(items) + (key ? 1 : 0);
  for (;;) {
    let count = w.long(`${what} block count`);
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      const size = w.long(`${what} block size`);
      if (size < 0) w.fail(`${what} block has a negative byte size (${size})`);
      w.need(size, `${what} block`);
    }
    if (itemSize === 0) {
      w.zeroSizeItems += count;
      if (w.zeroSizeItems > MAX_ZERO_SIZE_ITEMS)
        w.fail(
          `${what} claims ${w.zeroSizeItems} zero-size items (at most ${MAX_ZERO_SIZE_ITEMS})`,
        );
    } else if (count * itemSize > w.left) {
      w.fail(`${what} block claims ${count} items of ≥${itemSize} bytes, ${w.left} bytes left`);
    }
    for (let i = 0; i < count; i += 1) {
      if (key) w.skipSized(key);
      walk(items, w, depth + 1);
    }
  }
}

/**
 * Throws AVRO_BOUNDS unless `body` (Avro binary, no wire-format header) is a value of `writer`
 * whose every count and length fits in its bytes. Trailing bytes are left for avsc to refuse.
 */
export function checkAvroBounds(writer: avro.Type, body: Buffer): void {
  walk(writer, new Walk(body), 0);
}
