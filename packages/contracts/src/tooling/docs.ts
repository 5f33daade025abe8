import type { AvroField, AvroSchema } from '../avro-schema.js';

/**
 * Where a schema lacks a `doc`: every record, enum and field must say what it means, because the
 * .avsc files are the contract other teams read (and the generated types carry the docs along).
 * `path` is the field path of the value being described, '' at the top.
 */
export function missingDocs(schema: AvroSchema, path = ''): string[] {
  if (typeof schema === 'string') return [];
  if (Array.isArray(schema)) return schema.flatMap((branch) => missingDocs(branch, path));
  if (schema.type === 'record') {
    const self = schema.doc ? [] : [`record ${schema.name}`];
    return [
      ...self,
      ...schema.fields.flatMap((f) => fieldDocs(f, path ? `${path}.${f.name}` : f.name)),
    ];
  }
  if (schema.type === 'enum') return schema.doc ? [] : [`enum ${schema.name}`];
  if (schema.type === 'array') return missingDocs(schema.items, `${path}[]`);
  if (schema.type === 'map') return missingDocs(schema.values, `${path}{}`);
  return []; // fixed and logical primitives carry no fields
}

function fieldDocs(field: AvroField, path: string): string[] {
  const self = field.doc ? [] : [`field \`${path}\``];
  return [...self, ...missingDocs(field.type, path)];
}
