import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEV_ALGORITHM,
  DEV_AUDIENCE,
  DEV_ISSUER,
  devKeyFiles,
  ensureDevKeyPair,
  signerFromPem,
  type SignToken,
  type TokenClaims,
} from '@orderflow/auth';
import { loadStackConfig } from '@orderflow/infra';

/**
 * Bearer tokens for tests, signed with @orderflow/auth's own code: `testAuth()` makes a key pair
 * of its own for an in-process app (pass `env` into the service's config), `stackAuth()` uses the
 * running stack's development key. Besides good tokens it makes the bad ones tests need.
 */
export interface TestAuth {
  /** What a service's config needs to accept these tokens. */
  readonly env: {
    readonly AUTH_PUBLIC_KEY_FILE: string;
    readonly AUTH_ALGORITHM: typeof DEV_ALGORITHM;
    readonly AUTH_ISSUER: string;
    readonly AUTH_AUDIENCE: string;
  };
  token(claims: TokenClaims): Promise<string>;
  customer(sub: string): Promise<string>;
  admin(sub?: string): Promise<string>;
  /** Signed right, but expired two minutes ago (past any clock tolerance). */
  expired(sub: string): Promise<string>;
  /** Right claims, signed by another key. */
  wrongSignature(sub: string): Promise<string>;
  /** Valid, with a role this platform does not know. */
  wrongRole(sub: string): Promise<string>;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

async function authWith(publicKeyFile: string, privateKeyFile: string): Promise<TestAuth> {
  const sign = await signerFromPem(await readFile(privateKeyFile, 'utf8'));
  let stranger: SignToken | undefined;
  return {
    env: {
      AUTH_PUBLIC_KEY_FILE: publicKeyFile,
      AUTH_ALGORITHM: DEV_ALGORITHM,
      AUTH_ISSUER: DEV_ISSUER,
      AUTH_AUDIENCE: DEV_AUDIENCE,
    },
    token: sign,
    customer: (sub) => sign({ sub, roles: ['customer'] }),
    admin: (sub = 'test-admin') => sign({ sub, roles: ['admin'] }),
    expired: (sub) => sign({ sub, roles: ['customer', 'admin'], expiresInSeconds: -120 }),
    async wrongSignature(sub) {
      if (stranger === undefined) {
        const other = await ensureDevKeyPair(
          await mkdtemp(path.join(tmpdir(), 'orderflow-stranger-')),
        );
        stranger = await signerFromPem(await readFile(other.privateKeyFile, 'utf8'));
      }
      return stranger({ sub, roles: ['customer', 'admin'] });
    },
    wrongRole: (sub) => sign({ sub, roles: ['auditor'] }),
  };
}

/** A fresh key pair in a temporary directory, for apps a test builds in-process. */
export async function testAuth(): Promise<TestAuth> {
  const files = await ensureDevKeyPair(await mkdtemp(path.join(tmpdir(), 'orderflow-auth-')));
  return authWith(files.publicKeyFile, files.privateKeyFile);
}

/** The running local stack's dev key (`./dev stack up` creates it under its state dir). */
export async function stackAuth(stackDir = loadStackConfig().stackDir): Promise<TestAuth> {
  const files = devKeyFiles(stackDir);
  return authWith(files.publicKeyFile, files.privateKeyFile);
}
