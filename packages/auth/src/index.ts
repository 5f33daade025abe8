// Public surface of @orderflow/auth: verify bearer JWTs into principals; the local dev key pair and its tokens.
export { AuthError, type AuthErrorCode } from './errors.js';
export {
  isAdmin,
  knownRoles,
  mayActFor,
  ROLES,
  ROLES_CLAIM,
  type Principal,
  type Role,
} from './principal.js';
export {
  bearerToken,
  createVerifier,
  VERIFY_ALGORITHMS,
  type VerifierOptions,
  type VerifyAlgorithm,
  type VerifyToken,
} from './verify.js';
export {
  DEV_ALGORITHM,
  DEV_AUDIENCE,
  DEV_ISSUER,
  devKeyFiles,
  devSigner,
  ensureDevKeyPair,
  signerFromKey,
  signerFromPem,
  type DevKeyFiles,
  type SignToken,
  type TokenClaims,
} from './dev-keys.js';
