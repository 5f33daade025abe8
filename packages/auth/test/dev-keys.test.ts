import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createVerifier,
  DEV_AUDIENCE,
  DEV_ISSUER,
  devSigner,
  ensureDevKeyPair,
  type Principal,
} from '../src/index.js';

describe('the development key pair', () => {
  it('is created once, private half readable by its owner only, and kept on the next start', async () => {
    const stackDir = await mkdtemp(path.join(tmpdir(), 'auth-keys-'));
    const files = await ensureDevKeyPair(stackDir);
    expect((await stat(files.privateKeyFile)).mode & 0o777).toBe(0o600);
    const first = await readFile(files.publicKeyFile, 'utf8');
    await ensureDevKeyPair(stackDir);
    expect(await readFile(files.publicKeyFile, 'utf8')).toBe(first);
  });

  it('signs tokens its public half verifies, keeping only the roles this platform knows', async () => {
    const stackDir = await mkdtemp(path.join(tmpdir(), 'auth-keys-'));
    const { publicKeyFile } = await ensureDevKeyPair(stackDir);
    const verify = await createVerifier({
      keys: { publicKeyFile, algorithm: 'ES256' },
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    const sign = await devSigner(stackDir);
    const principal: Principal = await verify(
      await sign({ sub: 'c-1', roles: ['customer', 'root'] }),
    );
    expect(principal).toEqual({ sub: 'c-1', roles: ['customer'] });
    await expect(
      verify(await sign({ sub: 'c-1', roles: ['admin'], expiresInSeconds: -60 })),
    ).rejects.toMatchObject({
      code: 'token-expired',
      status: 401,
    });
  });

  it('tells where the key should be when the stack never created it', async () => {
    const stackDir = await mkdtemp(path.join(tmpdir(), 'auth-keys-'));
    await expect(devSigner(stackDir)).rejects.toThrow(/run \.\/dev stack up/);
  });
});
