import { describe, expect, it } from '@jest/globals';
import { unstorableTextPath } from '../src/storable-text.js';

describe('unstorableTextPath', () => {
  it('finds nothing in ordinary values, including characters outside the BMP', () => {
    expect(unstorableTextPath(undefined)).toBeUndefined();
    expect(unstorableTextPath(null)).toBeUndefined();
    expect(unstorableTextPath(42)).toBeUndefined();
    expect(unstorableTextPath({ a: ['x', { b: 'café 😀', c: true }] })).toBeUndefined();
  });

  it('names the first string with U+0000 or an unpaired surrogate', () => {
    expect(unstorableTextPath('a\u0000b')).toBe('');
    expect(unstorableTextPath({ items: [{ sku: 'ok' }, { sku: 'x\ud800' }] })).toBe('/items/1/sku');
    expect(unstorableTextPath({ a: '\udc00 trailing half' })).toBe('/a');
    expect(unstorableTextPath({ 'bad\u0000key': 1 })).toBe('/bad\u0000key');
  });

  it('walks deeply nested values without overflowing the stack', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(unstorableTextPath(deep)).toBe('/0'.repeat(200_000));
  });
});
