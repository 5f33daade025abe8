import { describe, expect, it } from '@jest/globals';
import { PartitionOffsets } from '../../src/runtime/partition-offsets.js';

function tracker(...offsets: number[]): PartitionOffsets {
  const t = new PartitionOffsets();
  for (const offset of offsets) t.add(String(offset));
  return t;
}

describe('PartitionOffsets', () => {
  it('commits nothing while the first record fetched is unfinished, whatever finished after it', () => {
    const t = tracker(0, 1, 2, 3);
    t.complete('1');
    t.complete('3');
    t.complete('2');
    expect(t.committable()).toBeUndefined();
    expect(t.inFlight).toBe(1);
  });

  it('commits up to the lowest unfinished record as records finish out of order', () => {
    const t = tracker(10, 11, 12, 13, 14);
    t.complete('12');
    t.complete('10');
    expect(t.committable()).toBe('11'); // 11 unfinished: 12 is done but not committable
    t.complete('14');
    expect(t.committable()).toBe('11');
    t.complete('11');
    expect(t.committable()).toBe('13');
    t.complete('13');
    expect(t.committable()).toBe('15');
    expect(t.inFlight).toBe(0);
  });

  it('steps over gaps in the offsets (compacted or filtered records)', () => {
    const t = tracker(3, 7, 12);
    t.complete('7');
    expect(t.committable()).toBeUndefined();
    t.complete('3');
    // 4..6 were never fetched; the next record to consume is 12, so 8 re-reads nothing done.
    expect(t.committable()).toBe('8');
    expect(t.inFlight).toBe(1);
    t.complete('12');
    expect(t.committable()).toBe('13');
  });

  it('offers an offset once it reached the broker, and never an older one again', () => {
    const t = tracker(0, 1, 2);
    t.complete('0');
    expect(t.committable()).toBe('1');
    t.committed('1');
    expect(t.committable()).toBeUndefined();
    t.complete('1');
    expect(t.committable()).toBe('2');
    t.complete('2');
    expect(t.committable()).toBe('3');
    t.committed('3');
    // A late acknowledgement of an older commit does not make 3 committable again.
    t.committed('1');
    expect(t.committable()).toBeUndefined();
    t.add('3');
    t.complete('3');
    expect(t.committable()).toBe('4');
  });

  it('keeps offering an offset whose commit was never acknowledged (a failed commit)', () => {
    const t = tracker(5, 6);
    t.complete('5');
    expect(t.committable()).toBe('6');
    expect(t.committable()).toBe('6');
  });

  it('refuses an offset fetched out of order, before and after the records before it finished', () => {
    const t = tracker(4, 5);
    expect(() => t.add('5')).toThrow(/out of order/);
    expect(() => t.add('3')).toThrow(/out of order/);
    t.complete('4');
    t.complete('5');
    expect(t.inFlight).toBe(0);
    // Nothing open any more: the committable point still remembers where the partition stands.
    expect(() => t.add('5')).toThrow(/out of order/);
    expect(() => t.add('2')).toThrow(/out of order/);
    t.add('9');
    expect(t.inFlight).toBe(1);
  });
});
