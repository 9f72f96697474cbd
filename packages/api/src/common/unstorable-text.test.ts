import { describe, expect, it } from 'vitest';
import { nulCharacterPointer } from './unstorable-text.js';

describe('nulCharacterPointer', () => {
  it('points at the first string holding U+0000, however deep', () => {
    expect(nulCharacterPointer('a\u0000')).toBe('');
    expect(nulCharacterPointer({ slug: 'x', name: 'a\u0000b' })).toBe('/name');
    expect(nulCharacterPointer({ items: [{ v: 'ok' }, { v: '\u0000' }] })).toBe('/items/1/v');
    expect(nulCharacterPointer({ 'a/b': { '~': '\u0000' } })).toBe('/a~1b/~0');
  });

  it('finds nothing in clean input of any shape', () => {
    for (const input of [undefined, null, 3, true, 'text', ['a', 'b'], { a: { b: ['c', 1, null] } }, { message: '\\u0000 as escaped text' }]) {
      expect(nulCharacterPointer(input)).toBeUndefined();
    }
  });
});
