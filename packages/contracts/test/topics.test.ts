import { describe, expect, it } from '@jest/globals';
import { allTopics, dlqTopic, retryTopic, RETRY_TIERS, TOPICS } from '../src/index.js';

describe('topic catalogue', () => {
  it('derives retry and DLQ topics per consuming group', () => {
    const names = allTopics().map((t) => t.name);
    expect(names).toContain('inventory.commands');
    expect(names).toContain(retryTopic('inventory.commands', 'inventory-service', 1));
    expect(names).toContain(
      retryTopic('inventory.commands', 'inventory-service', RETRY_TIERS.length),
    );
    expect(names).toContain(dlqTopic('inventory.commands', 'inventory-service'));
    expect(names).not.toContain(dlqTopic('inventory.commands', 'order-saga'));
  });

  it('lists every topic once', () => {
    const names = allTopics().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const consumerCount = Object.values(TOPICS).reduce((n, t) => n + t.consumers.length, 0);
    expect(names).toHaveLength(
      Object.keys(TOPICS).length + consumerCount * (RETRY_TIERS.length + 1),
    );
  });
});
