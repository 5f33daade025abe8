import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { KeyQueue } from '../../src/runtime/key-queue.js';

interface Item {
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
}

function queueOf(...items: [key: string, partition?: number][]) {
  const q = new KeyQueue<Item>();
  const seqs = new Map<string, number>();
  for (const [key, partition = 0] of items) {
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    q.push(key, { key, seq, partition });
  }
  return q;
}

const names = (taken: { item: Item }[]) => taken.map(({ item }) => `${item.key}${item.seq}`);

describe('KeyQueue', () => {
  it('hands out one key strictly in push order, one item at a time', () => {
    const q = queueOf(['a'], ['a'], ['a']);
    expect(names(q.take(10))).toEqual(['a1']);
    expect(q.take(10)).toEqual([]); // a1 in flight: a2 waits
    q.push('a', { key: 'a', seq: 4, partition: 0 }); // pushed while a1 is in flight: still waits
    expect(q.take(10)).toEqual([]);
    expect(q.inFlight).toBe(1);
    expect(q.size).toBe(3);
    q.release('a');
    expect(names(q.take(10))).toEqual(['a2']);
    q.release('a');
    expect(names(q.take(10))).toEqual(['a3']);
    q.release('a');
    expect(names(q.take(10))).toEqual(['a4']);
    q.release('a');
    expect(q.take(10)).toEqual([]);
    expect(q.size).toBe(0);
    expect(q.inFlight).toBe(0);
  });

  it('hands out distinct keys together, in the order they became ready', () => {
    const q = queueOf(['b'], ['a'], ['b'], ['c']);
    expect(names(q.take(10))).toEqual(['b1', 'a1', 'c1']);
    q.release('a'); // a has nothing more; b2 still waits behind b1
    expect(q.take(10)).toEqual([]);
    q.release('b');
    expect(names(q.take(10))).toEqual(['b2']);
  });

  it('takes at most `max` items, leaving the other ready keys for the next take', () => {
    const q = queueOf(['a'], ['b'], ['c'], ['d'], ['e']);
    expect(names(q.take(2))).toEqual(['a1', 'b1']);
    expect(q.size).toBe(3);
    expect(names(q.take(1))).toEqual(['c1']);
    expect(names(q.take(10))).toEqual(['d1', 'e1']);
    expect(q.inFlight).toBe(5);
    expect(q.take(0)).toEqual([]);
  });

  it('discards the waiting items selected, never the ones in flight, and keeps the rest in order', () => {
    const q = queueOf(['a', 0], ['a', 0], ['b', 1], ['a', 1], ['c', 0]);
    expect(names(q.take(1))).toEqual(['a1']);
    const dropped = q.discard((item) => item.partition === 0);
    expect(dropped.map((i) => `${i.key}${i.seq}`).sort()).toEqual(['a2', 'c1']);
    expect(q.size).toBe(2);
    expect(q.inFlight).toBe(1);
    // c had only discarded items: it is no longer ready. a3 (partition 1) waits behind a1.
    expect(names(q.take(10))).toEqual(['b1']);
    q.release('a');
    expect(names(q.take(10))).toEqual(['a3']);
    expect(q.size).toBe(0);
  });

  it('for any interleaving of push, take and release: per key in push order, never two of a key in flight, none lost', () => {
    type Op =
      { op: 'push'; key: string } | { op: 'take'; max: number } | { op: 'release'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('push' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
      fc.record({ op: fc.constant('take' as const), max: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new KeyQueue<Item>();
        const pushed = new Map<string, number>(); // key -> items pushed
        const taken = new Map<string, number>(); // key -> items taken
        const inFlight = new Set<string>();

        const take = (max: number) => {
          // Keys that are idle and have something waiting: exactly those may (and must) come out.
          const eligible = [...pushed.keys()].filter(
            (k) => !inFlight.has(k) && (pushed.get(k) ?? 0) > (taken.get(k) ?? 0),
          );
          const out = q.take(max);
          expect(out.length).toBe(Math.min(max, eligible.length));
          for (const { key, item } of out) {
            expect(item.key).toBe(key);
            expect(inFlight.has(key)).toBe(false);
            const expected = (taken.get(key) ?? 0) + 1;
            expect(item.seq).toBe(expected);
            taken.set(key, expected);
            inFlight.add(key);
          }
        };

        for (const step of ops) {
          if (step.op === 'push') {
            const seq = (pushed.get(step.key) ?? 0) + 1;
            pushed.set(step.key, seq);
            q.push(step.key, { key: step.key, seq, partition: 0 });
          } else if (step.op === 'take') {
            take(step.max);
          } else if (inFlight.size > 0) {
            const key = [...inFlight][step.pick % inFlight.size]!;
            inFlight.delete(key);
            q.release(key);
          }
          expect(q.inFlight).toBe(inFlight.size);
        }
        // Drain: everything pushed comes out, exactly once and in order.
        while (q.size > 0) {
          for (const key of [...inFlight]) {
            inFlight.delete(key);
            q.release(key);
          }
          take(4);
        }
        expect(taken).toEqual(pushed);
      }),
      { numRuns: 300 },
    );
  });
});
