import { Kafka, logLevel, Partitioners, type LogEntry, type ProducerConfig } from 'kafkajs';
import { kafkajsSecurity, PLAINTEXT, type KafkaSecurity } from './kafka-security.js';
import type { Logger } from './logger.js';

/** The one place a kafkajs client is constructed, with its logs routed to the service's logger. */
export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** SASL and TLS (kafka-security.ts); default none, as on the launcher's plaintext broker. */
  readonly security?: KafkaSecurity;
}

export function createKafka({
  brokers,
  clientId,
  logger,
  security = PLAINTEXT,
}: KafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurity(security),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const entry = { ...rest, component: 'kafkajs' };
        if (level <= logLevel.ERROR) logger.error(entry, message);
        else logger.warn(entry, message);
      },
  });
}

/**
 * Every producer of the platform: idempotent with one request in flight (ordered, no duplicates
 * from retries), never creating topics (the catalogue does), Java-compatible murmur2 partitioning
 * so one orderId lands on the same partition whichever client wrote it.
 */
export const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};
