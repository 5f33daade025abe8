import { describe, expect, it } from '@jest/globals';
import { hopScript, pgbenchJson, seedSql } from '../src/baselines/hop-sql.js';
import { databaseUrl, parsePgbench, upSection } from '../src/baselines/pgbench.js';

const OUTPUT = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/orderflow-pgbench-x/hop.sql
scaling factor: 1
query mode: extended
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 23456
number of failed transactions: 0 (0.000%)
latency average = 3.412 ms
initial connection time = 14.201 ms
tps = 2344.718233 (without initial connection time)
`;

describe('parsePgbench', () => {
  it('reads transactions, failures, latency and tps', () => {
    expect(parsePgbench(OUTPUT, 8, 10)).toEqual({
      clients: 8,
      seconds: 10,
      transactions: 23456,
      failed: 0,
      latencyAvgMs: 3.412,
      tps: 2344.718233,
    });
  });

  it('fails naming what is missing', () => {
    expect(() => parsePgbench('pgbench: error: connection refused', 1, 1)).toThrow(
      /no transaction count/,
    );
  });
});

describe('upSection', () => {
  it('keeps the up migration only', () => {
    const sql = '-- Up Migration\nCREATE TABLE a (x int);\n\n-- Down Migration\nDROP TABLE a;\n';
    expect(upSection(sql)).toBe('-- Up Migration\nCREATE TABLE a (x int);');
    expect(() => upSection('CREATE TABLE a (x int);')).toThrow(/not a migration/);
  });
});

describe('the hop script', () => {
  const script = hopScript('orderflow_outbox');
  const commands = script.split('\n').filter(Boolean);

  it('is one transaction: inbox insert, saga read and update, outbox insert with NOTIFY', () => {
    expect(commands[0]).toMatch(/^\\set n random\(1, \d+\)$/);
    expect(commands.slice(1).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'BEGIN;',
      'INSERT INTO',
      'SELECT state,',
      'UPDATE order_saga',
      'WITH row',
      'COMMIT;',
    ]);
    expect(script).toContain("pg_notify('orderflow_outbox', '')");
    expect(script).toContain('ON CONFLICT DO NOTHING');
  });

  it('puts every SQL command on one line ending in a semicolon', () => {
    for (const command of commands.slice(1)) expect(command.endsWith(';')).toBe(true);
  });

  it('leaves pgbench no variable to find but :n', () => {
    const variables = [...script.matchAll(/:+[A-Za-z0-9_]+/g)].map((m) => m[0]);
    expect(new Set(variables.filter((v) => !v.startsWith('::')))).toEqual(new Set([':n']));
  });

  it('quotes the jsonb literals', () => {
    const state = /state = '(.*?)'::jsonb/.exec(script)?.[1] ?? '';
    const parsed = JSON.parse(state.replaceAll("''", "'")) as { order: { customerId: string } };
    expect(parsed.order.customerId).toBe('bench');
    expect(state.length).toBeGreaterThan(1500);
    expect(seedSql(10)).toContain('generate_series(1, 10)');
  });
});

describe('pgbenchJson', () => {
  it('writes JSON that reads back the same, with no colon followed by a name character', () => {
    const value = { time: '01:02:03', n: 1, none: null, yes: true, nested: { url: 'http://x:81' } };
    const json = pgbenchJson(value);
    expect(json).not.toMatch(/:[A-Za-z0-9_]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('databaseUrl', () => {
  it('swaps the database of a connection URL', () => {
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432/postgres', 'scratch')).toBe(
      'postgres://postgres@127.0.0.1:5432/scratch',
    );
  });
});
