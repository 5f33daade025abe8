/**
 * Finds text Postgres cannot store: U+0000 (refused by both `text` and `jsonb`) and unpaired
 * UTF-16 surrogates (refused by `jsonb`; RFC 7493 forbids them in JSON). Valid JSON and valid URL
 * escapes can carry both, so without this check such a string travels to the database and fails
 * there as a 500.
 */
// With the `u` flag a surrogate pair is one code point, so only unpaired halves match the range.
// eslint-disable-next-line no-control-regex -- U+0000 is precisely what this looks for
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

/**
 * The path (`/items/0/sku`, as in validation errors; `''` for the value itself) of the first
 * string or object key in `value` that cannot be stored, or undefined if there is none. The walk
 * is iterative, so a deeply nested body cannot overflow the stack.
 */
export function unstorableTextPath(value: unknown): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({ value: item, path: `${path}/${index}` }));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const itemPath = `${path}/${key}`;
        if (UNSTORABLE.test(key)) return itemPath;
        pending.push({ value: item, path: itemPath });
      }
    }
  }
  return undefined;
}
