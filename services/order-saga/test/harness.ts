import { randomUUID } from 'node:crypto';
import { dlqTopic, RETRY_TIERS, retryTopic, type TopicName } from '@orderflow/contracts';
import { ensureTopics } from '@orderflow/messaging/admin';
import {
  Messaging,
  silentLogger,
  type Envelope,
  type HandlerContext,
  type MessageContract,
} from '@orderflow/messaging';
import { createTestDatabase, type TestDatabase } from '@orderflow/testkit';
import type { SagaContracts } from '../src/contracts.js';

/**
 * The other services, played by Messaging instances on private topics: order-service places
 * orders and collects the saga's events; inventory, payment and shipping answer the saga's
 * commands as each order's script says (or stay silent), and always confirm compensations.
 */
export interface Received {
  readonly type: string;
  readonly orderId: string;
  readonly payload: Record<string, unknown>;
  readonly envelope: Envelope;
}

export interface Script {
  readonly payment: 'approve' | 'decline' | 'silent';
  readonly shipping: 'schedule' | 'reject' | 'silent';
  /** 'ignore': the refund is never confirmed (the saga re-sends it, then parks). */
  readonly refund: 'confirm' | 'ignore';
}

const HAPPY: Script = { payment: 'approve', shipping: 'schedule', refund: 'confirm' };

export const PRICE = { unitAmountMinor: 1250, currency: 'EUR' } as const;

export type Service =
  'order-service' | 'inventory-service' | 'payment-service' | 'shipping-service';

interface Fake {
  readonly db: TestDatabase;
  readonly messaging: Messaging;
}

export class Participants {
  readonly commands: Received[] = [];
  readonly sagaEvents: Received[] = [];
  readonly scripts = new Map<string, Script>();
  private readonly fakes = new Map<Service, Fake>();

  constructor(
    private readonly contracts: SagaContracts,
    private readonly topics: Readonly<Record<TopicName, string>>,
    private readonly suffix: string,
  ) {}

  /** Creates the private topics (with retry and DLQ topics per consuming group). */
  async createTopics(brokers: readonly string[], sagaGroup: string): Promise<void> {
    const consumedBy: [TopicName, string][] = [
      ['orders.events', sagaGroup],
      ['inventory.events', sagaGroup],
      ['payments.events', sagaGroup],
      ['shipping.events', sagaGroup],
      ['inventory.commands', this.group('inventory-service')],
      ['payments.commands', this.group('payment-service')],
      ['shipping.commands', this.group('shipping-service')],
      ['order-saga.events', this.group('order-service')],
    ];
    const names = consumedBy.flatMap(([topic, group]) => {
      const name = this.topics[topic];
      return [
        name,
        ...RETRY_TIERS.map((_, i) => retryTopic(name, group, i + 1)),
        dlqTopic(name, group),
      ];
    });
    await ensureTopics(
      brokers,
      names.map((name) => ({ name, partitions: 3, retentionMs: 3_600_000 })),
    );
  }

  group(service: Service): string {
    return `${service}-${this.suffix}`;
  }

  async start(env: {
    brokers: readonly string[];
    registryUrl: string;
    databaseUrl: string;
    messagingMigrations: string;
  }): Promise<void> {
    const { commands, events, replies } = this.contracts;
    const received = (payload: unknown, ctx: HandlerContext): Received => {
      const body = payload as Record<string, unknown>;
      return {
        type: ctx.envelope.type,
        orderId: String(body.orderId),
        payload: body,
        envelope: ctx.envelope,
      };
    };
    // A participant: record the command, then publish the scripted reply (if any) in the
    // handler's transaction, as the real services do.
    const answer = async (payload: unknown, ctx: HandlerContext): Promise<void> => {
      const command = received(payload, ctx);
      this.commands.push(command);
      const reply = scriptedReply(command, this.script(command.orderId));
      if (reply === null) return;
      await ctx.publish({
        contract: replies[reply.type],
        key: command.orderId,
        payload: { orderId: command.orderId, ...reply.body },
      });
    };
    const consumes: Record<Service, readonly MessageContract[]> = {
      'order-service': Object.values(events),
      'inventory-service': [
        commands['saga.ReserveInventory'],
        commands['saga.CommitInventory'],
        commands['saga.ReleaseInventory'],
        commands['saga.RestockInventory'],
      ],
      'payment-service': [commands['saga.ProcessPayment'], commands['saga.RefundPayment']],
      'shipping-service': [commands['saga.ScheduleShipment'], commands['saga.CancelShipment']],
    };
    const collect = (payload: unknown, ctx: HandlerContext): Promise<void> => {
      this.sagaEvents.push(received(payload, ctx));
      return Promise.resolve();
    };

    const services = Object.keys(consumes) as Service[];
    await Promise.all(
      services.map(async (service) => {
        const db = await createTestDatabase(env.databaseUrl, [env.messagingMigrations]);
        const messaging = new Messaging({
          service,
          brokers: env.brokers,
          registryUrl: env.registryUrl,
          pool: db.pool,
          logger: silentLogger,
          autoRegisterSchemas: true, // private topics mean private subjects
          relay: { pollIntervalMs: 100 },
        });
        const handle = service === 'order-service' ? collect : answer;
        const subscriptions = consumes[service].map((contract) => ({ contract, handle }));
        messaging.consumer({ group: this.group(service), subscriptions });
        this.fakes.set(service, { db, messaging });
      }),
    );
    await Promise.all([...this.fakes.values()].map((f) => f.messaging.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.fakes.values()].map(async ({ db, messaging }) => {
        await messaging.stop();
        await db.drop();
      }),
    );
  }

