import type { AvroRecordSchema } from '../avro-schema.js';
import { DEFAULT_COMPATIBILITY, type CompatibilityMode } from '../compatibility.js';
import { MANIFEST, type ManifestDecls } from '../manifest.js';
import { avroNamespace, ceType, subjectName } from '../naming.js';
import type { ServiceName } from '../services.js';
import { TOPICS, topicSpec, type TopicName, type TopicSpec } from '../topics.js';
import type { MessageChain } from './schema-files.js';

/**
 * The event catalogue as one model: topics with their owner and consumers, and on each the
 * messages with every published version. The AsyncAPI document and the markdown catalogue are
 * both rendered from it, so they cannot disagree. It is built from its inputs alone (no module
 * state), so a test can hand it a changed copy of the manifest.
 */
export interface CatalogueInput {
  readonly topics: Readonly<Record<string, TopicSpec>>;
  readonly manifest: ManifestDecls;
  readonly chains: readonly MessageChain[];
  /** Repo-relative folder the chains were read from, e.g. `schemas`. */
  readonly schemaRoot: string;
}

export interface CatalogueVersion {
  readonly version: number;
  /** Repo-relative path of the .avsc file. */
  readonly file: string;
  readonly schema: AvroRecordSchema;
}

export interface CatalogueMessage {
  /** CloudEvents type, e.g. `orders.OrderPlaced`. */
  readonly type: string;
  readonly name: string;
  readonly kind: 'event' | 'command';
  readonly fullName: string;
  readonly owner: ServiceName;
  /** Services that may emit it: the owner for events, the declared senders for commands. */
  readonly producers: readonly ServiceName[];
  /** Consumer groups of its topic: each receives every record of the topic. */
  readonly consumers: readonly ServiceName[];
  readonly compatibility: CompatibilityMode;
  readonly subject: string;
  readonly versions: readonly CatalogueVersion[];
}

export interface CatalogueTopic {
  readonly name: string;
  readonly owner: ServiceName;
  readonly consumers: readonly ServiceName[];
  readonly partitions: number;
  readonly retentionMs: number;
  readonly messages: readonly CatalogueMessage[];
}

export interface Catalogue {
  readonly topics: readonly CatalogueTopic[];
}

/** The model, plus what stops it from being complete (a declared message without schema files). */
export function buildCatalogue(input: CatalogueInput): {
  catalogue: Catalogue;
  problems: string[];
} {
  const problems: string[] = [];
  const chains = new Map(input.chains.map((c) => [c.type, c]));
  const topics: CatalogueTopic[] = [];
  for (const [name, decls] of Object.entries(input.manifest)) {
    const spec = input.topics[name];
    if (!spec) {
      problems.push(`${name}: in the manifest but not in the topic catalogue`);
      continue;
    }
    const messages: CatalogueMessage[] = [];
    for (const [message, decl] of Object.entries(decls)) {
      const type = ceType(spec.owner, message);
      const chain = chains.get(type);
      if (!chain) {
        problems.push(`${type}: declared in the manifest but has no schema files`);
        continue;
      }
      const fullName = `${avroNamespace(spec.owner)}.${message}`;
      messages.push({
        type,
        name: message,
        kind: decl.kind,
        fullName,
        owner: spec.owner,
        producers: decl.kind === 'command' ? decl.senders : [spec.owner],
        consumers: spec.consumers,
        compatibility: decl.compatibility ?? DEFAULT_COMPATIBILITY,
        subject: subjectName(name, fullName),
        versions: chain.versions.map((v) => ({
          version: v.version,
          file: `${input.schemaRoot}/${v.path}`,
          schema: v.schema,
        })),
      });
    }
    topics.push({ name, ...spec, messages });
  }
  return { catalogue: { topics }, problems };
}

/** The repo's own topics and manifest, with the given schema chains. */
export function repoCatalogueInput(
  chains: readonly MessageChain[],
  schemaRoot: string,
): CatalogueInput {
  const topics = Object.fromEntries(
    (Object.keys(TOPICS) as TopicName[]).map((name) => [name, topicSpec(name)]),
  );
  return { topics, manifest: MANIFEST, chains, schemaRoot };
}
