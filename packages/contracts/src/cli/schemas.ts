// Schema CLI: `./dev schemas check|register|codegen|asyncapi|evolve` — the compatibility gate, registry
// publisher, type generator, catalogue documents and new-version scaffold.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ContractError } from '../errors.js';
import type { CheckResult } from '../tooling/check-schemas.js';
import { CodegenError, generate } from '../tooling/codegen.js';
import { scaffoldNextVersion } from '../tooling/evolve.js';
import { diffGenerated, writeGenerated } from '../tooling/generated-files.js';
import { RegistryClient } from '../tooling/registry-client.js';
import { checkSubjectLive, registerSubject, type SubjectPlan } from '../tooling/registry-sync.js';
import { loadSchemaDir } from '../tooling/schema-files.js';

// Defaults resolve from this file, not the cwd, so the CLI works from any directory.
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPO_ROOT = resolve(PACKAGE_ROOT, '../..');
const DEFAULT_SCHEMA_DIR = join(REPO_ROOT, 'schemas');
const DEFAULT_OUT_DIR = join(PACKAGE_ROOT, 'src/generated');

/** A path as the user would type it: relative when under the cwd, else absolute. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** A failure the user can act on: printed without a stack trace, exit code 1. */
class CliFailure extends Error {}

function fail(headline: string, problems: readonly string[], hint: string): never {
  throw new CliFailure([headline, ...problems.map((p) => `  ✗ ${p}`), hint].join('\n'));
}

// The manifest imports the generated module, so it is loaded lazily: `codegen` must still run
// when that module is missing or broken, which is exactly when it is needed.
async function offlineCheck(dir: string): Promise<CheckResult> {
  const { checkSchemas, manifestExpectations } = await import('../tooling/check-schemas.js');
  const result = checkSchemas(dir, manifestExpectations());
  if (result.problems.length > 0) {
    fail(
      `${result.problems.length} schema problem(s) in ${display(dir)}:`,
      result.problems,
      'Fix the .avsc files or the manifest, then run `./dev schemas check` again.',
    );
  }
  return result;
}

async function plans(result: CheckResult): Promise<SubjectPlan[]> {
  const { subjectPlans } = await import('../tooling/check-schemas.js');
  return subjectPlans(result.chains);
}

function registryUrl(option: string | undefined): string {
  const url = option ?? process.env.SCHEMA_REGISTRY_URL;
  if (!url) {
    throw new CliFailure(
      'No schema registry given: pass --registry <url> or set SCHEMA_REGISTRY_URL.',
    );
  }
  return url;
}

const program = new Command('./dev schemas').description(
  'Avro contracts: compatibility gate, registry publishing and TypeScript codegen.',
);

program
  .command('check')
  .description('verify every schema chain offline (and against a live registry with --registry)')
  .option('--dir <path>', 'schema directory', DEFAULT_SCHEMA_DIR)
  .option('--registry <url>', 'also check against this Confluent-API registry')
  .action(async (opts: { dir: string; registry?: string }) => {
    const dir = resolve(opts.dir);
    const result = await offlineCheck(dir);
    const files = result.chains.reduce((n, c) => n + c.versions.length, 0);
    console.log(
      `✓ ${result.chains.length} messages, ${files} schema files: names, versions, docs, manifest and compatibility OK`,
    );
    if (!opts.registry) return;
    const client = new RegistryClient(opts.registry);
    const problems: string[] = [];
    for (const plan of await plans(result)) {
      problems.push(...(await checkSubjectLive(client, plan)));
    }
    if (problems.length > 0) {
      fail(
        `${problems.length} problem(s) against ${opts.registry}:`,
        problems,
        'Add a new compatible version instead of editing a published one, or run `./dev schemas register`.',
      );
    }
    console.log(`✓ consistent with the registry at ${opts.registry}`);
  });

program
  .command('register')
  .description('set per-subject compatibility and register every version in order (idempotent)')
  .option('--dir <path>', 'schema directory', DEFAULT_SCHEMA_DIR)
  .option('--registry <url>', 'Confluent-API registry URL (default: $SCHEMA_REGISTRY_URL)')
  .action(async (opts: { dir: string; registry?: string }) => {
    const url = registryUrl(opts.registry);
    const result = await offlineCheck(resolve(opts.dir));
    const client = new RegistryClient(url);
    const problems: string[] = [];
    for (const plan of await plans(result)) {
      const outcome = await registerSubject(client, plan);
      outcome.lines.forEach((line) => console.log(line));
      problems.push(...outcome.problems);
    }
    if (problems.length > 0) {
      fail(
        `${problems.length} registration problem(s) at ${url}:`,
        problems,
        'The registry and the repo disagree; see above.',
      );
    }
    console.log(`✓ ${result.chains.length} subjects registered at ${url}`);
  });

