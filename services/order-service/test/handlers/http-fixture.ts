import { buildHttpApp, httpSecurity, type HttpApp } from '@orderflow/service-runtime';
import { createLogger } from '@orderflow/telemetry';
import { bearer, testAuth } from '@orderflow/testkit';
import { orderConfig } from '../../src/config.js';

/**
 * order-service's HTTP app as production builds it (security from its config, test keys), with
 * no routes and no database: a test registers the route under test on it, then calls ready().
 */
export async function orderHttpApp(): Promise<{
  readonly app: HttpApp;
  readonly admin: { authorization: string };
}> {
  const auth = await testAuth();
  const app = await buildHttpApp({
    security: httpSecurity(orderConfig(auth.env)),
    service: 'order-service',
    logger: createLogger({ service: 'order-service', level: 'silent' }),
    readiness: () => Promise.resolve({}),
  });
  return { app, admin: bearer(await auth.admin()) };
}
