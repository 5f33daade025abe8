import type { CompatibilityMode } from '../compatibility.js';
import { ContractError } from '../errors.js';
import type { RegistryClient } from './registry-client.js';
import type { SchemaFile } from './schema-files.js';

/** One message's subject and the files to publish under it, v1..vN. */
export interface SubjectPlan {
  readonly type: string;
  readonly subject: string;
  readonly compatibility: CompatibilityMode;
  readonly versions: readonly SchemaFile[];
}

const text = (file: SchemaFile): string => JSON.stringify(file.schema);

/**
 * Registers a subject's versions in order and sets its compatibility, idempotently: versions the
 * registry already holds are left alone. Returns report lines and problems (a registry version
 * number that differs from the file's breaks "subject version = event version").
 */
export async function registerSubject(
  client: RegistryClient,
  plan: SubjectPlan,
): Promise<{ lines: string[]; problems: string[] }> {
  const lines: string[] = [];
  const problems: string[] = [];
  // Confluent accepts a config for a subject that does not exist yet; Apicurio needs v1 first.
  let configured = await client.setCompatibility(plan.subject, plan.compatibility);
  const held = await client.versions(plan.subject);
  for (const file of plan.versions) {
    let found = await client.lookup(plan.subject, text(file));
    let state = 'unchanged';
    if (!found) {
      if (held.includes(file.version)) {
        problems.push(
          `${plan.type} v${file.version}: the registry holds a different schema as version ${file.version}; published .avsc files are immutable, add a new version instead`,
        );
        break;
      }
      await client.register(plan.subject, text(file));
      found = await client.lookup(plan.subject, text(file));
      state = 'registered';
    }
    if (!found) {
      throw new ContractError(
        'REGISTRY_REJECTED',
        `the registry accepted ${plan.subject} v${file.version} but cannot find it by content afterwards`,
      );
    }
    lines.push(`${plan.subject} v${file.version} → id ${found.id} (${state})`);
    if (found.version !== file.version) {
      problems.push(
        `${plan.type} v${file.version} is version ${found.version} in the registry; subject versions must equal file versions`,
      );
    }
    if (!configured) configured = await client.setCompatibility(plan.subject, plan.compatibility);
  }
  return { lines, problems };
}

/** Live gate: files match what is registered, new versions pass the registry's own check, modes agree. */
export async function checkSubjectLive(
  client: RegistryClient,
  plan: SubjectPlan,
): Promise<string[]> {
  const problems: string[] = [];
  const held = await client.versions(plan.subject);
  if (held.length === 0) return problems; // nothing registered yet: nothing to be compatible with
  const mode = await client.compatibility(plan.subject);
  if (mode !== undefined && mode !== plan.compatibility) {
    problems.push(
      `${plan.subject}: registry compatibility is ${mode} but the manifest declares ${plan.compatibility}; run \`./dev schemas register\``,
    );
  }
  for (const file of plan.versions) {
    const found = await client.lookup(plan.subject, text(file));
    if (found) {
      if (found.version !== file.version) {
        problems.push(`${plan.type} v${file.version} is version ${found.version} in the registry`);
      }
      continue;
    }
    if (held.includes(file.version)) {
      problems.push(
        `${plan.type} v${file.version} differs from registry version ${file.version}; published .avsc files are immutable, add a new version instead`,
      );
      continue;
    }
    const verdict = await client.testCompatibility(plan.subject, text(file));
    if (!verdict.compatible) {
      problems.push(
        `${plan.type} v${file.version} is rejected by the registry (${plan.subject}): ${verdict.messages.join('; ') || 'incompatible'}`,
      );
    }
  }
  return problems;
}
