import avro from 'avsc';
import type { MessageSpec } from '@orderflow/contracts';

/**
 * What the messaging path needs to know about one message type at one schema version. Built from
 * the ownership manifest (`fromSpec`), or by hand for tests and tools.
 */
export interface MessageContract {
  /** CloudEvents type, e.g. `inventory.InventoryReserved`. */
  readonly type: string;
  readonly topic: string;
  /** Registry subject (TopicRecordNameStrategy). */
  readonly subject: string;
  /** Services allowed to emit it. */
  readonly emitters: readonly string[];
  /** The Avro schema this process writes with (producer) or reads with (consumer). */
  readonly schema: avro.Schema;
}

/** The contract of a manifest entry at a version (default: the latest this build knows). */
export function fromSpec(spec: MessageSpec, version: number = spec.version): MessageContract {
  const entry = spec.versions.find((v) => v.version === version);
  if (!entry) throw new Error(`${spec.type} has no schema version ${version}`);
  return {
    type: spec.type,
    topic: spec.topic,
    subject: spec.subject,
    emitters: spec.emitters,
    schema: entry.schema,
  };
}

const types = new WeakMap<MessageContract, avro.Type>();

/** The parsed avsc type of a contract, built once. */
export function avroType(contract: MessageContract): avro.Type {
  let type = types.get(contract);
  if (!type) {
    type = avro.Type.forSchema(contract.schema);
    types.set(contract, type);
  }
  return type;
}
