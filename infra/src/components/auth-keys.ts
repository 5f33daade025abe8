import { DEV_ALGORITHM, DEV_AUDIENCE, DEV_ISSUER, ensureDevKeyPair } from '@orderflow/auth';
import type { StackConfig } from '../config.js';

/**
 * The stack's bearer-token settings for its services: the development key pair under the state
 * directory (created on first start, kept afterwards so tokens minted earlier stay valid), its
 * public half handed to every service. A JWKS URL in the launcher's own environment wins: the
 * services then verify against it instead.
 */
export async function serviceAuthEnv(config: StackConfig): Promise<NodeJS.ProcessEnv> {
  if (process.env.AUTH_JWKS_URL) return {};
  const { publicKeyFile } = await ensureDevKeyPair(config.stackDir);
  return {
    AUTH_PUBLIC_KEY_FILE: publicKeyFile,
    AUTH_ALGORITHM: DEV_ALGORITHM,
    AUTH_ISSUER: process.env.AUTH_ISSUER ?? DEV_ISSUER,
    AUTH_AUDIENCE: process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE,
  };
}
