import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { messageSpec, OPERATOR_PRINCIPAL, platformAcls, retryTopic } from '@orderflow/contracts';
import {
  createKafka,
  kafkaSecurityFromEnv,
  PLAINTEXT,
  PRODUCER_CONFIG,
  silentLogger,
} from '@orderflow/messaging';
import { kafkaClientEnv, passwordFile, SUPER_USER } from '../src/components/kafka-security.js';
import { kafkaBrokers, loadStackConfig } from '../src/config.js';
import { down, kafkaSecurityStatus, up } from '../src/stack.js';

/**
 * The secured broker end to end (issue 11): a broker of its own (own state directory and ports,
 * so it never touches the shared stack) started by the launcher with `STACK_KAFKA_SECURITY=scram`,
 * its topics and the manifest's ACLs applied, then real clients as real principals.
 */
const stackDir = mkdtempSync(path.join(tmpdir(), 'orderflow-secure-kafka-'));
const config = loadStackConfig({
  ...process.env,
  STACK_DIR: stackDir,
  STACK_KAFKA_SECURITY: 'scram',
  KAFKA_PORT: process.env.SECURE_TEST_KAFKA_PORT ?? '19492',
  KAFKA_CONTROLLER_PORT: process.env.SECURE_TEST_KAFKA_CONTROLLER_PORT ?? '19493',
});
const brokers = [kafkaBrokers(config)];
let startupSeconds = 0;

type Kafka = ReturnType<typeof createKafka>;

/** A client as `user`, with the settings the launcher gives that user's processes. */
function clientAs(user: string): Kafka {
  return createKafka({
    brokers,
    clientId: `secure-test-${user}`,
    logger: silentLogger,
    security: kafkaSecurityFromEnv(kafkaClientEnv(config, user)),
  });
}

/** Every kafkajs error `type` (else its class name) in an error and the errors it wraps. */
function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  const visit = (e: unknown): void => {
    if (typeof e !== 'object' || e === null) return;
    const { type, name, originalError, cause, errors } = e as Record<string, unknown>;
    if (typeof type === 'string') types.push(type);
    else if (typeof name === 'string') types.push(name);
    visit(originalError ?? cause);
    if (Array.isArray(errors)) errors.forEach(visit);
  };
  visit(error);
  return types;
}

async function sendAs(user: string, topic: string, value: string): Promise<void> {
  const producer = clientAs(user).producer(PRODUCER_CONFIG);
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'o-1', value }] });
  } finally {
    await producer.disconnect();
  }
}

async function refusal(work: Promise<unknown>): Promise<string[]> {
  try {
    await work;
  } catch (error) {
    return errorTypes(error);
  }
  throw new Error('expected the broker to refuse, and it accepted');
}

beforeAll(async () => {
  const t0 = Date.now();
  await up(config, { components: ['kafka', 'topics'], output: 'silent' });
  startupSeconds = (Date.now() - t0) / 1000;
  process.stderr.write(`[secure-kafka] secured broker, topics and ACLs in ${startupSeconds}s\n`);
}, 180_000);

afterAll(async () => {
  await down(config);
  rmSync(stackDir, { recursive: true, force: true });
}, 60_000);

