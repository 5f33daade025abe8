import { readFile } from 'node:fs/promises';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type CryptoKey,
} from 'jose';
import { AuthError } from './errors.js';
import { knownRoles, ROLES_CLAIM, type Principal } from './principal.js';

/**
 * Bearer token → Principal, with jose. Only asymmetric algorithms are accepted (a service holds a
 * public key, never a secret that could also sign), and the issuer, audience, expiry and `sub`
 * are required, so a token minted for another system or without an expiry is refused.
 */
export const VERIFY_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type VerifyAlgorithm = (typeof VERIFY_ALGORITHMS)[number];

export interface VerifierOptions {
  /** Where the keys come from: a JWKS URL (rotating keys) or one PEM (SPKI) public key file. */
  readonly keys:
    | { readonly jwksUrl: string }
    | { readonly publicKeyFile: string; readonly algorithm: VerifyAlgorithm };
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds?: number;
}

export type VerifyToken = (token: string) => Promise<Principal>;

export async function createVerifier(options: VerifierOptions): Promise<VerifyToken> {
  const { keys } = options;
  let key: CryptoKey | JWTVerifyGetKey;
  let algorithms: string[];
  if ('jwksUrl' in keys) {
    key = createRemoteJWKSet(new URL(keys.jwksUrl), { timeoutDuration: 3_000 });
    algorithms = [...VERIFY_ALGORITHMS];
  } else {
    const pem = await readFile(keys.publicKeyFile, 'utf8');
    key = await importSPKI(pem, keys.algorithm);
    algorithms = [keys.algorithm];
  }
  return async (token) => {
    try {
      // The overloads differ by key kind only; one call site keeps the options in one place.
      const { payload } = await jwtVerify(token, key as CryptoKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub'],
      });
      const sub = payload.sub ?? '';
      if (sub.length === 0 || sub.length > 128) {
        throw new AuthError('token-invalid', 'The token has no usable subject (sub)');
      }
      return { sub, roles: knownRoles(payload[ROLES_CLAIM]) };
    } catch (error) {
      throw asAuthError(error);
    }
  };
}

function asAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) {
    return new AuthError('token-expired', 'The token has expired', { cause: error });
  }
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
    // Not a verdict on the token: the key set could not be fetched (or parsed).
    return new AuthError('keys-unavailable', 'The signing keys could not be fetched', {
      cause: error,
    });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthError('token-invalid', `The token's ${error.claim} claim is not accepted`, {
      cause: error,
    });
  }
  return new AuthError('token-invalid', 'The token is malformed or its signature is not valid', {
    cause: error,
  });
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1];
}
