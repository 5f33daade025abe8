import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createVerifier,
  DEV_ALGORITHM,
  DEV_AUDIENCE,
  DEV_ISSUER,
  ensureDevKeyPair,
} from '@orderflow/auth';
import { authorizationFrom } from '../src/upstream.js';

describe("the console's Authorization header", () => {
  it('is absent when neither a token nor a signing key is configured', async () => {
    const authorize = await authorizationFrom({ CONSOLE_TOKEN_SUBJECT: 'console' });
    expect(await authorize()).toBeUndefined();
  });

  it('is the configured token as is', async () => {
    const authorize = await authorizationFrom({
      CONSOLE_ADMIN_TOKEN: 'abc.def.ghi',
      CONSOLE_TOKEN_SUBJECT: 'console',
    });
    expect(await authorize()).toBe('Bearer abc.def.ghi');
  });

  it('is an admin token the services verify, signed with the key file and renewed before it expires', async () => {
    const keys = await ensureDevKeyPair(await mkdtemp(path.join(tmpdir(), 'console-keys-')));
    let clock = 1_000_000;
    const authorize = await authorizationFrom(
      { CONSOLE_SIGNING_KEY_FILE: keys.privateKeyFile, CONSOLE_TOKEN_SUBJECT: 'ops-console' },
      () => clock,
    );
    const header = await authorize();
    const verify = await createVerifier({
      keys: { publicKeyFile: keys.publicKeyFile, algorithm: DEV_ALGORITHM },
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    const principal = await verify(header!.replace(/^Bearer /, ''));
    expect(principal).toMatchObject({ sub: 'ops-console', roles: ['admin'] });
    expect(await authorize()).toBe(header);
    clock += 301_000;
    expect(await authorize()).not.toBe(header);
  });
});
