import { DEFAULT_COMPATIBILITY, type CompatibilityMode } from '../compatibility.js';
import { MESSAGE_TYPES, messageSpec } from '../manifest.js';
import { schemaFileName } from '../naming.js';
import type { ServiceName } from '../services.js';
import { checkChain } from './compatibility-check.js';
import type { SubjectPlan } from './registry-sync.js';
import { loadSchemaDir, type MessageChain } from './schema-files.js';

/** What the manifest expects to find in the schema directory. */
export interface ExpectedMessage {
  readonly type: string;
  readonly owner: ServiceName;
  readonly name: string;
  readonly compatibility: CompatibilityMode;
}

export interface CheckResult {
  readonly chains: readonly MessageChain[];
  readonly problems: readonly string[];
}

export function manifestExpectations(): ExpectedMessage[] {
  return MESSAGE_TYPES.map((type) => {
    const spec = messageSpec(type);
    return { type, owner: spec.owner, name: spec.name, compatibility: spec.compatibility };
  });
}

/**
 * The offline gate: files well-formed, manifest and files in one-to-one correspondence, and
 * every version chain compatible under its declared mode. Every problem is collected.
 */
export function checkSchemas(dir: string, expected: readonly ExpectedMessage[]): CheckResult {
  const { chains, problems } = loadSchemaDir(dir);
  const all = [...problems];
  const byType = new Map(chains.map((c) => [c.type, c]));
  const expectedTypes = new Set(expected.map((e) => e.type));
  for (const e of expected) {
    if (!byType.has(e.type)) {
      all.push(
        `${e.type}: declared in the manifest but ${e.owner}/${schemaFileName(e.name, 1)} does not exist`,
      );
    }
  }
  for (const c of chains) {
    if (!expectedTypes.has(c.type)) {
      all.push(
        `${c.type}: ${c.versions[0]?.path ?? c.name} exists but the manifest (packages/contracts/src/manifest.ts) does not declare it`,
      );
    }
  }
  for (const c of chains) {
    const mode = expected.find((e) => e.type === c.type)?.compatibility ?? DEFAULT_COMPATIBILITY;
    all.push(...checkChain(c.type, c.versions, mode));
  }
  return { chains, problems: all };
}

/** The registry subject, mode and files of each checked chain, from the manifest. */
export function subjectPlans(chains: readonly MessageChain[]): SubjectPlan[] {
  return chains.map((c) => {
    const spec = messageSpec(c.type);
    return {
      type: c.type,
      subject: spec.subject,
      compatibility: spec.compatibility,
      versions: c.versions,
    };
  });
}
