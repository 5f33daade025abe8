import { describe, expect, it } from '@jest/globals';
import { MetricLabels, UNKNOWN_LABEL } from '../../src/runtime/metric-labels.js';

describe('MetricLabels', () => {
  const labels = new MetricLabels({ types: ['test.Custom'], topics: ['private.topic'] });

  it('keeps manifest types, subscribed types, catalogue topics and the consumer’s topics', () => {
    expect(labels.type('saga.ReserveInventory')).toBe('saga.ReserveInventory');
    expect(labels.type('test.Custom')).toBe('test.Custom');
    expect(labels.topic('shipping.commands')).toBe('shipping.commands');
    expect(labels.topic('private.topic')).toBe('private.topic');
  });

  it('maps anything else to unknown', () => {
    for (const value of ['random.Type', '', '(none)', undefined, 'x'.repeat(10_000)]) {
      expect(labels.type(value)).toBe(UNKNOWN_LABEL);
      expect(labels.topic(value)).toBe(UNKNOWN_LABEL);
    }
  });
});