program
  .command('codegen')
  .description('generate TypeScript types and embedded schemas into src/generated')
  .option('--dir <path>', 'schema directory', DEFAULT_SCHEMA_DIR)
  .option('--out <path>', 'output directory', DEFAULT_OUT_DIR)
  .option('--check', 'fail if the committed output is not current (for CI)')
  .action((opts: { dir: string; out: string; check?: boolean }) => {
    const dir = resolve(opts.dir);
    const { chains, problems } = loadSchemaDir(dir);
    if (problems.length > 0) {
      fail(
        `cannot generate: ${problems.length} problem(s) in the schema files:`,
        problems,
        'Fix them, then run `./dev schemas codegen` again.',
      );
    }
    const out = resolve(opts.out);
    const files = generate(chains, relative(REPO_ROOT, dir).split('\\').join('/'));
    if (opts.check) {
      const stale = diffGenerated(out, files);
      if (stale.length > 0) {
        fail(
          `generated code in ${display(out)} is not current:`,
          stale,
          'Run `./dev schemas codegen` and commit the result.',
        );
      }
      console.log(`✓ generated code is current (${files.size} files)`);
      return;
    }
    const changed = writeGenerated(out, files);
    changed.forEach((path) => console.log(`  wrote ${path}`));
    console.log(`✓ ${changed.length} of ${files.size} generated files changed in ${display(out)}`);
  });

program
  .command('asyncapi')
  .description('generate docs/asyncapi.yaml (AsyncAPI 3.0) and docs/event-catalogue.md')
  .option('--dir <path>', 'schema directory', DEFAULT_SCHEMA_DIR)
  .option('--check', 'fail if the committed documents are not current (for CI)')
  .action(async (opts: { dir: string; check?: boolean }) => {
    const dir = resolve(opts.dir);
    const result = await offlineCheck(dir);
    const { buildCatalogue, repoCatalogueInput } = await import('../tooling/catalogue.js');
    const { renderContractDocs, staleDocs, writeDocs } =
      await import('../tooling/contract-docs.js');
    const schemaRoot = relative(REPO_ROOT, dir).split('\\').join('/');
    const { catalogue, problems } = buildCatalogue(repoCatalogueInput(result.chains, schemaRoot));
    if (problems.length > 0) {
      fail('cannot build the catalogue:', problems, 'Run `./dev schemas check` first.');
    }
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const docs = await renderContractDocs(catalogue, {
      repoRoot: REPO_ROOT,
      docsDir: 'docs',
      version: pkg.version,
    });
    if (opts.check) {
      const stale = staleDocs(REPO_ROOT, docs);
      if (stale.length > 0) {
        fail(
          'the contract documents are not current:',
          stale,
          'Run `./dev schemas asyncapi` and commit the result.',
        );
      }
      console.log(`✓ contract documents are current (${[...docs.keys()].join(', ')})`);
      return;
    }
    const changed = writeDocs(REPO_ROOT, docs);
    changed.forEach((path) => console.log(`  wrote ${path}`));
    console.log(`✓ ${changed.length} of ${docs.size} contract documents changed`);
  });

program
  .command('evolve')
  .description('start the next version of a message: copy its latest .avsc to v(N+1)')
  .argument('<message>', 'record name (OrderPlaced) or CloudEvents type (orders.OrderPlaced)')
  .option('--dir <path>', 'schema directory', DEFAULT_SCHEMA_DIR)
  .action((message: string, opts: { dir: string }) => {
    const dir = resolve(opts.dir);
    const made = scaffoldNextVersion(dir, message);
    const file = display(join(dir, made.to));
    console.log(
      [
        `✓ ${file}: ${made.type} v${made.version}, a copy of ${made.from}`,
        'Next:',
        `  1. edit ${file} (new fields need a default and a doc); until then \`check\` refuses it as a copy`,
        '  2. ./dev schemas check      # compatible with every earlier version under its mode?',
        '  3. ./dev schemas codegen    # regenerate the TypeScript types (commit them)',
        '  4. ./dev schemas asyncapi   # regenerate docs/asyncapi.yaml and docs/event-catalogue.md',
        '  5. ./dev schemas register   # publish it to the registry (./dev stack up also does)',
      ].join('\n'),
    );
  });

try {
  await program.parseAsync();
} catch (err) {
  if (!(err instanceof CliFailure || err instanceof ContractError || err instanceof CodegenError)) {
    throw err;
  }
  console.error(err instanceof CliFailure ? err.message : `✗ ${err.message}`);
  process.exitCode = 1;
}
