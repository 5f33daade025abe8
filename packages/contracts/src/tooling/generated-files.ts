import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { GeneratedFiles } from './codegen.js';

/** Every .ts file under `dir`, as forward-slash paths relative to it. */
function listTs(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What differs between `dir` and the expected output: one line per file, empty when current. */
export function diffGenerated(dir: string, expected: GeneratedFiles): string[] {
  const problems: string[] = [];
  for (const [path, content] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
    const actual = readOrUndefined(join(dir, path));
    if (actual === undefined) problems.push(`missing: ${path}`);
    else if (actual !== content) problems.push(`stale: ${path}`);
  }
  const existing = safeList(dir);
  for (const path of existing)
    if (!expected.has(path)) problems.push(`orphaned: ${path} (its .avsc no longer exists)`);
  return problems;
}

/** Makes `dir` hold exactly the expected files; returns the paths it wrote or removed. */
export function writeGenerated(dir: string, expected: GeneratedFiles): string[] {
  const changed: string[] = [];
  for (const [path, content] of expected) {
    const target = join(dir, path);
    if (readOrUndefined(target) === content) continue; // untouched files keep their mtime
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    changed.push(path);
  }
  for (const path of safeList(dir)) {
    if (expected.has(path)) continue;
    rmSync(join(dir, path));
    changed.push(`${path} (removed)`);
    const folder = dirname(join(dir, path));
    if (folder !== dir && readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
  }
  return changed;
}

function safeList(dir: string): string[] {
  try {
    return listTs(dir);
  } catch {
    return [];
  }
}
