import type { ServiceName } from '@orderflow/contracts';
import {
  Messaging,
  MESSAGING_MIGRATIONS_DIR,
  silentLogger,
  subscribe,
  withTransaction,
  type Envelope,
  type MessageContract,
} from '@orderflow/messaging';
import { createTestDatabase, eventually, type TestDatabase } from '@orderflow/testkit';

/** One message the peer received, decoded with its contract. */
export interface PeerMessage {
  readonly type: string;
  readonly key: string;
  readonly payload: Record<string, unknown>;
  readonly envelope: Envelope;
}

export interface MessagingPeerOptions {
  /** Who the peer speaks as: the service that owns the messages it sends. */
  readonly service: ServiceName;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** The Postgres server; the peer gets a fresh database of its own on it. */
  readonly databaseUrl: string;
  /** The consumer group it receives in (give each test file its own). */
  readonly group: string;
  /** What it receives: typically the replies of the service under test. */
  readonly receives: readonly MessageContract[];
}

/**
 * The other side of a service's conversation in an integration test: a second Messaging
 * instance with its own database, which sends through its outbox and receives through its inbox
 * exactly as the real peer service does, so the service under test meets the real broker,
 * registry and Postgres and nothing is mocked.
 */
export class MessagingPeer {
  readonly received: PeerMessage[] = [];

  private constructor(
    private readonly messaging: Messaging,
    private readonly db: TestDatabase,
  ) {}

  static async start(options: MessagingPeerOptions): Promise<MessagingPeer> {
    const db = await createTestDatabase(options.databaseUrl, [MESSAGING_MIGRATIONS_DIR]);
    const messaging = new Messaging({
      service: options.service,
      brokers: options.brokers,
      registryUrl: options.registryUrl,
      pool: db.pool,
      logger: silentLogger,
      autoRegisterSchemas: true, // private topics mean private subjects
      relay: { pollIntervalMs: 200 },
    });
    const peer = new MessagingPeer(messaging, db);
    messaging.consumer({
      group: options.group,
      subscriptions: options.receives.map((contract) =>
        subscribe(contract, (payload, ctx) => {
          peer.received.push({
            type: ctx.envelope.type,
            key: ctx.key,
            // Any contract's payload: an Avro record, decoded to a plain object.
            payload: payload as Record<string, unknown>,
            envelope: ctx.envelope,
          });
          return Promise.resolve();
        }),
      ),
    });
    await messaging.start();
    return peer;
  }

  /** Sends as the peer service does: an outbox row in a committed transaction, keyed by order. */
  send(contract: MessageContract, payload: Record<string, unknown>): Promise<Envelope> {
    return withTransaction(this.db.pool, (tx) =>
      this.messaging.publisher.publish(tx, { contract, key: String(payload.orderId), payload }),
    );
  }

  /** Waits until at least `count` messages keyed `key` have arrived, and returns them all. */
  async receivedFor(key: string, count: number): Promise<PeerMessage[]> {
    return eventually(`${count} message(s) for ${key}`, () => {
      const found = this.received.filter((m) => m.key === key);
      if (found.length < count) throw new Error(`${found.length} so far`);
      return found;
    });
  }

  async stop(): Promise<void> {
    await this.messaging.stop();
    await this.db.drop();
  }
}
