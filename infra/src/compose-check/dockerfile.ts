/**
 * What a container of one Dockerfile stage runs when compose gives no `command`: its WORKDIR,
 * ENV, ENTRYPOINT and CMD, inherited from the stage it is built `FROM`. Enough of the Dockerfile
 * syntax for this repository's Dockerfile: continuations, `ENV k=v ...`, exec and shell forms.
 * The base image's own settings (node's PATH) are not known here; the host's toolchain stands in.
 */
export interface ImageStage {
  readonly name: string;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

export function parseDockerfile(text: string): ImageStage[] {
  const stages: ImageStage[] = [];
  let current: ImageStage | undefined;
  for (const line of instructions(text)) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/s.exec(line) ?? [];
    const instruction = keyword.toUpperCase();
    if (instruction === 'FROM') {
      const [, base = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      const parent = stages.find((s) => s.name === base);
      current = {
        name: name ?? String(stages.length),
        workdir: parent?.workdir ?? '/',
        env: { ...parent?.env },
        entrypoint: parent?.entrypoint ?? [],
        cmd: parent?.cmd ?? [],
      };
      stages.push(current);
      continue;
    }
    if (!current) continue; // ARG before the first FROM
    const index = stages.length - 1;
    if (instruction === 'WORKDIR') {
      current = { ...current, workdir: resolvePath(current.workdir, rest.trim()) };
    } else if (instruction === 'ENV') {
      current = { ...current, env: { ...current.env, ...parseEnv(rest) } };
    } else if (instruction === 'CMD') {
      current = { ...current, cmd: execForm(rest) };
    } else if (instruction === 'ENTRYPOINT') {
      current = { ...current, entrypoint: execForm(rest), cmd: [] };
    }
    stages[index] = current;
  }
  return stages;
}

/** The stage `target` names, else the last one (what `docker build` builds without --target). */
export function imageStage(stages: readonly ImageStage[], target?: string): ImageStage {
  const stage = target === undefined ? stages.at(-1) : stages.find((s) => s.name === target);
  if (!stage) throw new Error(`the Dockerfile has no stage ${target ?? '(none at all)'}`);
  return stage;
}

/** Logical lines: comments dropped, backslash continuations joined. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}

function resolvePath(from: string, to: string): string {
  if (to.startsWith('/')) return to;
  return `${from.replace(/\/$/, '')}/${to}`;
}

/** `k=v k2="v w"` (and the legacy one-pair form `k v`). */
function parseEnv(rest: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!/^[^\s=]+=/.test(rest)) {
    const [, key = '', value = ''] = /^(\S+)\s+(.*)$/s.exec(rest) ?? [];
    env[key] = value;
    return env;
  }
  const pair = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const [, key = '', raw = ''] of rest.matchAll(pair)) {
    env[key] = raw.startsWith('"')
      ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
      : raw.startsWith("'")
        ? raw.slice(1, -1)
        : raw;
  }
  return env;
}

function execForm(rest: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    parsed = undefined; // not JSON: the shell form
  }
  if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  // The shell form runs under /bin/sh -c in the image, as here.
  return ['/bin/sh', '-c', rest];
}