describe('the launcher’s secured broker (SASL/SCRAM-SHA-512, ACLs from the manifest)', () => {
  it('keeps the passwords in 0600 files of the state directory and status reports the mode', async () => {
    const file = passwordFile(config, 'payment-service');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThanOrEqual(32);
    const line = await kafkaSecurityStatus(config);
    expect(line).toContain('SASL/SCRAM-SHA-512');
    // Every manifest binding is on the broker (describeAcls counts them back).
    expect(line).toContain(`${platformAcls().length} ACLs`);
  });

  it('refuses a client without credentials', async () => {
    const anonymous = createKafka({
      brokers,
      clientId: 'secure-test-anonymous',
      logger: silentLogger,
      security: PLAINTEXT,
    });
    const producer = anonymous.producer(PRODUCER_CONFIG);
    await expect(
      producer
        .connect()
        .then(() => producer.send({ topic: 'orders.events', messages: [{ value: 'x' }] })),
    ).rejects.toThrow();
    await producer.disconnect();
    const consumer = anonymous.consumer({ groupId: 'order-saga' });
    await expect(
      consumer.connect().then(() => consumer.subscribe({ topic: 'orders.events' })),
    ).rejects.toThrow();
    await consumer.disconnect();
  });

  it('refuses a wrong password', async () => {
    const intruder = createKafka({
      brokers,
      clientId: 'secure-test-intruder',
      logger: silentLogger,
      security: {
        sasl: { mechanism: 'scram-sha-512', username: 'payment-service' },
        password: 'guess',
        ssl: false,
      },
    });
    const producer = intruder.producer();
    expect(await refusal(producer.connect())).toContain('KafkaJSSASLAuthenticationError');
    await producer.disconnect();
  });

  it('refuses a service principal a topic it does not own: payment-service sending saga.RefundPayment', async () => {
    const refundTopic = messageSpec('saga.RefundPayment').topic;
    expect(await refusal(sendAs('payment-service', refundTopic, 'forged'))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(await refusal(sendAs('inventory-service', refundTopic, 'forged'))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // …nor another service's events, nor another group's retry topic.
    expect(await refusal(sendAs('payment-service', 'orders.events', 'forged'))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(
      await refusal(
        sendAs('payment-service', retryTopic('shipping.commands', 'shipping-service', 1), 'x'),
      ),
    ).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('lets each principal do its normal work: the saga sends a command, payment-service consumes it in its group and emits its event', async () => {
    const commandTopic = messageSpec('saga.ProcessPayment').topic;
    const eventTopic = messageSpec('payments.PaymentCaptured').topic;
    const marker = `pay-${Date.now()}`;
    await sendAs('order-saga', commandTopic, marker);

    const consumer = clientAs('payment-service').consumer({ groupId: 'payment-service' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: commandTopic, fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            if (message.value?.toString() === marker) resolve(marker);
            return Promise.resolve();
          },
        });
      });
      const timeout = new Promise<string>((_, reject) =>
        setTimeout(
          () => reject(new Error(`payment-service did not receive ${marker} within 30 s`)),
          30_000,
        ).unref(),
      );
      expect(await Promise.race([received, timeout])).toBe(marker);
    } finally {
      await consumer.disconnect();
    }
    await sendAs('payment-service', eventTopic, `captured ${marker}`);
    await sendAs('payment-service', retryTopic(commandTopic, 'payment-service', 1), marker);
  }, 60_000);

  it('refuses payment-service another group and a topic it does not consume', async () => {
    const kafka = clientAs('payment-service');
    const inSagaGroup = kafka.consumer({ groupId: 'order-saga', retry: { retries: 0 } });
    const crashed = new Promise<never>((_, reject) => {
      inSagaGroup.on(inSagaGroup.events.CRASH, ({ payload }) => reject(payload.error));
      setTimeout(() => reject(new Error('no crash within 30 s')), 30_000).unref();
    });
    await inSagaGroup.connect();
    await inSagaGroup.subscribe({ topic: 'payments.commands', fromBeginning: true });
    await inSagaGroup.run({ eachMessage: () => Promise.resolve() });
    // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs drops that cause
    // and reports no coordinator. Its own group works (the test above), so the ACL is what refuses.
    const types = await refusal(crashed);
    expect(types).toContain('KafkaJSGroupCoordinatorNotFound');
    await inSagaGroup.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    // Metadata answers only the topics a principal may describe.
    const visible = await admin.listTopics();
    await admin.disconnect();
    expect(visible).toContain('payments.commands');
    expect(visible).not.toContain('orders.events');
  });

  it('lets the operator read a DLQ but not a business topic', async () => {
    const admin = clientAs(OPERATOR_PRINCIPAL).admin();
    await admin.connect();
    try {
      const visible = await admin.listTopics();
      expect(visible).toContain('payments.commands.payment-service.dlq');
      // DESCRIBE (offsets, lag) yes; the super user's ALTER on the cluster no.
      expect(
        await refusal(
          admin.createTopics({ topics: [{ topic: 'operator-made', numPartitions: 1 }] }),
        ),
      ).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
    expect(SUPER_USER).not.toBe(OPERATOR_PRINCIPAL);
  });
});
