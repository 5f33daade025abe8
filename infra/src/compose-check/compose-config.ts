import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { StackError } from '../errors.js';

/**
 * docker-compose.yml as Compose itself resolves it (`config`: merge keys, `${VAR:-default}`,
 * profiles, relative paths made absolute), so the check runs what a Docker user would get, not
 * a second reading of the YAML. Either Compose v2 or Debian's v1 (1.28+) will do; neither needs
 * an engine for `config`.
 */
const run = promisify(execFile);

export type DependencyCondition =
  'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeService {
  readonly name: string;
  readonly image?: string | undefined;
  readonly build?:
    | {
        readonly context: string;
        readonly dockerfile: string;
        readonly target?: string | undefined;
        readonly args: Readonly<Record<string, string>>;
      }
    | undefined;
  /** Overrides the image's CMD when set. */
  readonly command?: readonly string[] | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly dependsOn: Readonly<Record<string, DependencyCondition>>;
  /** Bind mounts: container path → host path. */
  readonly mounts: ReadonlyMap<string, string>;
  /** The healthcheck's test as an argv (CMD-SHELL becomes `/bin/sh -c`). */
  readonly healthcheck?: readonly string[] | undefined;
}

export async function composeCommand(): Promise<string[]> {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    try {
      await run(candidate[0]!, [...candidate.slice(1), 'version'], { timeout: 10_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new StackError(
    'No Docker Compose found to resolve docker-compose.yml.',
    'Install Docker Compose v2, or Debian’s v1 (apt-get install docker-compose): `config` needs no engine.',
  );
}

export async function loadCompose(
  file: string,
  profiles: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ComposeService[]> {
  const [bin, ...pre] = await composeCommand();
  const args = [...pre, '-f', file, ...profiles.flatMap((p) => ['--profile', p]), 'config'];
  const { stdout } = await run(bin!, args, { env, maxBuffer: 4 * 1024 * 1024 });
  const doc = parse(stdout) as { services?: Record<string, RawService> };
  return Object.entries(doc.services ?? {}).map(([name, raw]) => normalise(name, raw));
}

interface RawService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: unknown };
  command?: string | string[] | null;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: DependencyCondition }>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

function normalise(name: string, raw: RawService): ComposeService {
  return {
    name,
    image: raw.image,
    build: raw.build && {
      context: raw.build.context ?? '.',
      dockerfile: raw.build.dockerfile ?? 'Dockerfile',
      target: raw.build.target,
      args: keyValues(raw.build.args),
    },
    command:
      raw.command === undefined || raw.command === null
        ? undefined
        : typeof raw.command === 'string'
          ? ['/bin/sh', '-c', raw.command]
          : raw.command,
    environment: keyValues(raw.environment),
    dependsOn: Array.isArray(raw.depends_on)
      ? Object.fromEntries(raw.depends_on.map((d) => [d, 'service_started' as const]))
      : Object.fromEntries(
          Object.entries(raw.depends_on ?? {}).map(([d, v]) => [
            d,
            v.condition ?? 'service_started',
          ]),
        ),
    mounts: new Map(
      (raw.volumes ?? []).flatMap((v): [string, string][] => {
        if (typeof v === 'string') {
          // v1 prints the short form, source:target[:mode], with an absolute source.
          const [source = '', target = ''] = v.split(':');
          return source.startsWith('/') ? [[target, source]] : [];
        }
        return v.type === 'bind' && v.source && v.target ? [[v.target, v.source]] : [];
      }),
    ),
    healthcheck: healthcheck(raw.healthcheck),
  };
}

function healthcheck(raw: RawService['healthcheck']): string[] | undefined {
  if (!raw?.test || raw.disable) return undefined;
  const test = typeof raw.test === 'string' ? ['CMD-SHELL', raw.test] : raw.test;
  const [kind, ...rest] = test;
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  return kind === 'CMD' ? rest : test;
}

/** Compose's two spellings of a map: `{ K: v }` and `["K=v"]`; a key without a value is unset. */
function keyValues(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const item of raw as string[]) {
      const at = item.indexOf('=');
      if (at > 0) out[item.slice(0, at)] = item.slice(at + 1);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      // `config` prints scalars only; a key without a value (null) is unset, as in compose.
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        out[k] = String(v);
      }
    }
  }
  return out;
}
