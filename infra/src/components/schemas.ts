import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, registryUrl, type StackConfig } from '../config.js';
import { commandOutput, StackError } from '../errors.js';

/**
 * Registers every contract in schemas/ with the registry (and sets each subject's compatibility)
 * through the project's own schema CLI, so the stack holds exactly what `./dev schemas register`
 * would publish and producers can run without auto-registration.
 */
const run = promisify(execFile);

export async function registerSchemas(config: StackConfig): Promise<number> {
  const cli = path.join(REPO_ROOT, 'packages', 'contracts', 'src', 'cli', 'schemas.ts');
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=@orderflow/source',
        '--import',
        'tsx',
        cli,
        'register',
        '--registry',
        registryUrl(config),
      ],
      { cwd: REPO_ROOT, maxBuffer: 4 * 1024 * 1024 },
    );
    return Number(/(\d+) subjects registered/.exec(stdout)?.[1] ?? 0);
  } catch (error) {
    throw new StackError(
      'Registering the schemas failed.',
      "Run './dev schemas register' to see every problem, fix the contracts in schemas/, then 'stack up' again.",
      commandOutput(error).split('\n').slice(-15).join('\n'),
      { cause: error },
    );
  }
}
