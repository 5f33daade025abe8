import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  VERIFY_ALGORITHMS,
  type VerifierOptions,
  type VerifyAlgorithm,
} from '@orderflow/auth';
import { z } from 'zod';
import { ConfigError } from '../config.js';

/**
 * The HTTP security settings every service reads: where the token-signing keys come from, the
 * issuer and audience a token must carry, the per-client rate limit and the request timeout.
 * There is no switch to turn authentication off: a service without a key source does not start.
 */
export const securityEnv = {
  /** A JWKS document (keys rotate there); or… */
  AUTH_JWKS_URL: z.url().optional(),
  /** …one PEM (SPKI) public key file, as the local stack and docker-compose mount. */
  AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** The algorithm of AUTH_PUBLIC_KEY_FILE (a JWKS names its keys' own). */
  AUTH_ALGORITHM: z.enum(VERIFY_ALGORITHMS).default('ES256'),
  AUTH_ISSUER: z.string().min(1).default(DEV_ISSUER),
  AUTH_AUDIENCE: z.string().min(1).default(DEV_AUDIENCE),
  /** Requests per client (token subject, else IP address) per window, per service process. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1_200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How long a client may take to send a whole request (headers and body); then 408. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
} as const;

export interface SecurityConfig {
  readonly AUTH_JWKS_URL?: string;
  readonly AUTH_PUBLIC_KEY_FILE?: string;
  readonly AUTH_ALGORITHM: VerifyAlgorithm;
  readonly AUTH_ISSUER: string;
  readonly AUTH_AUDIENCE: string;
  readonly RATE_LIMIT_MAX: number;
  readonly RATE_LIMIT_WINDOW_MS: number;
  readonly HTTP_REQUEST_TIMEOUT_MS: number;
}

export interface HttpSecurityOptions {
  readonly verifier: VerifierOptions;
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  readonly requestTimeoutMs: number;
}

/** The settings buildHttpApp takes; a ConfigError unless exactly one key source is set. */
export function httpSecurity(config: SecurityConfig): HttpSecurityOptions {
  const { AUTH_JWKS_URL: jwksUrl, AUTH_PUBLIC_KEY_FILE: publicKeyFile } = config;
  const keys =
    jwksUrl !== undefined && publicKeyFile === undefined
      ? { jwksUrl }
      : publicKeyFile !== undefined && jwksUrl === undefined
        ? { publicKeyFile, algorithm: config.AUTH_ALGORITHM }
        : undefined;
  if (keys === undefined) {
    throw new ConfigError([
      `AUTH_JWKS_URL, AUTH_PUBLIC_KEY_FILE: set exactly one, the source of the keys that sign bearer tokens (${
        jwksUrl === undefined ? 'both unset' : 'both set'
      })`,
    ]);
  }
  return {
    verifier: { keys, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  };
}
