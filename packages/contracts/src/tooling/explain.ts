import avro from 'avsc';

/**
 * Why a reader schema cannot resolve data of a writer schema, as a structural diff. avsc's
 * resolver is the judge (it throws on the first problem with a terse message such as
 * `no matching field for default-less orderflow.orders.OrderPlaced.channel`); this walk only
 * runs after that verdict and finds *every* offending field, named by its path.
 */
export type Incompatibility =
  | { kind: 'missing-field'; path: string }
  | { kind: 'type-mismatch'; path: string; writer: string; reader: string }
  | { kind: 'enum-symbols'; path: string; enumName: string; symbols: string[] }
  | { kind: 'renamed'; path: string; writer: string; reader: string }
  | { kind: 'unexplained'; path: string; detail: string };

function resolveError(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function explain(reader: avro.Type, writer: avro.Type): Incompatibility[] {
  return new Walk().explain(reader, writer, '');
}

const isUnion = (t: avro.Type): t is avro.types.UnwrappedUnionType | avro.types.WrappedUnionType =>
  t instanceof avro.types.UnwrappedUnionType || t instanceof avro.types.WrappedUnionType;

class Walk {
  /** Record pairs being explained up the stack: recursive schemas must terminate. */
  private readonly open = new Set<string>();
  /** Once a cycle was cut, an empty diff below it is not "unexplained", just reported above. */
  private cutCycle = false;

  explain(reader: avro.Type, writer: avro.Type, path: string): Incompatibility[] {
    const error = resolveError(reader, writer);
    if (error === undefined) return [];
    const found = this.diff(reader, writer, path);
    if (found.length > 0 || (this.cutCycle && path !== '')) return found;
    return [{ kind: 'unexplained', path, detail: error }];
  }

  private diff(reader: avro.Type, writer: avro.Type, path: string): Incompatibility[] {
    if (isUnion(writer)) {
      // Every branch the writer may have used must be readable.
      return writer.types.flatMap((branch) => this.explain(reader, branch, path));
    }
    if (isUnion(reader)) {
      const same = reader.types.find(
        (b) => b.typeName === writer.typeName && b.name === writer.name,
      );
      return same ? this.explain(same, writer, path) : [mismatch(path, writer, reader)];
    }
    if (reader.typeName !== writer.typeName) return [mismatch(path, writer, reader)];
    if (reader.name !== undefined && writer.name !== undefined && !namesMatch(reader, writer)) {
      return [{ kind: 'renamed', path, writer: writer.name, reader: reader.name }];
    }
    if (reader instanceof avro.types.RecordType && writer instanceof avro.types.RecordType) {
      return this.records(reader, writer, path);
    }
    if (reader instanceof avro.types.EnumType && writer instanceof avro.types.EnumType) {
      const symbols = writer.symbols.filter((s) => !reader.symbols.includes(s));
      return [{ kind: 'enum-symbols', path, enumName: shortName(reader.name), symbols }];
    }
    if (reader instanceof avro.types.ArrayType && writer instanceof avro.types.ArrayType) {
      return this.explain(reader.itemsType, writer.itemsType, `${path}[]`);
    }
    if (reader instanceof avro.types.MapType && writer instanceof avro.types.MapType) {
      return this.explain(
        reader.valuesType as avro.Type,
        writer.valuesType as avro.Type,
        `${path}{}`,
      );
    }
    return [mismatch(path, writer, reader)];
  }

  private records(
    reader: avro.types.RecordType,
    writer: avro.types.RecordType,
    path: string,
  ): Incompatibility[] {
    const key = `${reader.name ?? ''}<-${writer.name ?? ''}`;
    if (this.open.has(key)) {
      this.cutCycle = true;
      return [];
    }
    this.open.add(key);
    const found = reader.fields.flatMap((field) => {
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      const names = [field.name, ...field.aliases];
      const source = writer.fields.find((w) => names.includes(w.name));
      if (source) return this.explain(field.type, source.type, fieldPath);
      return field.defaultValue() === undefined
        ? [{ kind: 'missing-field' as const, path: fieldPath }]
        : [];
    });
    this.open.delete(key);
    return found;
  }
}

function namesMatch(reader: avro.Type, writer: avro.Type): boolean {
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');
}

function mismatch(path: string, writer: avro.Type, reader: avro.Type): Incompatibility {
  return { kind: 'type-mismatch', path, writer: render(writer), reader: render(reader) };
}

function shortName(name: string | undefined): string {
  return name?.split('.').pop() ?? '?';
}

/** A compact rendering for messages: `string`, `null | string`, `array<OrderLine>`. */
export function render(type: avro.Type): string {
  if (isUnion(type)) return type.types.map(render).join(' | ');
  if (type instanceof avro.types.ArrayType) return `array<${render(type.itemsType)}>`;
  if (type instanceof avro.types.MapType) return `map<${render(type.valuesType as avro.Type)}>`;
  return type.name ? shortName(type.name) : type.typeName;
}
