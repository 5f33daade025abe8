import avro from 'avsc';
import {
  messageSpec,
  subjectName,
  type MessagePayload,
  type MessageSpec,
  type MessageType,
} from '@orderflow/contracts';
import { serviceSource } from './envelope.js';
import { MessagingError } from './errors.js';

/**
 * What the messaging path needs to know about one message type at one schema version. Built from
 * the ownership manifest (`fromSpec`), or by hand for tests and tools.
 */
export interface MessageContract<T extends string = string> {
  /** CloudEvents type, e.g. `inventory.InventoryReserved`. */
  readonly type: T;
  readonly topic: string;
  /** Registry subject (TopicRecordNameStrategy). */
  readonly subject: string;
  /** Services allowed to emit it. */
  readonly emitters: readonly string[];
  /** The Avro schema this process writes with (producer) or reads with (consumer). */
  readonly schema: avro.Schema;
}

/** The payload type of a contract's messages: generated from the .avsc for manifest types. */
export type PayloadOf<T extends string> = T extends MessageType ? MessagePayload<T> : unknown;

/** The typed contracts of a role table such as `{ reserve: 'saga.ReserveInventory' }`. */
export type ContractsOf<R extends Readonly<Record<string, MessageType>>> = {
  readonly [K in keyof R]: MessageContract<R[K]>;
};

/** The contract of a manifest entry at a version (default: the latest this build knows). */
export function fromSpec(
  spec: MessageSpec,
  version: number = spec.version,
): MessageContract<MessageType> {
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

/**
 * Throws FORBIDDEN_SOURCE unless `source` (the record's ce_source) is one of the contract's
 * emitters: a consumer takes a type only from the services the manifest lets emit it.
 */
export function assertFromEmitter(contract: MessageContract, source: string): void {
  if (contract.emitters.some((emitter) => serviceSource(emitter) === source)) return;
  throw new MessagingError(
    'FORBIDDEN_SOURCE',
    `${contract.type} from ${JSON.stringify(source.slice(0, 200))} refused: only ${contract.emitters.map(serviceSource).join(', ')} may emit it`,
  );
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

/**
 * The contracts of the roles a service plays, by name (`{ reserve: 'saga.ReserveInventory' }`),
 * from the ownership manifest. `topicFor` moves them onto other topics (the subject follows the
 * topic): integration tests run on private copies so parallel runs never collide.
 */
export function contractsFor<R extends Readonly<Record<string, MessageType>>>(
  roles: R,
  topicFor: (topic: string) => string = (topic) => topic,
): ContractsOf<R> {
  const entries = Object.entries(roles).map(([role, type]) => {
    const spec = messageSpec(type);
    const contract = fromSpec(spec);
    const topic = topicFor(spec.topic);
    return [
      role,
      topic === spec.topic
        ? contract
        : { ...contract, topic, subject: subjectName(topic, spec.fullName) },
    ];
  });
  return Object.fromEntries(entries) as ContractsOf<R>;
}
