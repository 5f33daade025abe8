import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './support/schemas.js';

// The CLI as CI runs it: a real process, judged by exit code and what it prints.
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PACKAGE_ROOT, 'src/cli/schemas.ts');

function schemas(...args: string[]) {
  const env = { ...process.env };
  delete env.SCHEMA_REGISTRY_URL;
  const run = spawnSync(
    process.execPath,
    ['--conditions=@orderflow/source', '--import', 'tsx', CLI, ...args],
    {
      cwd: PACKAGE_ROOT,
      env,
      encoding: 'utf8',
    },
  );
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('./dev schemas', () => {
  it('check passes on the repo schemas', () => {
    const run = schemas('check');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^✓ \d+ messages, \d+ schema files/);
  });

  it('check fails on an incompatible chain, naming the field, without a stack trace', () => {
    const run = schemas('check', '--dir', join(FIXTURES, 'incompatible'));
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      '✗ orders.OrderPlaced v3 is not BACKWARD compatible with v1: field `channel` was added without a default',
    );
    expect(run.err).not.toMatch(/^\s+at /m);
  });

  it('codegen --check fails naming the stale file, and passes once regenerated', () => {
    const out = mkdtempSync(join(tmpdir(), 'generated-'));
    const dir = join(FIXTURES, 'compatible');
    expect(schemas('codegen', '--dir', dir, '--out', out).code).toBe(0);
    expect(schemas('codegen', '--check', '--dir', dir, '--out', out).code).toBe(0);

    const file = join(out, 'order-service/OrderPlaced.v2.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('readonly note', 'readonly notes'));
    const stale = schemas('codegen', '--check', '--dir', dir, '--out', out);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('✗ stale: order-service/OrderPlaced.v2.ts');
    expect(stale.err).toContain('Run `./dev schemas codegen` and commit the result.');
  });

  it('register without a registry says how to give one', () => {
    const run = schemas('register');
    expect(run.code).toBe(1);
    expect(run.err.trim()).toBe(
      'No schema registry given: pass --registry <url> or set SCHEMA_REGISTRY_URL.',
    );
  });
});
