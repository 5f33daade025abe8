import type { ServiceName } from './services.js';

/**
 * The topic catalogue: every business topic, the service that owns (writes) it and the services
 * that consume it. Retry and dead-letter topics are derived per consuming group, never retyped.
 */
export interface TopicSpec {
  readonly owner: ServiceName;
  readonly consumers: readonly ServiceName[];
  readonly partitions: number;
  readonly retentionMs: number;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_PARTITIONS = 6;

export const TOPICS = {
  'orders.events': { owner: 'order-service', consumers: ['order-saga'] },
  'order-saga.events': { owner: 'order-saga', consumers: ['order-service'] },
  'inventory.commands': { owner: 'order-saga', consumers: ['inventory-service'] },
  'inventory.events': { owner: 'inventory-service', consumers: ['order-saga'] },
  'payments.commands': { owner: 'order-saga', consumers: ['payment-service'] },
  'payments.events': { owner: 'payment-service', consumers: ['order-saga'] },
  'shipping.commands': { owner: 'order-saga', consumers: ['shipping-service'] },
  'shipping.events': { owner: 'shipping-service', consumers: ['order-saga'] },
} as const satisfies Record<string, Pick<TopicSpec, 'owner' | 'consumers'>>;

export type TopicName = keyof typeof TOPICS;

export function topicSpec(topic: TopicName): TopicSpec {
  return { ...TOPICS[topic], partitions: DEFAULT_PARTITIONS, retentionMs: WEEK_MS };
}

/**
 * Delayed-retry tiers. A record that still fails after in-process backoff moves to
 * `<topic>.<group>.retry.<n>` and is re-tried once `delayMs` has passed since it was written
 * there; after the last tier it goes to `<topic>.<group>.dlq`.
 */
export const RETRY_TIERS = [{ delayMs: 1_000 }, { delayMs: 10_000 }] as const;

export function retryTopic(topic: string, group: string, tier: number): string {
  return `${topic}.${group}.retry.${tier}`;
}

export function dlqTopic(topic: string, group: string): string {
  return `${topic}.${group}.dlq`;
}

export interface CatalogueTopic {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly kind: 'business' | 'retry' | 'dlq';
}

const DLQ_RETENTION_MS = 4 * WEEK_MS;

/** Every topic the platform needs: business topics plus each consuming group's retry and DLQ topics. */
export function allTopics(): CatalogueTopic[] {
  const out: CatalogueTopic[] = [];
  for (const name of Object.keys(TOPICS) as TopicName[]) {
    const spec = topicSpec(name);
    out.push({
      name,
      partitions: spec.partitions,
      retentionMs: spec.retentionMs,
      kind: 'business',
    });
    for (const group of spec.consumers) {
      RETRY_TIERS.forEach((_, i) =>
        out.push({
          name: retryTopic(name, group, i + 1),
          partitions: spec.partitions,
          retentionMs: spec.retentionMs,
          kind: 'retry',
        }),
      );
      out.push({
        name: dlqTopic(name, group),
        partitions: 1,
        retentionMs: DLQ_RETENTION_MS,
        kind: 'dlq',
      });
    }
  }
  return out;
}
