import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '../http-app.js';
import { HttpProblem } from '../problem.js';
import { enforceAccessOnRoutes, installAccessControl } from './access.js';
import type { HttpSecurityOptions } from './config.js';

/**
 * Authentication, per-client rate limit and security headers, in the order they must run:
 * token verified (global hook) → rate limit keyed by the token's subject or the IP address →
 * the route's access rule → the route. Helmet's headers go on every answer, problems included.
 */
export async function installSecurity(app: HttpApp, options: HttpSecurityOptions): Promise<void> {
  await installAccessControl(app, options.verifier);
  // A JSON API: helmet's defaults (CSP default-src 'self', no sniffing, HSTS, frame-ancestors
  // 'none'…) fit; swagger-ui's pages get their own CSP (staticCSP) where they need more.
  await app.register(helmet, { global: true });
  await enforceAccessOnRoutes(app, async () => {
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.windowMs,
      keyGenerator: clientKey,
      errorResponseBuilder: (_request, context) =>
        new HttpProblem({
          status: 429,
          code: 'rate-limited',
          detail: `More than ${context.max} requests in ${options.rateLimit.windowMs / 1000} s from this client; retry in ${context.after}`,
          extensions: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        }),
    });
  });
}

/** A client is its token's subject when it has a valid one, else its IP address. */
export function clientKey(request: FastifyRequest): string {
  return request.principal !== undefined ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
}
