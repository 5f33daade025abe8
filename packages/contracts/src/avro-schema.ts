/**
 * The JSON shape of the Avro schemas this repo writes (a subset of the spec: no protocols).
 * Kept here rather than borrowed from avsc's typings so generated code and `loadSchema` callers
 * see field names and docs precisely; it is assignable to avsc's `Schema` for `Type.forSchema`
 * (hence mutable arrays: the embedded copies are frozen at run time instead).
 */
export type AvroPrimitive =
  'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: unknown;
  readonly aliases?: string[];
  readonly order?: 'ascending' | 'descending' | 'ignore';
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly aliases?: string[];
  readonly fields: AvroField[];
}

export interface AvroEnumSchema {
  readonly type: 'enum';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly aliases?: string[];
  readonly symbols: string[];
  readonly default?: string;
}

export interface AvroArraySchema {
  readonly type: 'array';
  readonly items: AvroSchema;
}

export interface AvroMapSchema {
  readonly type: 'map';
  readonly values: AvroSchema;
}

export interface AvroFixedSchema {
  readonly type: 'fixed';
  readonly name: string;
  readonly namespace?: string;
  readonly size: number;
}

/** A primitive carrying a logical type, e.g. `{ "type": "long", "logicalType": "timestamp-millis" }`. */
export interface AvroLogicalSchema {
  readonly type: AvroPrimitive;
  readonly logicalType: string;
  readonly [param: string]: unknown;
}

/** Anything but a union: unions cannot nest directly in Avro. */
export type AvroSingleSchema =
  | string // a primitive name, or a reference to a named type defined earlier in the schema
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroFixedSchema
  | AvroLogicalSchema;

/** A schema, where an array is a union of its branches. */
export type AvroSchema = AvroSingleSchema | AvroSingleSchema[];
