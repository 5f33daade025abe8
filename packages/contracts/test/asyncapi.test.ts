import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { Parser, type ParseOutput } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { MANIFEST, type ManifestDecls } from '../src/manifest.js';
import { TOPICS } from '../src/topics.js';
import {
  buildCatalogue,
  repoCatalogueInput,
  type CatalogueInput,
} from '../src/tooling/catalogue.js';
import { renderContractDocs, staleDocs } from '../src/tooling/contract-docs.js';
import { loadSchemaDir } from '../src/tooling/schema-files.js';
import { REPO_SCHEMAS } from './support/schemas.js';

const REPO_ROOT = join(REPO_SCHEMAS, '..');
// @stoplight/types' DiagnosticSeverity: 0 error, 1 warning, 2 information, 3 hint.
const WARNING = 1;
const COMMITTED = readFileSync(join(REPO_ROOT, 'docs/asyncapi.yaml'), 'utf8');
const repoInput = repoCatalogueInput(loadSchemaDir(REPO_SCHEMAS).chains, 'schemas');
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'packages/contracts/package.json'), 'utf8')) as {
    version: string;
  }
).version;

function parser(): Parser {
  const p = new Parser();
  p.registerSchemaParser(AvroSchemaParser());
  return p;
}

async function render(input: CatalogueInput): Promise<Map<string, string>> {
  const { catalogue, problems } = buildCatalogue(input);
  expect(problems).toEqual([]);
  return renderContractDocs(catalogue, { repoRoot: REPO_ROOT, docsDir: 'docs', version: VERSION });
}

/** A deep, writable copy of the manifest for a test to change. */
function manifestCopy(): Record<string, Record<string, ManifestDecls[string][string]>> {
  return structuredClone(MANIFEST);
}

describe('docs/asyncapi.yaml', () => {
  let parsed: ParseOutput;
  beforeAll(async () => {
    parsed = await parser().parse(COMMITTED); // slow (spectral rules): once for the suite
  });

  it('is a valid AsyncAPI 3.0 document for the official parser, Avro payloads included', () => {
    const { document, diagnostics } = parsed;
    // Errors and warnings both fail; only hints and info (such as "3.1.0 exists") are allowed.
    const serious = diagnostics.filter((d) => Number(d.severity) <= WARNING);
    expect(serious.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(Object.keys(TOPICS));
  });

  it('has every manifest message at every version, with owner, producers and consumers', () => {
    const { document } = parsed;
    const ids =
      document
        ?.components()
        .messages()
        .all()
        .map((m) => m.id()) ?? [];
    for (const chain of repoInput.chains) {
      for (const v of chain.versions) expect(ids).toContain(`${chain.name}.v${v.version}`);
    }
    const placed = document?.components().messages().get('OrderPlaced.v2');
    expect(placed?.payload()?.schemaFormat()).toBe('application/vnd.apache.avro;version=1.9.0');
    expect(placed?.extensions().get('x-orderflow')?.value()).toMatchObject({
      owner: 'order-service',
      producers: ['order-service'],
      consumers: ['order-saga'],
      file: 'schemas/order-service/OrderPlaced.v2.avsc',
    });
    const ops = document?.operations().all() ?? [];
    const onOrders = ops.filter((o) => o.channels().all()[0]?.address() === 'orders.events');
    expect(onOrders.map((o) => `${o.action()} ${o.id()}`).sort()).toEqual([
      'receive order-saga.receive.orders.events',
      'send order-service.send.orders.events',
    ]);
    const saga = ops.find((o) => o.id() === 'order-saga.send.payments.commands');
    expect(
      saga
        ?.messages()
        .all()
        .map((m) => m.id()),
    ).toEqual(['ProcessPayment.v1', 'ProcessPayment.v2', 'ProcessPayment.v3', 'RefundPayment.v1']);
  });

  it('declares the CloudEvents headers and the orderId key on each message', () => {
    const doc = parseYaml(COMMITTED) as {
      components: { schemas: { CloudEventsHeaders: { required: string[] } }; messages: object };
    };
    expect(doc.components.schemas.CloudEventsHeaders.required).toEqual(
      expect.arrayContaining(['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time']),
    );
    expect(doc.components.schemas.CloudEventsHeaders.required).toContain('ce_correlationid');
    const cancelled = (doc.components.messages as Record<string, unknown>)['SagaCancelled.v2'];
    expect(cancelled).toMatchObject({
      headers: { allOf: [{ $ref: '#/components/schemas/CloudEventsHeaders' }, {}] },
      correlationId: { location: '$message.header#/ce_correlationid' },
      bindings: { kafka: { key: { type: 'string' }, schemaIdLocation: 'payload' } },
    });
  });

  it('the parser refuses an invalid Avro payload (so the validity test can fail)', async () => {
    const broken = COMMITTED.replace('type: record', 'type: recrod');
    expect(broken).not.toBe(COMMITTED);
    const { diagnostics } = await parser().parse(broken);
    expect(diagnostics.some((d) => Number(d.severity) < WARNING)).toBe(true);
  });
});

describe('schemas asyncapi --check', () => {
  it('finds the committed documents current', async () => {
    expect(staleDocs(REPO_ROOT, await render(repoInput))).toEqual([]);
  });

  it('reports both documents stale when a consumer is added to a topic', async () => {
    const orders = repoInput.topics['orders.events'];
    if (!orders) throw new Error('orders.events is not in the topic catalogue');
    const topics = {
      ...repoInput.topics,
      'orders.events': { ...orders, consumers: [...orders.consumers, 'shipping-service' as const] },
    };
    const docs = await render({ ...repoInput, topics });
    expect(staleDocs(REPO_ROOT, docs)).toEqual([
      'stale: docs/asyncapi.yaml',
      'stale: docs/event-catalogue.md',
    ]);
    expect(docs.get('docs/asyncapi.yaml')).toContain('shipping-service.receive.orders.events');
  });

  it('reports the documents stale when a message is removed from the manifest', async () => {
    const manifest = manifestCopy();
    delete manifest['shipping.events']?.ShipmentRejected;
    const docs = await render({ ...repoInput, manifest });
    expect(staleDocs(REPO_ROOT, docs)).toEqual([
      'stale: docs/asyncapi.yaml',
      'stale: docs/event-catalogue.md',
    ]);
    expect(docs.get('docs/event-catalogue.md')).not.toContain('ShipmentRejected');
  });

  it('refuses a manifest entry that has no schema files', () => {
    const manifest = manifestCopy();
    manifest['orders.events'] = { ...manifest['orders.events'], OrderShipped: { kind: 'event' } };
    expect(buildCatalogue({ ...repoInput, manifest }).problems).toEqual([
      'orders.OrderShipped: declared in the manifest but has no schema files',
    ]);
  });
});