  /** Sends a message as `service` does: through its outbox, in a transaction. */
  async send(
    service: Service,
    contract: MessageContract,
    payload: Record<string, unknown>,
  ): Promise<Envelope> {
    const fake = this.fakes.get(service);
    if (!fake) throw new Error(`${service} not started`);
    const client = await fake.db.pool.connect();
    try {
      await client.query('BEGIN');
      const envelope = await fake.messaging.publisher.publish(client, {
        contract,
        key: String(payload.orderId),
        payload,
      });
      await client.query('COMMIT');
      return envelope;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Places an order (OrderPlaced from order-service) that the participants play by `script`. */
  async place(script: Partial<Script> = {}): Promise<{ orderId: string; envelope: Envelope }> {
    const orderId = randomUUID();
    this.scripts.set(orderId, { ...HAPPY, ...script });
    const envelope = await this.send('order-service', this.contracts.placed, {
      orderId,
      customerId: 'customer-1',
      lines: [{ sku: 'KEYBOARD-MECH', quantity: 2 }],
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '1 Main St',
        line2: null,
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      channel: 'WEB',
    });
    return { orderId, envelope };
  }

  commandsFor(orderId: string): Received[] {
    return this.commands.filter((c) => c.orderId === orderId);
  }

  eventsFor(orderId: string, type?: string): Received[] {
    return this.sagaEvents.filter(
      (e) => e.orderId === orderId && (type === undefined || e.type === type),
    );
  }

  private script(orderId: string): Script {
    return this.scripts.get(orderId) ?? HAPPY;
  }
}

type Reply = { readonly type: keyof SagaContracts['replies']; readonly body: object } | null;

/** What a participant answers to a command under an order's script; null = stays silent. */
function scriptedReply(command: Received, script: Script): Reply {
  const { orderId, payload } = command;
  const money = { amountMinor: payload.amountMinor, currency: payload.currency };
  const lines = payload.lines as { sku: string; quantity: number }[] | undefined;
  switch (command.type) {
    case 'saga.ReserveInventory': {
      const priced = (lines ?? []).map((l) => ({
        ...l,
        unitAmountMinor: PRICE.unitAmountMinor,
        lineAmountMinor: PRICE.unitAmountMinor * l.quantity,
      }));
      const amountMinor = priced.reduce((sum, l) => sum + l.lineAmountMinor, 0);
      const body = { lines: priced, amountMinor, currency: PRICE.currency };
      return { type: 'inventory.InventoryReserved', body };
    }
    case 'saga.CommitInventory':
      return { type: 'inventory.InventoryCommitted', body: { lines: [] } };
    case 'saga.ReleaseInventory':
      return { type: 'inventory.InventoryReleased', body: { lines: [] } };
    case 'saga.RestockInventory':
      return { type: 'inventory.InventoryRestocked', body: { lines: [] } };
    case 'saga.ProcessPayment':
      if (script.payment === 'silent') return null;
      return script.payment === 'approve'
        ? { type: 'payments.PaymentCaptured', body: { paymentId: `pay-${orderId}`, ...money } }
        : { type: 'payments.PaymentDeclined', body: { reason: 'INSUFFICIENT_FUNDS', ...money } };
    case 'saga.RefundPayment':
      if (script.refund === 'ignore') return null;
      // A silent payment never charged: the refund is the void's confirmation, of nothing.
      if (script.payment === 'silent')
        return {
          type: 'payments.PaymentRefunded',
          body: { paymentId: '', amountMinor: 0, currency: money.currency },
        };
      return { type: 'payments.PaymentRefunded', body: { paymentId: `pay-${orderId}`, ...money } };
    case 'saga.ScheduleShipment':
      if (script.shipping === 'silent') return null;
      return script.shipping === 'schedule'
        ? { type: 'shipping.ShipmentScheduled', body: shipment(orderId) }
        : {
            type: 'shipping.ShipmentRejected',
            body: { reason: 'UNSUPPORTED_COUNTRY', detail: 'no deliveries to this country' },
          };
    case 'saga.CancelShipment':
      return { type: 'shipping.ShipmentCancelled', body: { shipmentId: `ship-${orderId}` } };
    default:
      throw new Error(`no participant answers ${command.type}`);
  }
}

export function shipment(orderId: string): Record<string, unknown> {
  return {
    shipmentId: `ship-${orderId}`,
    carrier: 'DHL',
    trackingNumber: `TRACK-${orderId.slice(0, 8)}`,
  };
}
