import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import type { AvroRecordSchema } from '../avro-schema.js';
import { ContractError } from '../errors.js';
import { avroNamespace, ceType, parseSchemaFileName } from '../naming.js';
import { SERVICE_NAMES, type ServiceName } from '../services.js';
import { missingDocs } from './docs.js';

/** One `schemas/<owner>/<Name>.v<N>.avsc`, parsed and checked on its own. */
export interface SchemaFile {
  /** Path relative to the schema directory, with forward slashes: `order-service/OrderPlaced.v1.avsc`. */
  readonly path: string;
  readonly owner: ServiceName;
  readonly name: string;
  readonly version: number;
  readonly schema: AvroRecordSchema;
  readonly avro: avro.Type;
}

/** Every version of one message, ordered v1..vN. */
export interface MessageChain {
  /** CloudEvents type, e.g. `orders.OrderPlaced`. */
  readonly type: string;
  readonly owner: ServiceName;
  readonly name: string;
  readonly fullName: string;
  readonly versions: readonly SchemaFile[];
}

export interface SchemaDir {
  readonly chains: readonly MessageChain[];
  /** Everything wrong with the files themselves, one human-readable line each. */
  readonly problems: readonly string[];
}

function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** Reads and validates a schema directory; problems are collected, never thrown, so all are reported at once. */
export function loadSchemaDir(dir: string): SchemaDir {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ContractError('SCHEMA_DIR_MISSING', `schema directory ${dir} does not exist`);
  }
  const problems: string[] = [];
  const files: SchemaFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) {
      if (entry.name.endsWith('.avsc')) {
        problems.push(
          `${entry.name}: schema files belong in a folder named after their owning service`,
        );
      }
      continue;
    }
    if (!isServiceName(entry.name)) {
      problems.push(
        `${entry.name}/: not a service name (expected one of ${SERVICE_NAMES.join(', ')})`,
      );
      continue;
    }
    for (const file of readdirSync(join(dir, entry.name)).sort()) {
      if (!file.endsWith('.avsc')) continue;
      const loaded = loadFile(dir, entry.name, file);
      if (typeof loaded === 'string') problems.push(loaded);
      else {
        problems.push(
          ...missingDocs(loaded.schema).map((where) => `${loaded.path}: ${where} has no doc`),
        );
        files.push(loaded);
      }
    }
  }
  const chains = groupChains(files, problems);
  return { chains, problems };
}

function loadFile(dir: string, owner: ServiceName, file: string): SchemaFile | string {
  const path = `${owner}/${file}`;
  const parsedName = parseSchemaFileName(file);
  if (!parsedName) return `${path}: file name must be <RecordName>.v<N>.avsc with N >= 1`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, owner, file), 'utf8'));
  } catch (err) {
    return `${path}: not valid JSON (${(err as Error).message})`;
  }
  if (!isRecordSchema(json)) return `${path}: top-level schema must be an Avro record`;
  if (json.name !== parsedName.name) {
    return `${path}: record is named ${json.name} but the file name says ${parsedName.name}`;
  }
  const namespace = avroNamespace(owner);
  if (json.namespace !== namespace) {
    return `${path}: namespace must be ${namespace} (the owner's), found ${json.namespace ?? 'none'}`;
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json);
  } catch (err) {
    return `${path}: not a valid Avro schema: ${(err as Error).message}`;
  }
  return {
    path,
    owner,
    name: parsedName.name,
    version: parsedName.version,
    schema: json,
    avro: type,
  };
}

function isRecordSchema(json: unknown): json is AvroRecordSchema {
  if (typeof json !== 'object' || json === null) return false;
  const r = json as Record<string, unknown>;
  return r.type === 'record' && typeof r.name === 'string' && Array.isArray(r.fields);
}

function groupChains(files: readonly SchemaFile[], problems: string[]): MessageChain[] {
  const byName = new Map<string, SchemaFile[]>();
  for (const f of files) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const chains: MessageChain[] = [];
  for (const [name, group] of byName) {
    const owners = [...new Set(group.map((f) => f.owner))];
    const [owner] = owners;
    if (!owner) continue;
    if (owners.length > 1) {
      // Generated types are exported by record name, so names must be unique platform-wide.
      problems.push(
        `${name}: defined by several services (${owners.join(', ')}); message names must be unique`,
      );
      continue;
    }
    const versions = [...group].sort((a, b) => a.version - b.version);
    const type = ceType(owner, name);
    const numbers = versions.map((v) => v.version);
    const gaps = numbers.some((n, i) => n !== i + 1);
    if (gaps) {
      const missing = Array.from({ length: Math.max(...numbers) }, (_, i) => i + 1).filter(
        (n) => !numbers.includes(n),
      );
      problems.push(
        `${type}: found v${numbers.join(', v')}; versions must run v1..vN without gaps (missing v${missing.join(', v')})`,
      );
    } else {
      problems.push(...sameAsPrevious(type, versions));
    }
    chains.push({ type, owner, name, fullName: `${avroNamespace(owner)}.${name}`, versions });
  }
  return chains.sort((a, b) => a.type.localeCompare(b.type));
}

/**
 * A registry does not create a new version for a schema it already holds, so a vN that equals
 * v(N-1) up to docs would break "subject version = event version".
 */
function sameAsPrevious(type: string, versions: readonly SchemaFile[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < versions.length; i++) {
    const prev = versions[i - 1];
    const cur = versions[i];
    if (prev && cur && withoutDocs(prev.schema) === withoutDocs(cur.schema)) {
      problems.push(
        `${type}: v${cur.version} differs from v${prev.version} only in docs; a registry would not make it a new version`,
      );
    }
  }
  return problems;
}

function withoutDocs(schema: unknown): string {
  return JSON.stringify(schema, (key, value: unknown) => (key === 'doc' ? undefined : value));
}
