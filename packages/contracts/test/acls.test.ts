import { describe, expect, it } from '@jest/globals';
import {
  allows,
  allTopics,
  dlqTopic,
  MESSAGE_TYPES,
  messageSpec,
  OPERATOR_PRINCIPAL,
  RETRY_TIERS,
  platformAcls,
  retryTopic,
  SERVICE_NAMES,
  serviceAcls,
  TOPICS,
  type TopicName,
} from '../src/index.js';

const acls = platformAcls();
const BUSINESS = Object.keys(TOPICS) as TopicName[];

describe('broker ACLs from the ownership manifest', () => {
  it('lets no service but the saga write a command topic: payment-service cannot send saga.RefundPayment', () => {
    const refund = messageSpec('saga.RefundPayment');
    expect(allows(acls, 'payment-service', 'topic', refund.topic, 'write')).toBe(false);
    expect(allows(acls, 'inventory-service', 'topic', refund.topic, 'write')).toBe(false);
    expect(allows(acls, 'order-saga', 'topic', refund.topic, 'write')).toBe(true);
  });

  it.each(SERVICE_NAMES)(
    'lets %s write exactly the topics of the messages it may emit',
    (service) => {
      const emitted = new Set(
        MESSAGE_TYPES.map(messageSpec)
          .filter((s) => s.emitters.includes(service))
          .map((s) => s.topic),
      );
      for (const topic of BUSINESS)
        expect([topic, allows(acls, service, 'topic', topic, 'write')]).toEqual([
          topic,
          emitted.has(topic),
        ]);
    },
  );

  it.each(SERVICE_NAMES)('lets %s read exactly the business topics it consumes', (service) => {
    for (const topic of BUSINESS) {
      const consumes = (TOPICS[topic].consumers as readonly string[]).includes(service);
      expect([topic, allows(acls, service, 'topic', topic, 'read')]).toEqual([topic, consumes]);
    }
  });

  it('gives each group its own retry topics (read and write) and DLQs (write only), no one else’s', () => {
    for (const service of SERVICE_NAMES) {
      const consumed = BUSINESS.filter((t) =>
        (TOPICS[t].consumers as readonly string[]).includes(service),
      );
      const retries = new Set(
        consumed.flatMap((t) => RETRY_TIERS.map((_, i) => retryTopic(t, service, i + 1))),
      );
      const dlqs = new Set(consumed.map((t) => dlqTopic(t, service)));
      for (const { name, kind } of allTopics().filter((t) => t.kind !== 'business')) {
        const may = (op: 'read' | 'write') => allows(acls, service, 'topic', name, op);
        expect([service, name, may('read'), may('write')]).toEqual([
          service,
          name,
          kind === 'retry' && retries.has(name),
          retries.has(name) || dlqs.has(name),
        ]);
      }
    }
  });

  it('lets a service consume in its own group only', () => {
    for (const service of SERVICE_NAMES)
      for (const group of SERVICE_NAMES)
        expect([service, group, allows(acls, service, 'group', group, 'read')]).toEqual([
          service,
          group,
          service === group,
        ]);
  });

  it('grants nothing to a principal that is not in the manifest', () => {
    for (const topic of allTopics())
      for (const op of ['read', 'write', 'describe'] as const)
        expect(allows(acls, 'ANONYMOUS', 'topic', topic.name, op)).toBe(false);
  });

  it('lets the operator read DLQs and replay to origin topics, but not read business or retry topics', () => {
    for (const topic of allTopics()) {
      expect(allows(acls, OPERATOR_PRINCIPAL, 'topic', topic.name, 'describe')).toBe(true);
      expect([topic.name, allows(acls, OPERATOR_PRINCIPAL, 'topic', topic.name, 'read')]).toEqual([
        topic.name,
        topic.kind === 'dlq',
      ]);
    }
    expect(allows(acls, OPERATOR_PRINCIPAL, 'group', 'dlq-reader-42-1700000000000', 'read')).toBe(
      true,
    );
    expect(allows(acls, OPERATOR_PRINCIPAL, 'group', 'order-saga', 'read')).toBe(false);
    expect(allows(acls, OPERATOR_PRINCIPAL, 'group', 'order-saga', 'describe')).toBe(true);
  });

  it('names every topic of the catalogue and nothing else, each binding once', () => {
    const catalogue = new Set(allTopics().map((t) => t.name));
    const topics = acls.filter((a) => a.resourceType === 'topic');
    expect(topics.every((a) => a.patternType === 'literal' && catalogue.has(a.resourceName))).toBe(
      true,
    );
    const keys = acls.map((a) => JSON.stringify(a));
    expect(new Set(keys).size).toBe(keys.length);
    expect(serviceAcls('order-service').length).toBeGreaterThan(0);
  });
});
