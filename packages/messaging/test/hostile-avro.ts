import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Hand-made hostile Avro bodies (no wire-format header), shared by the unit and integration tests. */

/** Avro's zigzag varint of any 64-bit value. */
export function varint(value: bigint | number): Buffer {
  const n = BigInt(value);
  let z = n >= 0n ? n * 2n : -n * 2n - 1n;
  const bytes: number[] = [];
  do {
    const low = Number(z & 0x7fn);
    z >>= 7n;
    bytes.push(z > 0n ? low | 0x80 : low);
  } while (z > 0n);
  return Buffer.from(bytes);
}

/**
 * Bodies that claim far more than they hold, for saga.ReserveInventory v1
 * (`orderId: string, lines: array<{ sku: string, quantity: int }>`).
 */
export const HOSTILE_RESERVE_BODIES = {
  // The reproduced one: an empty orderId, then one block of a million lines, and nothing else.
  'a 4-byte value whose array block claims 1e6 items': Buffer.concat([varint(0), varint(1e6)]),
  'an array block of 2^32-1 items': Buffer.concat([varint(0), varint(2 ** 32 - 1)]),
  'a negative string length': Buffer.concat([varint(-5), Buffer.from('abcde')]),
  'a negative block count whose byte size is negative': Buffer.concat([
    varint(0),
    varint(-3),
    varint(-1),
  ]),
  'a string length beyond the value': Buffer.concat([varint(1e9), Buffer.from('x')]),
  // One line whose sku is there and whose quantity is not.
  'a truncated block': Buffer.concat([varint(0), varint(1), varint(1), Buffer.from('A')]),
} as const satisfies Record<string, Buffer>;

export type HostileCase = keyof typeof HOSTILE_RESERVE_BODIES;

/** A full collection, when the process can be given one (V8's flag, without a CLI switch). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}
