import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSchemas, manifestExpectations } from '../src/tooling/check-schemas.js';
import { scaffoldNextVersion } from '../src/tooling/evolve.js';
import { REPO_SCHEMAS } from './support/schemas.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../src/cli/schemas.ts');

/** A private copy of the repo's schemas/, so scaffolding never touches the real one. */
function schemasCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-'));
  cpSync(REPO_SCHEMAS, dir, { recursive: true });
  return dir;
}

function cli(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    ['--conditions=@orderflow/source', '--import', 'tsx', CLI, ...args],
    { encoding: 'utf8' },
  );
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('schemas evolve', () => {
  it('copies the latest version to the next one, which check refuses until it is edited', () => {
    const dir = schemasCopy();
    const made = scaffoldNextVersion(dir, 'OrderPlaced');
    expect(made).toEqual({
      type: 'orders.OrderPlaced',
      version: 4,
      from: 'order-service/OrderPlaced.v3.avsc',
      to: 'order-service/OrderPlaced.v4.avsc',
    });
    const v4 = join(dir, made.to);
    expect(readFileSync(v4, 'utf8')).toBe(readFileSync(join(dir, made.from), 'utf8'));
    expect(checkSchemas(dir, manifestExpectations()).problems).toEqual([
      'orders.OrderPlaced: v4 differs from v3 only in docs; a registry would not make it a new version',
    ]);

    // The edit the printed instructions ask for: a new field with a default and a doc.
    const schema = JSON.parse(readFileSync(v4, 'utf8')) as { fields: object[] };
    schema.fields.push({ name: 'giftNote', type: 'string', default: '', doc: 'A note.' });
    writeFileSync(v4, JSON.stringify(schema, null, 2));
    expect(checkSchemas(dir, manifestExpectations()).problems).toEqual([]);
  });

  it('accepts a CloudEvents type and starts v2 of a single-version message', () => {
    const dir = schemasCopy();
    const made = scaffoldNextVersion(dir, 'shipping.ShipmentScheduled');
    expect(made.to).toBe('shipping-service/ShipmentScheduled.v2.avsc');
    expect(existsSync(join(dir, made.to))).toBe(true);
  });

  it('prints what to do next from the CLI', () => {
    const dir = schemasCopy();
    const run = cli('evolve', 'PaymentDeclined', '--dir', dir);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      'payments.PaymentDeclined v3, a copy of payment-service/PaymentDeclined.v2.avsc',
    );
    for (const step of ['check', 'codegen', 'asyncapi', 'register']) {
      expect(run.out).toContain(`./dev schemas ${step}`);
    }
    expect(existsSync(join(dir, 'payment-service/PaymentDeclined.v3.avsc'))).toBe(true);
  });

  it('names the known messages when asked for an unknown one, without a stack trace', () => {
    const dir = schemasCopy();
    const run = cli('evolve', 'OrderShipped', '--dir', dir);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^✗ no message OrderShipped in .*; known: .*OrderPlaced/);
    expect(run.err).not.toMatch(/^\s+at /m);
  });
});
