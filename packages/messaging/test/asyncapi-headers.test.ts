import { describe, expect, it } from '@jest/globals';
import { CLOUDEVENTS_HEADERS } from '@orderflow/contracts';
import { CE, envelopeHeaders, type Envelope } from '../src/envelope.js';

// docs/asyncapi.yaml documents the record headers from @orderflow/contracts' list; the publisher
// writes them from CE. This keeps the two from drifting apart.
const minimal: Envelope = {
  id: 'id-1',
  type: 'orders.OrderPlaced',
  source: '/services/order-service',
  time: '2026-12-02T00:00:00.000Z',
  subject: 'o-1',
  dataschema: 'http://registry/schemas/ids/1',
  correlationId: 'id-1',
  causationDepth: 0,
};
const documented = CLOUDEVENTS_HEADERS.map((h) => h.name).sort();

describe('the documented CloudEvents headers', () => {
  it('are exactly the header names the envelope knows', () => {
    expect(Object.values(CE).sort()).toEqual(documented);
  });

  it('marks as always present exactly what a flow’s first message carries', () => {
    const always = CLOUDEVENTS_HEADERS.filter((h) => h.always).map((h) => h.name);
    expect(Object.keys(envelopeHeaders(minimal)).sort()).toEqual(always.sort());
  });

  it('covers every header a caused, traced message carries', () => {
    const full = envelopeHeaders({
      ...minimal,
      causationId: 'id-0',
      causationDepth: 1,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
    });
    expect(Object.keys(full).sort()).toEqual(documented);
  });
});
