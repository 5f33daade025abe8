#!/usr/bin/env node
// Doc reference check (`./dev check:docs`, a CI phase): every relative markdown link and every
// `docs/…` path in the tree must name a file that exists, and every `§N` or `#anchor` after it a
// section that exists. Plain node, no dependencies. Usage: node scripts/check-doc-refs.mjs [root]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files that hold no references worth checking, or too much text to scan for nothing. */
const SKIPPED = [/(^|\/)pnpm-lock\.yaml$/, /\.(png|jpe?g|gif|svg|ico|pdf|jar|gz|tgz|zip|avro)$/i];
const MAX_BYTES = 2 * 1024 * 1024;

/** A `docs/…` path, not part of a longer path or URL (`/docs/json` is an HTTP route). */
const DOCS_REF = /(?<![\w@./-])docs\/[\w./-]*[\w/]/g;
/** `§3`, `§2, §8`, `§6.2 and §6.3` right after a reference (a closing backtick allowed). */
const SECTIONS = /^`?\s*(§\s*\d+(?:\.\d+)*(?:\s*(?:,|and|or|&)\s*§\s*\d+(?:\.\d+)*)*)/;
const SECTION_NUMBER = /§\s*(\d+(?:\.\d+)*)/g;
/** `[text](target)` and `![alt](target "title")`. */
const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
/** `[label]: target` */
const REFERENCE_LINK = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;

/** Tracked files plus new ones not ignored, so a local run also sees what is not committed yet. */
export function listFiles(root) {
  const out = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return [...new Set(out.split('\0').filter(Boolean))];
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading) {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors and the numbered sections (`## 3. …`, `### 6.2 …`) of a markdown file. */
function outline(text) {
  const anchors = new Set();
  const sections = new Set();
  const seen = new Map();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = HEADING.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
    const number = /^(\d+(?:\.\d+)*)\.?(?:\s|$)/.exec(heading)?.[1];
    if (number !== undefined) sections.add(number);
  }
  return { anchors, sections };
}

function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isText(buffer) {
  return !buffer.subarray(0, 8000).includes(0);
}

/**
 * Checks the references of `files` (paths relative to `root`). Returns how many references were
 * checked and one problem per broken one, with the file and line where it is written.
 */
export function checkTree(root, files = listFiles(root)) {
  const outlines = new Map();
  const outlineOf = (file) => {
    if (!outlines.has(file)) outlines.set(file, outline(readFileSync(file, 'utf8')));
    return outlines.get(file);
  };
  const problems = [];
  let checked = 0;

  /** One reference: `target` absolute, `anchor` a heading slug, `sections` section numbers. */
  const check = (where, ref, target, { anchor, sections = [] } = {}) => {
    checked += 1;
    const inside = path.relative(root, target);
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      problems.push({ ...where, ref, problem: 'points outside the repository' });
      return;
    }
    if (!existsSync(target)) {
      problems.push({ ...where, ref, problem: `${inside || '.'} does not exist` });
      return;
    }
    const isMarkdown = target.endsWith('.md') && statSync(target).isFile();
    if (anchor && isMarkdown && !outlineOf(target).anchors.has(anchor)) {
      problems.push({ ...where, ref, problem: `${inside} has no heading #${anchor}` });
    }
    for (const number of sections) {
      if (!isMarkdown || !outlineOf(target).sections.has(number)) {
        problems.push({ ...where, ref, problem: `${inside} has no section ${number}` });
      }
    }
  };

  for (const file of files) {
    if (SKIPPED.some((pattern) => pattern.test(file))) continue;
    const absolute = path.join(root, file);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) continue;
    if (statSync(absolute).size > MAX_BYTES) continue;
    const buffer = readFileSync(absolute);
    if (!isText(buffer)) continue;
    const markdown = file.endsWith('.md');
    let fenced = false;
    buffer
      .toString('utf8')
      .split('\n')
      .forEach((line, index) => {
        const where = { file, line: index + 1 };
        for (const match of line.matchAll(DOCS_REF)) {
          const ref = match[0];
          const after = line.slice((match.index ?? 0) + ref.length);
          const sections = [...(SECTIONS.exec(after)?.[1] ?? '').matchAll(SECTION_NUMBER)].map(
            (m) => m[1],
          );
          check(where, ref, path.join(root, ref), { sections });
        }
        if (!markdown) return;
        if (FENCE.test(line)) fenced = !fenced;
        if (fenced) return;
        const prose = line.replace(/`[^`]*`/g, '');
        const targets = [...prose.matchAll(INLINE_LINK)].map((m) => m[1]);
        const reference = REFERENCE_LINK.exec(prose)?.[1];
        if (reference !== undefined) targets.push(reference);
        for (const ref of targets) {
          if (SCHEME.test(ref)) continue;
          const [rawPath = '', rawAnchor] = ref.split('#', 2);
          const pathPart = decoded(rawPath.split('?')[0] ?? '');
          const target =
            pathPart === ''
              ? absolute
              : pathPart.startsWith('/')
                ? path.join(root, pathPart)
                : path.resolve(path.dirname(absolute), pathPart);
          check(where, ref, target, { anchor: rawAnchor ? decoded(rawAnchor) : '' });
        }
      });
  }
  return { checked, files: files.length, problems };
}

function main() {
  const scriptDir = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(process.argv[2] ?? path.join(scriptDir, '..'));
  const { checked, files, problems } = checkTree(root);
  for (const p of problems) console.error(`✗ ${p.file}:${p.line}: ${p.ref}: ${p.problem}`);
  if (problems.length > 0) {
    console.error(
      `${problems.length} broken doc reference(s): point them at a file and section of this repository`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(`✓ ${checked} doc references in ${files} files all resolve`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
