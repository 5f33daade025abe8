// Tests of the doc reference check (node --test): each kind of broken reference is found, with
// its file and line, and what is not a reference is left alone.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkTree, slug } from './check-doc-refs.mjs';

const SCRIPT = fileURLToPath(new URL('./check-doc-refs.mjs', import.meta.url));
// Spelled apart so that this file's own fixtures are not references of the real tree.
const DOCS = 'docs';

const ARCHITECTURE = [
  '# Architecture',
  '',
  '## 2. Topology',
  '',
  '## 3. The order saga',
  '',
  '### 6.2 Outbox',
  '',
  '```md',
  '## 9. Not a heading: inside a fence',
  '```',
].join('\n');

let root;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A throwaway tree: `files` maps relative paths to contents. */
function tree(files) {
  root = mkdtempSync(path.join(tmpdir(), 'doc-refs-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return Object.keys(files);
}

const problemsOf = (files) =>
  checkTree(root, files).problems.map((p) => `${p.file}:${p.line}: ${p.ref}: ${p.problem}`);

describe('docs/ references', () => {
  it('finds a missing file and a missing section, wherever the reference is written', () => {
    const files = tree({
      [`${DOCS}/architecture.md`]: ARCHITECTURE,
      'src/steps.ts': `// The saga (${DOCS}/architecture.md §3).\n// Old: ${DOCS}/design.md §3.\n`,
      'README.md': `See \`${DOCS}/architecture.md\` §2, §8 and ${DOCS}/architecture.md §6.2.\n`,
    });
    assert.deepEqual(problemsOf(files), [
      `src/steps.ts:2: ${DOCS}/design.md: ${DOCS}/design.md does not exist`,
      `README.md:1: ${DOCS}/architecture.md: ${DOCS}/architecture.md has no section 8`,
    ]);
  });

  it('does not count a section that only appears inside a code fence', () => {
    const files = tree({
      [`${DOCS}/architecture.md`]: ARCHITECTURE,
      'a.ts': `// ${DOCS}/architecture.md §9\n`,
    });
    assert.deepEqual(problemsOf(files), [
      `a.ts:1: ${DOCS}/architecture.md: ${DOCS}/architecture.md has no section 9`,
    ]);
  });

  it('leaves HTTP routes and URLs that merely contain /docs/ alone', () => {
    const files = tree({
      'a.ts': "app.register(swaggerUi, { routePrefix: '/docs' }); fetch('/docs/json');\n",
      'b.md': 'OpenAPI at http://127.0.0.1:3000/docs/json and `localhost:3000/docs/static/x`.\n',
    });
    const { checked, problems } = checkTree(root, files);
    assert.deepEqual({ checked, problems }, { checked: 0, problems: [] });
  });
});

describe('markdown links', () => {
  it('finds a missing target, a missing heading and a target outside the repository', () => {
    const files = tree({
      [`${DOCS}/architecture.md`]: ARCHITECTURE,
      'services/a/README.md': [
        `[design](../../${DOCS}/architecture.md#3-the-order-saga) is fine,`,
        `[gone](../../${DOCS}/missing.md) is not,`,
        `[renamed](../../${DOCS}/architecture.md#4-the-wire) neither,`,
        '[elsewhere](../../../elsewhere/design.md) leaves the repo,',
        '[here](#a) points at a heading of this file.',
        '',
        '## A',
        '',
        `[ref]: ../../${DOCS}/nope.md`,
      ].join('\n'),
    });
    assert.deepEqual(problemsOf(files), [
      `services/a/README.md:2: ../../${DOCS}/missing.md: ${DOCS}/missing.md does not exist`,
      `services/a/README.md:3: ../../${DOCS}/architecture.md#4-the-wire: ${DOCS}/architecture.md has no heading #4-the-wire`,
      'services/a/README.md:4: ../../../elsewhere/design.md: points outside the repository',
      `services/a/README.md:9: ../../${DOCS}/nope.md: ${DOCS}/nope.md does not exist`,
    ]);
  });

  it('ignores URLs, mail links, and links inside code', () => {
    const files = tree({
      'README.md': [
        '[site](https://example.com/x.md) [mail](mailto:a@b.c)',
        '`[not a link](missing.md)`',
        '```',
        '[also not](missing.md)',
        '```',
      ].join('\n'),
    });
    assert.deepEqual(problemsOf(files), []);
  });
});

describe('slug', () => {
  it('makes GitHub anchors', () => {
    assert.equal(slug('3. The order saga'), '3-the-order-saga');
    // As GitHub does: punctuation dropped, every space a hyphen, so hyphens can double.
    assert.equal(
      slug('6.4 Retry tiers and the DLQ (`x-…` headers)'),
      '64-retry-tiers-and-the-dlq-x--headers',
    );
  });
});

describe('the command', () => {
  it('exits 1 and names each broken reference, then 0 once it is fixed', () => {
    tree({ 'README.md': `Read ${DOCS}/architecture.md §3.\n` });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const broken = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    assert.equal(broken.status, 1);
    assert.match(
      broken.stderr,
      new RegExp(
        `^✗ README\\.md:1: ${DOCS}/architecture\\.md: ${DOCS}/architecture\\.md does not exist$`,
        'm',
      ),
    );

    mkdirSync(path.join(root, DOCS));
    writeFileSync(path.join(root, DOCS, 'architecture.md'), ARCHITECTURE);
    const fixed = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    assert.equal(fixed.stderr, '');
    assert.equal(fixed.status, 0);
    assert.match(fixed.stdout, /^✓ 1 doc references in 2 files all resolve/);
  });
});
