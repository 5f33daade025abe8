import type { ServiceName } from './services.js';

/**
 * The naming conventions of the contracts, defined once: each owning service has a short name
 * that is both the last segment of its Avro namespace and the prefix of its CloudEvents types,
 * so `schemas/inventory-service/InventoryReserved.v1.avsc` is record
 * `orderflow.inventory.InventoryReserved` and travels as `ce_type: inventory.InventoryReserved`.
 */
export const OWNER_SHORT = {
  'order-service': 'orders',
  'order-saga': 'saga',
  'inventory-service': 'inventory',
  'payment-service': 'payments',
  'shipping-service': 'shipping',
} as const satisfies Record<ServiceName, string>;

export type OwnerShort = (typeof OWNER_SHORT)[ServiceName];

const NAMESPACE_ROOT = 'orderflow';

export function avroNamespace(owner: ServiceName): string {
  return `${NAMESPACE_ROOT}.${OWNER_SHORT[owner]}`;
}

/** CloudEvents `ce_type` of a message: `<owner-short>.<RecordName>`. */
export function ceType<S extends ServiceName, N extends string>(
  owner: S,
  name: N,
): `${(typeof OWNER_SHORT)[S]}.${N}` {
  return `${OWNER_SHORT[owner]}.${name}`;
}

/** Registry subject under TopicRecordNameStrategy: `<topic>-<namespace>.<Name>`. */
export function subjectName(topic: string, fullName: string): string {
  return `${topic}-${fullName}`;
}

/** `OrderPlaced.v2.avsc` → { name: 'OrderPlaced', version: 2 }; anything else → undefined. */
const SCHEMA_FILE = /^([A-Z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.avsc$/;

export function parseSchemaFileName(file: string): { name: string; version: number } | undefined {
  const m = SCHEMA_FILE.exec(file);
  return m?.[1] && m[2] ? { name: m[1], version: Number(m[2]) } : undefined;
}

export function schemaFileName(name: string, version: number): string {
  return `${name}.v${version}.avsc`;
}
