import { describe, expect, it } from '@jest/globals';
import { allTopics } from '@orderflow/contracts';
import { parsePosition } from '../src/cli/options.js';
import { noSuchPartition } from '../src/cli/read-record.js';

/** What `./dev dlq show` says about a position, before it reads anything from the broker. */
describe('dlq show positions', () => {
  it('names the single partition of a catalogue DLQ instead of a range', () => {
    const dlqs = allTopics().filter((t) => t.kind === 'dlq');
    expect(new Set(dlqs.map((t) => t.partitions))).toEqual(new Set([1]));
    const failure = noSuchPartition('inventory.commands.inventory-service.dlq', 2, 1);
    expect(failure.message).toBe(
      "inventory.commands.inventory-service.dlq has no partition 2: it has a single partition, 0, so positions are 0:<offset>; './dev dlq list --topic inventory.commands.inventory-service.dlq' prints each record's position",
    );
  });

  it('gives the range of a topic with several partitions', () => {
    expect(noSuchPartition('t.g.dlq', 7, 3).message).toBe(
      "t.g.dlq has no partition 7: its partitions are 0..2; './dev dlq list --topic t.g.dlq' prints each record's position",
    );
  });

  it('parses <partition>:<offset> and points at ./dev dlq list otherwise', () => {
    expect(parsePosition('0:17')).toEqual({ partition: 0, offset: '17' });
    expect(() => parsePosition('2/17')).toThrow(
      "bad position '2/17': expected <partition>:<offset>, e.g. 0:42, as './dev dlq list' prints it",
    );
  });
});
