import type { AvroRecordSchema } from './avro-schema.js';
import { DEFAULT_COMPATIBILITY, type CompatibilityMode } from './compatibility.js';
import { ContractError } from './errors.js';
import { GENERATED_MESSAGES, type MessagePayloads } from './generated/index.js';
import { avroNamespace, ceType, subjectName, type OWNER_SHORT } from './naming.js';
import type { ServiceName } from './services.js';
import { TOPICS, type TopicName } from './topics.js';

/**
 * The ownership manifest: for each topic (whose owner is declared in TOPICS) the message types
 * that travel on it. Events may only be emitted by the topic's owner; commands list their
 * senders explicitly (today the saga sends every command), which is also what broker ACLs will
 * be generated from. Versions and schemas are not retyped here: they come from the .avsc files
 * through the generated module, and `./dev schemas check` proves files and manifest agree.
 */
export interface EventDecl {
  readonly kind: 'event';
  readonly compatibility?: CompatibilityMode;
}
export interface CommandDecl {
  readonly kind: 'command';
  readonly senders: readonly ServiceName[];
  readonly compatibility?: CompatibilityMode;
}
export type MessageDecl = EventDecl | CommandDecl;
/** The shape of MANIFEST: topic → message name → declaration (tools take copies of it). */
export type ManifestDecls = { readonly [topic: string]: Readonly<Record<string, MessageDecl>> };

const SAGA = ['order-saga'] as const;

export const MANIFEST = {
  'orders.events': {
    // FULL_TRANSITIVE: every OrderPlaced version reads every other, so producers and consumers
    // can be upgraded in any order.
    OrderPlaced: { kind: 'event', compatibility: 'FULL_TRANSITIVE' },
    OrderCompleted: { kind: 'event' },
    OrderCancelled: { kind: 'event' },
  },
  'order-saga.events': {
    // Sent by sagas before one record per decision; still read, for records already on the topic.
    SagaStepChanged: { kind: 'event' },
    SagaStepsChanged: { kind: 'event' },
    SagaCompleted: { kind: 'event' },
    SagaCancelled: { kind: 'event' },
    SagaParked: { kind: 'event' },
  },
  'inventory.commands': {
    ReserveInventory: { kind: 'command', senders: SAGA },
    ReleaseInventory: { kind: 'command', senders: SAGA },
    CommitInventory: { kind: 'command', senders: SAGA },
    RestockInventory: { kind: 'command', senders: SAGA },
  },
  'inventory.events': {
    InventoryReserved: { kind: 'event' },
    InventoryReservationRejected: { kind: 'event' },
    InventoryReleased: { kind: 'event' },
    InventoryCommitted: { kind: 'event' },
    InventoryRestocked: { kind: 'event' },
  },
  'payments.commands': {
    ProcessPayment: { kind: 'command', senders: SAGA },
    RefundPayment: { kind: 'command', senders: SAGA },
  },
  'payments.events': {
    PaymentCaptured: { kind: 'event' },
    PaymentDeclined: { kind: 'event' },
    PaymentRefunded: { kind: 'event' },
  },
  'shipping.commands': {
    ScheduleShipment: { kind: 'command', senders: SAGA },
    CancelShipment: { kind: 'command', senders: SAGA },
  },
  'shipping.events': {
    ShipmentScheduled: { kind: 'event' },
    ShipmentRejected: { kind: 'event' },
    ShipmentCancelled: { kind: 'event' },
  },
} as const satisfies { readonly [T in TopicName]: Readonly<Record<string, MessageDecl>> };

type OwnerShortOf<T extends TopicName> = (typeof OWNER_SHORT)[(typeof TOPICS)[T]['owner']];

/** Every message type as its CloudEvents type, e.g. `'inventory.InventoryReserved'`. */
export type MessageType = {
  [T in TopicName]: `${OwnerShortOf<T>}.${keyof (typeof MANIFEST)[T] & string}`;
}[TopicName];

/** The latest payload type of a message type (generated from its .avsc). */
export type MessagePayload<T extends MessageType> = T extends keyof MessagePayloads
  ? MessagePayloads[T]
  : never;

export interface SchemaVersion {
  readonly version: number;
  /** Repo-relative path of the immutable .avsc file. */
  readonly file: string;
  readonly schema: AvroRecordSchema;
}

