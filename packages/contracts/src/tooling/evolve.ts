import { constants, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractError } from '../errors.js';
import { schemaFileName } from '../naming.js';
import { loadSchemaDir } from './schema-files.js';

export interface Scaffolded {
  readonly type: string;
  readonly version: number;
  /** Paths relative to the schema directory. */
  readonly from: string;
  readonly to: string;
}

/**
 * Starts the next version of a message: copies its latest `X.vN.avsc` to `X.v(N+1).avsc`
 * unchanged. The copy fails `schemas check` ("differs only in docs") until it is edited, so a
 * forgotten scaffold cannot be published. `message` is a record name or a CloudEvents type.
 */
export function scaffoldNextVersion(dir: string, message: string): Scaffolded {
  const { chains } = loadSchemaDir(dir);
  const chain = chains.find((c) => c.name === message || c.type === message);
  const latest = chain?.versions[chain.versions.length - 1];
  if (!chain || !latest) {
    throw new ContractError(
      'UNKNOWN_MESSAGE_TYPE',
      `no message ${message} in ${dir}; known: ${chains.map((c) => c.name).join(', ')}`,
    );
  }
  const version = latest.version + 1;
  const to = `${chain.owner}/${schemaFileName(chain.name, version)}`;
  // COPYFILE_EXCL: an existing file (say, a half-edited scaffold) is never overwritten.
  try {
    copyFileSync(join(dir, latest.path), join(dir, to), constants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new ContractError('SCHEMA_EXISTS', `${to} already exists; edit it or remove it first`, {
      cause: err,
    });
  }
  return { type: chain.type, version, from: latest.path, to };
}
