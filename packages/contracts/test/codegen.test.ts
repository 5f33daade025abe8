import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodegenError, generate } from '../src/tooling/codegen.js';
import { diffGenerated, writeGenerated } from '../src/tooling/generated-files.js';
import { loadSchemaDir } from '../src/tooling/schema-files.js';
import { documented, FIXTURES, REPO_SCHEMAS, schemaDir } from './support/schemas.js';

const COMMITTED = join(dirname(fileURLToPath(import.meta.url)), '../src/generated');

function generateFrom(dir: string) {
  const { chains, problems } = loadSchemaDir(dir);
  expect(problems).toEqual([]);
  return generate(chains, 'fixtures');
}

describe('codegen', () => {
  it('emits one module per schema version plus an index, with docs and the embedded schema', () => {
    const files = generateFrom(join(FIXTURES, 'compatible'));
    expect([...files.keys()].sort()).toEqual([
      'index.ts',
      'order-service/OrderPlaced.v1.ts',
      'order-service/OrderPlaced.v2.ts',
      'order-service/OrderPlaced.v3.ts',
    ]);
    const v2 = files.get('order-service/OrderPlaced.v2.ts') ?? '';
    expect(v2).toContain('export interface OrderPlaced {');
    expect(v2).toContain(
      '  /** Free text, added in v2 with a default. */\n  readonly note: string | null;',
    );
    expect(v2).toContain('export const schema: AvroRecordSchema = {');
    expect(files.get('index.ts')).toContain('export type OrderPlaced = OrderPlacedV3.OrderPlaced;');
  });

  it('detects stale, missing and orphaned output in a directory', () => {
    const out = mkdtempSync(join(tmpdir(), 'generated-'));
    const schemas = mkdtempSync(join(tmpdir(), 'schemas-'));
    cpSync(join(FIXTURES, 'compatible'), schemas, { recursive: true });
    writeGenerated(out, generateFrom(schemas));
    expect(diffGenerated(out, generateFrom(schemas))).toEqual([]);

    // A schema edit makes the committed output stale; a removed schema leaves an orphan.
    const v3 = join(schemas, 'order-service/OrderPlaced.v3.avsc');
    writeFileSync(v3, readFileSync(v3, 'utf8').replace('widened to long in v3', 'widened in v3'));
    rmSync(join(out, 'order-service/OrderPlaced.v1.ts'));
    writeFileSync(join(out, 'order-service/OrderPlaced.v9.ts'), '// left behind\n');
    expect(diffGenerated(out, generateFrom(schemas))).toEqual([
      'missing: order-service/OrderPlaced.v1.ts',
      'stale: order-service/OrderPlaced.v3.ts',
      'orphaned: order-service/OrderPlaced.v9.ts (its .avsc no longer exists)',
    ]);

    expect(writeGenerated(out, generateFrom(schemas))).toEqual([
      'order-service/OrderPlaced.v1.ts',
      'order-service/OrderPlaced.v3.ts',
      'order-service/OrderPlaced.v9.ts (removed)',
    ]);
    expect(diffGenerated(out, generateFrom(schemas))).toEqual([]);
  });

  it('keeps the committed src/generated current with schemas/', () => {
    const { chains } = loadSchemaDir(REPO_SCHEMAS);
    expect(diffGenerated(COMMITTED, generate(chains, 'schemas'))).toEqual([]);
  });

  it('refuses unions it cannot type faithfully', () => {
    const dir = schemaDir({
      'order-service/OrderPlaced.v1.avsc': documented('OrderPlaced', 'orderflow.orders', [
        { name: 'ref', type: ['string', 'int'] },
      ]),
    });
    const { chains } = loadSchemaDir(dir);
    expect(() => generate(chains)).toThrow(CodegenError);
    expect(() => generate(chains)).toThrow(
      'order-service/OrderPlaced.v1.avsc: only ["null", T] unions are supported',
    );
  });
});
