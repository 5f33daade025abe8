import { describe, expect, it } from '@jest/globals';
import { AvroSerde } from '../src/index.js';
import { env, orderPlacedPayload, testContract, uniqueName } from './support.js';

/**
 * Schema evolution through the registry (article pattern 1): producers and consumers on
 * different versions of OrderPlaced read each other's records by Avro schema resolution.
 */
const topic = uniqueName('test.orders.events');
const v1 = testContract('orders.OrderPlaced', 1, topic, ['order-service']);
const v2 = testContract('orders.OrderPlaced', 2, topic, ['order-service']);
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });

const base = orderPlacedPayload('o-evolve');

describe('schema evolution through the registry', () => {
  it('a v1 reader decodes a v2 record (the new field is skipped)', async () => {
    const { value, schemaId } = await serde.encode(v2, { ...base, channel: 'MOBILE' });
    const decoded = await serde.decode(value, v1);
    expect(decoded.schemaId).toBe(schemaId);
    expect(decoded.value).toEqual(base);
  });

  it('a v2 reader decodes a v1 record (the new field takes its default)', async () => {
    const { value } = await serde.encode(v1, base);
    const decoded = await serde.decode(value, v2);
    expect(decoded.value).toEqual({ ...base, channel: 'UNKNOWN' });
  });

  it('gives the two versions different registry ids under one subject', async () => {
    const [id1, id2] = await Promise.all([serde.schemaId(v1), serde.schemaId(v2)]);
    expect(id1).not.toBe(id2);
    const res = await fetch(
      `${env.schemaRegistryUrl}/subjects/${encodeURIComponent(v1.subject)}/versions`,
    );
    expect(((await res.json()) as number[]).length).toBe(2);
  });
});
