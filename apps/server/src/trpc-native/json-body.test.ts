import { describe, expect, it } from 'vitest';
import { jsonArrayBody } from './json-body.js';

const text = (body: string | Buffer) => (typeof body === 'string' ? body : body.toString('utf8'));

describe('jsonArrayBody', () => {
  it('writes a small batch as one string, the text JSON.stringify gives', () => {
    const values = [{ result: { data: { a: 1 } } }, { error: { message: 'é → ✓' } }, undefined, null];
    const body = jsonArrayBody(values);
    expect(typeof body).toBe('string');
    expect(body).toBe(JSON.stringify(values));
    expect(jsonArrayBody([])).toBe('[]');
  });

  it('writes a large batch as bytes, answer by answer, with the same text', () => {
    const page = { items: Array.from({ length: 400 }, (_, i) => ({ slug: `svc-${i}`, note: 'naïve — ünïcødé 🚀', n: i })) };
    const values = Array.from({ length: 10 }, () => ({ result: { data: page } }));
    const body = jsonArrayBody(values);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(text(body)).toBe(JSON.stringify(values));
    expect(JSON.parse(text(body))).toEqual(values);
  });
});
