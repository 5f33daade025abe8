import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BASE_URL } from '../src/options.js';
import { runCli } from './support/run-cli.js';

/**
 * The CLI against the running platform (jestConfig({ services: true }) makes sure the five
 * services are up): an approved order followed to COMPLETED, a declined one to CANCELLED.
 *
 * The simulated gateway picks its behaviour from payment.token, and (before the token was carried
 * end to end) from a `tok_…` customer id: both are set to the same token so either way works.
 */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function placeArgs(token: string, sku: string): string[] {
  return ['place', '--item', `${sku}:1`, '--token', token, '--customer', token, '--country', 'FR'];
}

const orderIdOf = (stdout: string) => /^✓ order (\S+) placed/m.exec(stdout)?.[1];

/** The CLI as its own process, as `./dev order` starts it: the real exit code. */
function spawnCli(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@orderflow/source', '--import', 'tsx', MAIN, ...args],
      { cwd: PACKAGE_DIR, env: { ...process.env, ORDER_SERVICE_URL: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('order CLI against the running stack', () => {
  it('places an approved order and follows it to COMPLETED (exit 0); get and list show it', async () => {
    const placed = await runCli([...placeArgs('tok_approve', 'USB-C-CABLE'), '--follow']);
    expect(placed.stderr).toBe('');
    expect(placed.code).toBe(0);
    const orderId = orderIdOf(placed.stdout);
    expect(orderId).toBeDefined();
    expect(placed.stdout).toMatch(`Location: ${DEFAULT_BASE_URL}/orders/${orderId}`);
    for (const step of [
      'RESERVE_INVENTORY',
      'PROCESS_PAYMENT',
      'COMMIT_INVENTORY',
      'SCHEDULE_SHIPMENT',
    ]) {
      expect(placed.stdout).toMatch(`${step} SUCCEEDED`);
    }
    expect(placed.stdout).toMatch(/COMPLETED completed: total 9\.99 EUR, tracking OF\d{9}/);
    expect(placed.stdout.trimEnd().split('\n').at(-1)).toBe(`✓ order ${orderId} COMPLETED`);

    const shown = await runCli(['get', orderId ?? '']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status\s+COMPLETED/m);
    expect(shown.stdout).toMatch(/^total\s+9\.99 EUR$/m);

    const listed = await runCli([
      'list',
      '--customer',
      'tok_approve',
      '--status',
      'COMPLETED',
      '--limit',
      '100',
      '--json',
    ]);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout) as { items: { orderId: string }[] };
    expect(page.items.map((o) => o.orderId)).toContain(orderId);
  });

  it('follows a declined payment to CANCELLED: the process exits 1 with the reason', async () => {
    const result = await spawnCli([
      ...placeArgs('tok_decline_insufficient_funds', 'MOUSE-WIRELESS'),
      '--follow',
    ]);
    const orderId = orderIdOf(result.stdout);
    expect(orderId).toBeDefined();
    expect(result.stdout).toMatch(/PROCESS_PAYMENT FAILED/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      `✗ order ${orderId} CANCELLED: PAYMENT_DECLINED at PROCESS_PAYMENT: payment declined (INSUFFICIENT_FUNDS)`,
    );
    expect(result.code).toBe(1);
  });

  it('prints the problem details of a refused order', async () => {
    const result = await runCli([
      'place',
      '--item',
      'usb-c-cable:1',
      '--token',
      'tok_approve',
      '--customer',
      'c-1',
      '--country',
      'FR',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^✗ 400 Bad Request: The request body is invalid\n {2}- body\/items\/0\/sku: must match pattern/,
    );
  });
});
