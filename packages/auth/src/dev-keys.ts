import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
} from 'jose';
import { ROLES_CLAIM } from './principal.js';

/**
 * The local stack's development signing key: an ES256 pair the launcher creates once under its
 * state directory (`.stack/auth/`). The services get the public half (AUTH_PUBLIC_KEY_FILE); the
 * private half stays on the developer's machine for `./dev token`, `./dev order` and the tests.
 * It signs nothing outside this machine's stack.
 */
export const DEV_ALGORITHM = 'ES256' as const;
export const DEV_ISSUER = 'urn:orderflow:local-stack';
export const DEV_AUDIENCE = 'orderflow';

export interface DevKeyFiles {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

export function devKeyFiles(stackDir: string): DevKeyFiles {
  const dir = path.join(stackDir, 'auth');
  return {
    privateKeyFile: path.join(dir, 'dev-signing-key.pem'),
    publicKeyFile: path.join(dir, 'dev-public-key.pem'),
  };
}

/** Creates the pair unless both halves exist (tokens minted earlier stay valid across restarts). */
export async function ensureDevKeyPair(stackDir: string): Promise<DevKeyFiles> {
  const files = devKeyFiles(stackDir);
  if (existsSync(files.privateKeyFile) && existsSync(files.publicKeyFile)) return files;
  await mkdir(path.dirname(files.privateKeyFile), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  await writeFile(files.privateKeyFile, await exportPKCS8(privateKey), { mode: 0o600 });
  await chmod(files.privateKeyFile, 0o600);
  await writeFile(files.publicKeyFile, await exportSPKI(publicKey), { mode: 0o644 });
  return files;
}

export interface TokenClaims {
  readonly sub: string;
  /** Role names; any string, so tests can sign roles this platform does not know. */
  readonly roles: readonly string[];
  /** Seconds from now (negative: already expired, for tests); default one hour. */
  readonly expiresInSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

export type SignToken = (claims: TokenClaims) => Promise<string>;

/** A signer with one private key (PKCS#8 PEM): the dev key, or a test's own. */
export async function signerFromPem(
  pem: string,
  algorithm: string = DEV_ALGORITHM,
): Promise<SignToken> {
  const key = await importPKCS8(pem, algorithm);
  return signerFromKey(key, algorithm);
}

export function signerFromKey(key: CryptoKey, algorithm: string = DEV_ALGORITHM): SignToken {
  return (claims) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ [ROLES_CLAIM]: [...claims.roles] })
      .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(claims.issuer ?? DEV_ISSUER)
      .setAudience(claims.audience ?? DEV_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (claims.expiresInSeconds ?? 3_600))
      .sign(key);
  };
}

/** The stack's dev signer, or a clear error naming the file `./dev stack up` creates. */
export async function devSigner(stackDir: string): Promise<SignToken> {
  const { privateKeyFile } = devKeyFiles(stackDir);
  let pem: string;
  try {
    pem = await readFile(privateKeyFile, 'utf8');
  } catch (error) {
    throw new Error(
      `No development signing key at ${privateKeyFile}: run ./dev stack up (it creates one), or pass a token`,
      { cause: error },
    );
  }
  return signerFromPem(pem);
}