export interface MessageSpec {
  readonly type: MessageType;
  readonly kind: 'event' | 'command';
  readonly name: string;
  /** Avro full name: `<namespace>.<name>`. */
  readonly fullName: string;
  readonly topic: TopicName;
  readonly owner: ServiceName;
  /** Services allowed to emit it: the topic owner for events, the declared senders for commands. */
  readonly emitters: readonly ServiceName[];
  readonly compatibility: CompatibilityMode;
  /** Registry subject under TopicRecordNameStrategy. */
  readonly subject: string;
  /** Latest version: what producers write and consumers read with. */
  readonly version: number;
  readonly file: string;
  readonly versions: readonly SchemaVersion[];
}

/** A structural check that the generated module has the shape the lookups rely on. */
const generated: Readonly<Record<string, { readonly versions: readonly SchemaVersion[] }>> =
  GENERATED_MESSAGES;

function buildSpecs(): ReadonlyMap<string, MessageSpec> {
  const specs = new Map<string, MessageSpec>();
  for (const topic of Object.keys(MANIFEST) as TopicName[]) {
    const owner = TOPICS[topic].owner;
    for (const [name, decl] of Object.entries(MANIFEST[topic]) as [string, MessageDecl][]) {
      const type = ceType(owner, name) as MessageType;
      const versions = generated[type]?.versions ?? []; // empty only while codegen is stale; `check` reports it
      const latest = versions[versions.length - 1];
      const fullName = `${avroNamespace(owner)}.${name}`;
      specs.set(
        type,
        deepFreeze({
          type,
          kind: decl.kind,
          name,
          fullName,
          topic,
          owner,
          emitters: decl.kind === 'command' ? decl.senders : [owner],
          compatibility: decl.compatibility ?? DEFAULT_COMPATIBILITY,
          subject: subjectName(topic, fullName),
          version: latest?.version ?? 0,
          file: latest?.file ?? '',
          versions,
        }),
      );
    }
  }
  return specs;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const SPECS = buildSpecs();

export const MESSAGE_TYPES = [...SPECS.keys()] as readonly MessageType[];

export function isMessageType(value: string): value is MessageType {
  return SPECS.has(value);
}

export function findMessageSpec(type: string): MessageSpec | undefined {
  return SPECS.get(type);
}

export function messageSpec(type: string): MessageSpec {
  const spec = SPECS.get(type);
  if (!spec) {
    throw new ContractError(
      'UNKNOWN_MESSAGE_TYPE',
      `unknown message type ${type}: it is not in the ownership manifest`,
    );
  }
  return spec;
}

/** The message types that travel on a topic, in manifest order. */
export function messagesOf(topic: TopicName): readonly MessageSpec[] {
  return [...SPECS.values()].filter((s) => s.topic === topic);
}

export function canEmit(service: ServiceName, type: string): boolean {
  return findMessageSpec(type)?.emitters.includes(service) ?? false;
}

/** Throws NOT_OWNER (or UNKNOWN_MESSAGE_TYPE) with a message that says who may emit it instead. */
export function assertCanEmit(service: ServiceName, type: string): MessageSpec {
  const spec = messageSpec(type);
  if (!spec.emitters.includes(service)) {
    throw new ContractError(
      'NOT_OWNER',
      `${service} may not emit ${type}: only ${spec.emitters.join(', ')} may (${spec.kind} on ${spec.topic}, owned by ${spec.owner})`,
    );
  }
  return spec;
}

/** The parsed schema of a message version (latest by default); frozen, so safe to share. */
export function loadSchema(type: string, version?: number): AvroRecordSchema {
  const spec = messageSpec(type);
  const wanted = version ?? spec.version;
  const found = spec.versions.find((v) => v.version === wanted);
  if (!found) {
    throw new ContractError(
      'UNKNOWN_SCHEMA_VERSION',
      `${type} has no v${wanted}; published versions: ${spec.versions.map((v) => v.version).join(', ') || 'none'}`,
    );
  }
  return found.schema;
}

/**
 * The exact text registered for a schema version. Producers must look ids up with this same
 * string, since registries match schemas by content.
 */
export function schemaText(type: string, version?: number): string {
  return JSON.stringify(loadSchema(type, version));
}
