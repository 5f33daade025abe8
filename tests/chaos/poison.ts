import { randomBytes, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { messageSpec } from '@orderflow/contracts';
import {
  envelopeHeaders,
  fromSpec,
  type AvroSerde,
  type MessageContract,
} from '@orderflow/messaging';
import { shuffle } from './profile.js';

/**
 * Poison for inventory-service's command topic, produced straight with kafkajs as a broken or
 * hostile producer would: each kind with the DLQ reason the consumer must give it. The records
 * carry the saga's CloudEvents headers; none of them may change stock or get a reply.
 */
export const POISON_TOPIC = 'inventory.commands';

export const POISON_KINDS = {
  'garbage bytes': 'NOT_AVRO',
  'unknown schema id': 'UNKNOWN_SCHEMA_ID',
  'wrong schema': 'WRONG_SCHEMA',
  // CommitInventory for an order inventory never reserved: a protocol violation, refused.
  'business-invalid': 'HANDLER_REJECTED',
  // ReserveInventory whose reservation insert always fails with a retryable error (a trigger
  // the scenario installs, standing for a dependency that never recovers for this data):
  // retried in process and through both retry tiers, then dead-lettered.
  'handler always throws': 'PG_40001',
} as const;

export type PoisonKind = keyof typeof POISON_KINDS;

/** Order ids of the always-throwing kind; the trigger below matches this prefix. */
export const ALWAYS_FAILS_PREFIX = 'chaos-always-fails-';

export const ALWAYS_FAILS_TRIGGER = `
CREATE OR REPLACE FUNCTION chaos_always_fails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.order_id LIKE '${ALWAYS_FAILS_PREFIX}%' THEN
    RAISE EXCEPTION 'chaos: reservations of this order always fail' USING ERRCODE = '40001';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS chaos_always_fails ON reservations;
CREATE TRIGGER chaos_always_fails BEFORE INSERT ON reservations
  FOR EACH ROW EXECUTE FUNCTION chaos_always_fails();`;

export interface SentPoison {
  readonly kind: PoisonKind;
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer;
}

const contract = (type: Parameters<typeof messageSpec>[0]): MessageContract =>
  fromSpec(messageSpec(type));

export class PoisonProducer {
  private readonly reserve = contract('saga.ReserveInventory');
  private readonly commit = contract('saga.CommitInventory');
  private readonly payment = contract('saga.ProcessPayment');

  constructor(
    private readonly producer: Producer,
    private readonly serde: AvroSerde,
  ) {}

  /** `count` kinds in turn, shuffled. */
  plan(random: () => number, count: number): PoisonKind[] {
    const kinds = Object.keys(POISON_KINDS) as PoisonKind[];
    return shuffle(
      random,
      Array.from({ length: count }, (_, i) => kinds[i % kinds.length] as PoisonKind),
    );
  }

  async send(kind: PoisonKind): Promise<SentPoison> {
    const key =
      kind === 'handler always throws' ? `${ALWAYS_FAILS_PREFIX}${randomUUID()}` : randomUUID();
    const { value, type, schemaId } = await this.value(kind, key);
    const headers = envelopeHeaders({
      id: randomUUID(),
      type,
      source: '/services/order-saga',
      time: new Date().toISOString(),
      subject: key,
      dataschema: this.serde.schemaUrl(schemaId),
      correlationId: `chaos-poison-${key}`,
      causationDepth: 1,
    });
    const [meta] = await this.producer.send({
      topic: POISON_TOPIC,
      acks: -1,
      messages: [{ key, value, headers }],
    });
    if (!meta) throw new Error('the broker did not acknowledge a poison record');
    return { kind, key, partition: meta.partition, offset: meta.baseOffset ?? '-1', value };
  }

  private async value(
    kind: PoisonKind,
    key: string,
  ): Promise<{ value: Buffer; type: string; schemaId: number }> {
    const type = kind === 'business-invalid' ? this.commit.type : this.reserve.type;
    switch (kind) {
      case 'garbage bytes': {
        // Never the magic byte 0, so it cannot pass for the wire format by accident.
        const value = randomBytes(8 + (randomBytes(1)[0] ?? 0));
        value[0] = 1 + ((value[0] ?? 0) % 255);
        return { value, type, schemaId: 0 };
      }
      case 'unknown schema id': {
        const { value } = await this.serde.encode(this.reserve, reserveOf(key));
        value.writeInt32BE(987_654_321, 1);
        return { value, type, schemaId: 987_654_321 };
      }
      case 'wrong schema': {
        const encoded = await this.serde.encode(this.payment, {
          orderId: key,
          customerId: 'chaos',
          amountMinor: 100,
          currency: 'EUR',
          paymentToken: null,
        });
        return { ...encoded, type };
      }
      case 'business-invalid':
        return { ...(await this.serde.encode(this.commit, { orderId: key })), type };
      case 'handler always throws':
        return { ...(await this.serde.encode(this.reserve, reserveOf(key))), type };
    }
  }
}

function reserveOf(orderId: string) {
  return { orderId, lines: [{ sku: 'USB-C-CABLE', quantity: 1 }] };
}
