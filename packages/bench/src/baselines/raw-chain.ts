import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from '../kafka-types.js';
import { PRODUCER_CONFIG } from '@orderflow/messaging';
import { ensureTopics } from '@orderflow/messaging/admin';
import type { ChainStep } from '../results.js';
import { arrivalCount, realClock, runOpenLoop } from '../schedule.js';
import { summarize } from '../stats.js';
import { sleep, withTimeout } from '../timeout.js';
import { ResourceSampler, type ProcessGroup } from '../platform/resources.js';

/**
 * Baseline (b): the order's critical path with nothing but kafkajs. A record injected on hop 1's
 * topic is relayed topic to topic by one consumer group per hop, and a sink on the last topic
 * measures injected → delivered. Every produce goes through a serial batcher on an idempotent
 * acks=all producer, as the services' outbox relays publish (one batch in flight, whatever
 * queued meanwhile in the next). No database, no Avro, no envelope: what the platform's latency
 * would be if each hop cost only Kafka.
 */
export const VALUE_BYTES = 300;
const PARTITIONS = 6;

/** The value carries its injection time (epoch ms, sub-ms) and step, then padding. */
export function chainValue(step: number, sentAtEpochMs: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES);
  value.writeDoubleBE(sentAtEpochMs, 0);
  value.writeUInt32BE(step, 8);
  return value;
}

export function readChainValue(value: Buffer): { step: number; sentAtEpochMs: number } {
  return { sentAtEpochMs: value.readDoubleBE(0), step: value.readUInt32BE(8) };
}

const epochNow = () => performance.timeOrigin + performance.now();

type Outgoing = { key: Buffer | string | null; value: Buffer | null };

/** Sends whatever has queued as one batch, one batch at a time; add() resolves once sent. */
export class SerialBatcher {
  private pending: { messages: Outgoing[]; done: () => void; fail: (e: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly send: (messages: Outgoing[]) => Promise<unknown>) {}

  add(messages: Outgoing[]): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.pending.push({ messages, done, fail });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.send(batch.flatMap((b) => b.messages));
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.fail(error);
      }
    }
    this.running = false;
  }
}

interface Delivery {
  step: number;
  latencies: number[];
  firstDelivered: number;
  lastDelivered: number;
}

export class RawChain {
  private readonly consumers: Consumer[] = [];
  private readonly producers: Producer[] = [];
  private readonly delivery: Delivery = {
    step: -1,
    latencies: [],
    firstDelivered: Infinity,
    lastDelivered: 0,
  };
  private stepNumber = 0;
  private injector: SerialBatcher | undefined;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    readonly topics: readonly string[],
    private readonly groups: readonly string[],
  ) {}

  static async start(
    kafka: Kafka,
    admin: Admin,
    brokers: readonly string[],
    runId: string,
    hops: number,
  ): Promise<RawChain> {
    const pad = (i: number) => String(i + 1).padStart(2, '0');
    const topics = Array.from({ length: hops }, (_, i) => `bench.chain-${runId}.h${pad(i)}`);
    await ensureTopics(
      brokers,
      topics.map((name) => ({ name, partitions: PARTITIONS, retentionMs: 3_600_000 })),
    );
    const groups = topics.map((t) => `${t}.group`);
    const chain = new RawChain(kafka, admin, topics, groups);
    await Promise.all(topics.map((topic, i) => chain.startHop(topic, topics[i + 1], groups[i]!)));
    chain.injector = await chain.batcher(topics[0]!);
    return chain;
  }

  /** Consumes `from`; relays to `to`, or measures when it is the last hop. */
  private async startHop(from: string, to: string | undefined, groupId: string): Promise<void> {
    const consumer = this.kafka.consumer({ groupId });
    this.consumers.push(consumer);
    const relay = to ? await this.batcher(to) : undefined;
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topic: from, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (relay) {
          await relay.add(batch.messages.map((m) => ({ key: m.key, value: m.value })));
        } else {
          const now = epochNow();
          for (const m of batch.messages) {
            if (!m.value) continue;
            const { step, sentAtEpochMs } = readChainValue(m.value);
            if (step !== this.delivery.step) continue;
            this.delivery.latencies.push(now - sentAtEpochMs);
            this.delivery.firstDelivered = Math.min(this.delivery.firstDelivered, now);
            this.delivery.lastDelivered = now;
          }
        }
        await payload.heartbeat();
      },
    });
    await withTimeout(joined, 60_000, `chain consumer ${groupId} joining`);
  }

  private async batcher(topic: string): Promise<SerialBatcher> {
    const producer = this.kafka.producer(PRODUCER_CONFIG);
    this.producers.push(producer);
    await producer.connect();
    return new SerialBatcher((messages) => producer.send({ topic, acks: -1, messages }));
  }

  async step(
    rate: number,
    durationSeconds: number,
    drainTimeoutSeconds: number,
    processes: readonly ProcessGroup[],
    progress: (line: string) => void,
  ): Promise<ChainStep> {
    const step = ++this.stepNumber;
    Object.assign(this.delivery, {
      step,
      latencies: [],
      firstDelivered: Infinity,
      lastDelivered: 0,
    });
    const total = arrivalCount(rate, durationSeconds);
    const injector = this.injector;
    if (!injector) throw new Error('the chain is not started');
    const sampler = new ResourceSampler(processes);
    await sampler.start();
    const start = performance.now();
    const sends: Promise<unknown>[] = [];
    let failed = 0;
    const ticker = setInterval(
      () => progress(`sent ${sends.length}/${total} · delivered ${this.delivery.latencies.length}`),
      1_000,
    );
    try {
      await runOpenLoop({
        ratePerSecond: rate,
        total,
        clock: realClock,
        fire: () => {
          const sentAt = epochNow();
          sends.push(
            injector.add([{ key: randomUUID(), value: chainValue(step, sentAt) }]).catch(() => {
              failed += 1;
            }),
          );
        },
      });
      await Promise.all(sends);
      const deadline = performance.now() + drainTimeoutSeconds * 1000;
      while (this.delivery.latencies.length < total - failed && performance.now() < deadline) {
        progress(`draining: delivered ${this.delivery.latencies.length}/${total - failed}`);
        await sleep(100);
      }
    } finally {
      clearInterval(ticker);
    }
    const resources = await sampler.stop();
    const delivered = this.delivery.latencies.length;
    // As for the platform: deliveries over the time between the first and the last.
    const span = (this.delivery.lastDelivered - this.delivery.firstDelivered) / 1000;
    return {
      rate,
      hops: this.topics.length,
      sent: total - failed,
      delivered,
      deliveredPerSecond: delivered > 1 && span > 0 ? (delivered - 1) / span : 0,
      latencyMs: summarize(this.delivery.latencies),
      windowSeconds: (performance.now() - start) / 1000,
      resources,
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await Promise.allSettled(this.producers.map((p) => p.disconnect()));
    await this.admin.deleteGroups([...this.groups]).catch(() => undefined);
    await this.admin.deleteTopics({ topics: [...this.topics], timeout: 10_000 });
  }
}
