import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { dlqTopic } from '@orderflow/contracts';
import { ensureTopics } from '../src/admin.js';
import { AvroSerde, failureHeaders, X, type Classification } from '../src/index.js';
import {
  brokers,
  collectRecords,
  createTopicsFor,
  env,
  header,
  rawKafka,
  sagaCommandHeaders,
  testContract,
  uniqueName,
  waitForCount,
} from './support.js';

// The DLQ tool as a user runs it: a child process against the real broker and registry.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = 'packages/messaging/src/cli/dlq.ts';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function dlqCli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=@orderflow/source', '--import', 'tsx', CLI, ...args],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          KAFKA_BROKERS: env.kafkaBrokers,
          SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`dlq ${args.join(' ')} did not finish: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

function expectSuccess(run: CliRun): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
}

const origin = uniqueName('test.inventory.commands');
const group = uniqueName('inventory-service');
const dlq = dlqTopic(origin, group);
const reserve = testContract('saga.ReserveInventory', undefined, origin, ['order-saga']);
const serde = new AvroSerde({ registryUrl: env.schemaRegistryUrl, autoRegister: true });

const failed = uniqueName('order-failed');
const rejected = uniqueName('order-rejected');
const garbage = uniqueName('order-garbage');
const FAILURES: Record<string, Classification> = {
  [failed]: {
    code: 'HANDLER_FAILED',
    retryable: true,
    errorClass: 'Error',
    message: 'inventory database timed out',
  },
  [rejected]: {
    code: 'HANDLER_REJECTED',
    retryable: false,
    errorClass: 'NonRetryableError',
    message: 'unknown sku SKU-X',
  },
  [garbage]: {
    code: 'NOT_AVRO',
    retryable: false,
    errorClass: 'MessagingError',
    message: 'value is not in the Confluent Avro wire format (no magic byte)',
  },
};

interface Placed {
  readonly partition: number;
  readonly offset: string;
  readonly ceId: string;
  readonly value: Buffer;
}
const placed = new Map<string, Placed>();
const at = (orderId: string) => `${placed.get(orderId)?.partition}:${placed.get(orderId)?.offset}`;

/** A DLQ record as the consumer writes one: original key, value and headers plus the failure. */
async function deadLetter(orderId: string, originOffset: number): Promise<void> {
  const { value, schemaId } =
    orderId === garbage
      ? { value: Buffer.from('definitely not avro'), schemaId: 0 }
      : await serde.encode(reserve, { orderId, lines: [{ sku: 'SKU-1', quantity: 2 }] });
  const ceId = uuidv7();
  const original = sagaCommandHeaders(reserve.type, orderId, serde.schemaUrl(schemaId), {
    id: ceId,
  });
  const state = {
    origin: { topic: origin, partition: 1, offset: String(originOffset) },
    attempts: 5,
    tier: 2,
    notBefore: 0,
    firstFailure: new Date(Date.now() - 60_000).toISOString(),
  };
  const failure = FAILURES[orderId]!;
  const headers = failureHeaders(original, state, group, failure, new Date());
  const producer = rawKafka.producer();
  await producer.connect();
  try {
    const [meta] = await producer.send({
      topic: dlq,
      acks: -1,
      messages: [{ key: orderId, value, headers }],
    });
    placed.set(orderId, { partition: meta!.partition, offset: meta!.baseOffset!, ceId, value });
  } finally {
    await producer.disconnect();
  }
}

const logDir = mkdtempSync(path.join(tmpdir(), 'dlq-cli-'));
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await createTopicsFor(origin, group);
  await deadLetter(failed, 17);
  await deadLetter(rejected, 18);
  await deadLetter(garbage, 19);
});

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  rmSync(logDir, { recursive: true, force: true });
});

describe('./dev dlq', () => {
  it('list --json prints every record of a DLQ with its origin and error', async () => {
    const run = await dlqCli('list', '--topic', dlq, '--json');
    expectSuccess(run);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    for (const orderId of [failed, rejected, garbage]) {
      expect(lines.find((l) => l.key === orderId)).toMatchObject({
        dlqTopic: dlq,
        partition: placed.get(orderId)?.partition,
        offset: placed.get(orderId)?.offset,
        type: 'saga.ReserveInventory',
        originTopic: origin,
        group,
        errorCode: FAILURES[orderId]?.code,
        errorClass: FAILURES[orderId]?.errorClass,
        attempts: 5,
      });
    }
  });

  it('list takes an origin topic with --group and filters by error code', async () => {
    const run = await dlqCli(
      'list',
      ...['--topic', origin, '--group', group, '--error-code', 'HANDLER_REJECTED'],
    );
    expectSuccess(run);
    expect(run.stdout).toContain(rejected);
    expect(run.stdout).toContain(`${at(rejected)}`);
    expect(run.stdout).not.toContain(failed);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('1 record');
  });

  it('show prints the headers, the origin and the value decoded with the reader schema', async () => {
    const run = await dlqCli('show', dlq, at(failed));
    expectSuccess(run);
    expect(run.stdout).toContain(`"orderId": "${failed}"`);
    expect(run.stdout).toMatch(/value\s+saga\.ReserveInventory, writer schema id \d+/);
    expect(run.stdout).toContain(`${origin} 1:17`);
    expect(run.stdout).toMatch(/x-error-code\s+HANDLER_FAILED/);
    expect(run.stdout).toContain(placed.get(failed)?.ceId);
  });

  it('show prints a value it cannot decode as base64 with the reason', async () => {
    const run = await dlqCli('show', dlq, at(garbage));
    expectSuccess(run);
    expect(run.stdout).toContain('not decoded: NOT_AVRO');
    expect(run.stdout).toContain(Buffer.from('definitely not avro').toString('base64'));
  });

  it('replay sends only the selected record back to its origin, once confirmed, and logs it', async () => {
    const log = path.join(logDir, 'nested', 'replays.jsonl');
    const refused = await dlqCli('replay', '--topic', dlq, '--order-id', failed, '--log', log);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('without --yes');

    const run = await dlqCli(
      'replay',
      ...['--topic', dlq, '--order-id', failed, '--yes', '--rate', '50', '--log', log],
    );
    expectSuccess(run);
    expect(run.stdout).toContain('replayed 1/1');

    // The CLI waited for acks=-1 before exiting: the origin topic now holds exactly one record.
    const admin = rawKafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(origin).finally(() => admin.disconnect());
    expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(1);

    const { records, stop } = await collectRecords(origin);
    stops.push(stop);
    await waitForCount('the replayed record on the origin topic', records, 1);
    const [replayed] = records;
    expect(replayed?.key?.toString()).toBe(failed);
    expect(replayed?.value?.equals(placed.get(failed)!.value)).toBe(true);
    expect(header(replayed!, 'ce_id')).toBe(placed.get(failed)?.ceId);
    const names = Object.keys(replayed?.headers ?? {});
    expect(names.filter((n) => n.startsWith('x-error-') || n.startsWith('x-origin-'))).toEqual([]);
    const replayedAt = header(replayed!, X.replayedAt);
    expect(replayedAt).toBeDefined();

    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      dlqTopic: dlq,
      partition: placed.get(failed)?.partition,
      offset: placed.get(failed)?.offset,
      key: failed,
      type: 'saga.ReserveInventory',
      originTopic: origin,
      replayedAt,
    });
  });

  it('fails with one clear line and exit code 1 on a missing topic or a bad position', async () => {
    const missing = `${uniqueName('no-such-topic')}.dlq`;
    const noTopic = await dlqCli('show', missing, '0:0');
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr.trim()).toBe(
      `✗ topic ${missing} does not exist on ${env.kafkaBrokers}: check the name ('./dev dlq list' lists every catalogue DLQ) or create the catalogue topics with ./dev stack up`,
    );

    // The catalogue's DLQs have one partition: the hint names it rather than a range.
    const single = `${uniqueName('single')}.dlq`;
    await ensureTopics(brokers, [{ name: single, partitions: 1, retentionMs: 3_600_000 }]);
    const noPartition = await dlqCli('show', single, '2:17');
    expect(noPartition.code).toBe(1);
    expect(noPartition.stderr.trim()).toBe(
      `✗ ${single} has no partition 2: it has a single partition, 0, so positions are 0:<offset>; './dev dlq list --topic ${single}' prints each record's position`,
    );

    const badPosition = await dlqCli('show', dlq, '1/17');
    expect(badPosition.code).toBe(1);
    expect(badPosition.stderr.trim()).toMatch(
      /^✗ bad position '1\/17': expected <partition>:<offset>/,
    );
    expect(badPosition.stderr).not.toMatch(/\n\s+at /);
  });
});
