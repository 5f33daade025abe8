import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createVerifier, DEV_AUDIENCE, DEV_ISSUER, ensureDevKeyPair } from '@orderflow/auth';
import { BENCH_CUSTOMERS, BenchClients } from '../src/platform/clients.js';

describe('the bench clients', () => {
  it('spread orders over BENCH_CUSTOMERS customers, each reading its orders with its own token', async () => {
    const stackDir = await mkdtemp(path.join(tmpdir(), 'bench-clients-'));
    const { publicKeyFile } = await ensureDevKeyPair(stackDir);
    const verify = await createVerifier({
      keys: { publicKeyFile, algorithm: 'ES256' },
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    const clients = await BenchClients.forStack(stackDir);
    expect(clients.customer('bench-1', 0)).toBe('bench-1-0');
    expect(clients.customer('bench-1', BENCH_CUSTOMERS + 3)).toBe('bench-1-3');
    clients.placed('order-1', 'bench-1-3');
    const token = (await clients.headersForOrder('order-1')).authorization.replace('Bearer ', '');
    expect(await verify(token)).toEqual({ sub: 'bench-1-3', roles: ['customer'] });
    const admin = (await clients.headersForOrder('unknown')).authorization.replace('Bearer ', '');
    expect((await verify(admin)).roles).toEqual(['admin']);
  });
});
