import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { devSigner } from '@orderflow/auth';
import { CliError } from './errors.js';

/**
 * The bearer token the CLI sends: ORDERFLOW_TOKEN when set (any deployment's token), else one it
 * signs itself with the local stack's development key (`.stack/auth/`, or $STACK_DIR/auth): as
 * the customer a command names (`place --customer`, `list --customer`), as an admin otherwise
 * (`get` and `follow` of any order). Minted once per run, valid for an hour.
 */
export type Acting =
  { readonly role: 'customer'; readonly customerId: string } | { readonly role: 'admin' };

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function stackDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.STACK_DIR ?? path.join(REPO_ROOT, '.stack'));
}

export function tokenSource(acting: Acting, env: NodeJS.ProcessEnv): () => Promise<string> {
  const given = env.ORDERFLOW_TOKEN?.trim();
  if (given) return () => Promise.resolve(given);
  let minted: Promise<string> | undefined;
  return () => {
    minted ??= mint(acting, env);
    return minted;
  };
}

async function mint(acting: Acting, env: NodeJS.ProcessEnv): Promise<string> {
  let sign;
  try {
    sign = await devSigner(stackDir(env));
  } catch (error) {
    throw new CliError(
      'INVALID_CONFIG',
      `${(error as Error).message} (or set ORDERFLOW_TOKEN to a token of your own)`,
      { cause: error },
    );
  }
  return acting.role === 'admin'
    ? sign({ sub: 'order-cli', roles: ['admin'] })
    : sign({ sub: acting.customerId, roles: ['customer'] });
}
