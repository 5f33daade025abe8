import type { Consumer, Kafka } from '../kafka-types.js';
import { messageSpec } from '@orderflow/contracts';
import { CE } from '@orderflow/messaging';
import { withTimeout } from '../timeout.js';

/**
 * Learns when orders finish by reading order-service's outcome events (OrderCompleted,
 * OrderCancelled) with a consumer group of its own, instead of polling GET /orders/:id: the
 * load generator must not add HTTP load of its own while a step runs.
 */
const COMPLETED = messageSpec('orders.OrderCompleted');
const CANCELLED = messageSpec('orders.OrderCancelled');

export type Outcome = 'COMPLETED' | 'CANCELLED';

export class OutcomeTap {
  private readonly outcomes = new Map<string, Outcome>();

  private constructor(
    private readonly consumer: Consumer,
    readonly groupId: string,
  ) {}

  /** Joins a fresh group at the topic's end; resolves once it is assigned its partitions. */
  static async start(kafka: Kafka, groupId: string): Promise<OutcomeTap> {
    const consumer = kafka.consumer({ groupId });
    const tap = new OutcomeTap(consumer, groupId);
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topic: COMPLETED.topic, fromBeginning: false });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const type = message.headers?.[CE.type]?.toString();
          const orderId = message.key?.toString();
          if (!orderId) continue;
          if (type === COMPLETED.type) tap.outcomes.set(orderId, 'COMPLETED');
          else if (type === CANCELLED.type) tap.outcomes.set(orderId, 'CANCELLED');
        }
        return Promise.resolve();
      },
    });
    await withTimeout(joined, 30_000, `the outcome tap joining its group on ${COMPLETED.topic}`);
    return tap;
  }

  outcome(orderId: string): Outcome | undefined {
    return this.outcomes.get(orderId);
  }

  /** Forgets what it saw (between steps), so memory stays bounded by one step. */
  clear(): void {
    this.outcomes.clear();
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
