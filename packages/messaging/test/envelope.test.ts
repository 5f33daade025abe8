import { describe, expect, it } from '@jest/globals';
import { CE, envelopeHeaders, parseEnvelope, type Envelope } from '../src/envelope.js';

const envelope: Envelope = {
  id: '0190b2a4-7c3e-7000-8000-000000000001',
  type: 'inventory.InventoryReserved',
  source: '/services/inventory-service',
  time: '2026-11-23T10:00:00.000Z',
  subject: 'order-1',
  dataschema: 'http://registry/apis/ccompat/v7/schemas/ids/7',
  correlationId: 'corr-1',
  causationId: 'cause-1',
  causationDepth: 2,
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

describe('CloudEvents binary-mode envelope', () => {
  it('round-trips through Kafka headers (as Buffers, as the consumer sees them)', () => {
    const headers = envelopeHeaders(envelope);
    expect(headers[CE.specversion]).toBe('1.0');
    expect(headers['content-type']).toBe('application/avro');
    const asBuffers = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]),
    );
    expect(parseEnvelope(asBuffers)).toEqual({ ...envelope, tracestate: undefined });
  });

  it('starts a new flow: correlation defaults to the id, depth to 0', () => {
    const parsed = parseEnvelope({ ce_id: 'x1', ce_type: 't', ce_source: '/services/s' });
    expect(parsed.correlationId).toBe('x1');
    expect(parsed.causationDepth).toBe(0);
    expect(parsed.causationId).toBeUndefined();
  });

  it('rejects a record without the required attributes', () => {
    expect(() => parseEnvelope({ ce_type: 't' })).toThrow(/no ce_id header/);
    expect(() => parseEnvelope(undefined)).toThrow(/MISSING_HEADER|no ce_id/);
  });
});
