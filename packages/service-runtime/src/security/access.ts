import {
  AuthError,
  bearerToken,
  createVerifier,
  isAdmin,
  type Principal,
  type VerifierOptions,
} from '@orderflow/auth';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { HttpApp } from '../http-app.js';
import { HttpProblem } from '../problem.js';

/**
 * Who may call a route. Every route is closed unless it says otherwise: `customer` (the default)
 * needs a verified token with the customer or admin role, `admin` the admin role, `public` none
 * (health, metrics, the OpenAPI docs). Ownership (a customer sees only their own orders) is the
 * route's own check, with `principalOf` and `mayActFor`.
 */
export type Access = 'public' | 'customer' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the authentication hook when the request carried a valid bearer token. */
    principal?: Principal;
    /** Why the bearer token it carried was refused; enforced per route after the rate limit. */
    authFailure?: AuthError;
  }
}

export const AUTH_REALM = 'orderflow';

export function routeAccess(request: FastifyRequest): Access {
  const url = request.routeOptions.url;
  // swagger-ui registers its own routes (/docs, /docs/json, /docs/static/*) without our config.
  if (url !== undefined && (url === '/docs' || url.startsWith('/docs/'))) return 'public';
  return request.routeOptions.config.access ?? 'customer';
}

/** The verified caller of a non-public route (the access hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) {
    throw new Error(`no principal on ${request.method} ${request.url}: is the route public?`);
  }
  return request.principal;
}

/**
 * Authentication runs for every request (a global onRequest hook), before the rate limit, so the
 * limit can key a client by its token's subject; it never refuses by itself. Enforcement is a
 * route-level onRequest hook added after the rate limiter's, so floods of bad tokens are limited
 * per IP address before being told 401.
 */
export async function installAccessControl(app: HttpApp, verifier: VerifierOptions): Promise<void> {
  const verify = await createVerifier(verifier);

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const token = bearerToken(header);
    if (token === undefined) {
      request.authFailure = new AuthError(
        'token-invalid',
        'The Authorization header is not "Bearer <token>"',
      );
      return;
    }
    try {
      request.principal = await verify(token);
    } catch (error) {
      request.authFailure = error as AuthError;
    }
  });
}

type OnRequest = NonNullable<RouteOptions['onRequest']>;
const asList = (hooks: OnRequest | undefined) =>
  hooks === undefined ? [] : Array.isArray(hooks) ? [...hooks] : [hooks];

/**
 * Orders every route's onRequest hooks as: those plugins added (the rate limiter), then access
 * enforcement, then the route's own (order-service's admission control): a refused token is
 * limited per client first, and never reaches the route's own work. `installPlugins` registers
 * the plugins whose route hooks go first.
 */
export async function enforceAccessOnRoutes(
  app: HttpApp,
  installPlugins: () => Promise<void>,
): Promise<void> {
  const own = new WeakMap<RouteOptions, unknown[]>();
  app.addHook('onRoute', (route) => {
    own.set(route, asList(route.onRequest));
  });
  await installPlugins();
  app.addHook('onRoute', (route) => {
    const routeOwn = own.get(route) ?? [];
    const added = asList(route.onRequest).filter((hook) => !routeOwn.includes(hook));
    route.onRequest = [...added, enforceAccess, ...routeOwn] as OnRequest;
  });
}

// Async on purpose: fastify answers a rejected onRequest promise with the thrown problem (a sync
// hook would need the done-callback style).
// eslint-disable-next-line @typescript-eslint/require-await
async function enforceAccess(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const access = routeAccess(request);
  if (access === 'public') return;
  const { principal, authFailure } = request;
  if (authFailure !== undefined) {
    if (authFailure.status === 401) {
      reply.header('www-authenticate', `Bearer realm="${AUTH_REALM}", error="invalid_token"`);
    }
    throw new HttpProblem({
      status: authFailure.status,
      code: authFailure.code,
      detail: authFailure.message,
      cause: authFailure,
    });
  }
  if (principal === undefined) {
    reply.header('www-authenticate', `Bearer realm="${AUTH_REALM}"`);
    throw new HttpProblem({
      status: 401,
      code: 'token-missing',
      detail: 'This route needs a bearer token: Authorization: Bearer <token>',
    });
  }
  const allowed = access === 'admin' ? isAdmin(principal) : principal.roles.length > 0;
  if (!allowed) {
    reply.header('www-authenticate', `Bearer realm="${AUTH_REALM}", error="insufficient_scope"`);
    throw new HttpProblem({
      status: 403,
      code: 'forbidden',
      detail:
        access === 'admin'
          ? 'This route needs the admin role'
          : 'This route needs the customer or admin role',
    });
  }
}
