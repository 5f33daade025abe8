import { testAuth, type TestAuth } from '@orderflow/testkit';
import {
  httpSecurity,
  loadConfig,
  securityEnv,
  z,
  type HttpSecurityOptions,
} from '../../src/index.js';

/** A key pair of the test's own and the security settings that trust it. */
export async function testSecurity(
  env: Record<string, string> = {},
): Promise<{ readonly auth: TestAuth; readonly security: HttpSecurityOptions }> {
  const auth = await testAuth();
  const config = loadConfig(z.object(securityEnv), { ...auth.env, ...env });
  return { auth, security: httpSecurity(config) };
}

/** Route options of a test route that needs no token (the runtime's own behaviour under test). */
export const publicRoute = { config: { access: 'public' } } as const;
