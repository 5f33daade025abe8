import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { AvroField } from '../../src/avro-schema.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const REPO_SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '../../../../schemas');

/** An `orderflow.orders.OrderPlaced` record with the given fields, as an avsc Type. */
export function orderPlaced(fields: AvroField[]): avro.Type {
  return avro.Type.forSchema({
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'orderflow.orders',
    fields,
  });
}

/** Writes `{ 'order-service/X.v1.avsc': schema }` into a fresh temp dir and returns it. */
export function schemaDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
  for (const [path, schema] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof schema === 'string' ? schema : JSON.stringify(schema));
  }
  return dir;
}

export function documented(
  name: string,
  namespace: string,
  fields: { name: string; type: unknown; default?: unknown }[],
) {
  return {
    type: 'record',
    name,
    namespace,
    doc: `${name} fixture.`,
    fields: fields.map((f) => ({ doc: `${f.name}.`, ...f })),
  };
}
