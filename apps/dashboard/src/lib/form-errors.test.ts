import { createServiceInput } from '@bastion/api/services/schema';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { errorsFor, fieldOf, fromServerError, itemErrors, messageFor, toJsonPointer, validate } from './form-errors';

/** A tRPC client error as the server's errorFormatter shapes it. */
function trpcError(code: string, message: string, errors: { pointer: string; detail: string }[] = []) {
  return TRPCClientError.from({ error: { code: -32600, message, data: { code, httpStatus: 400, errors } } });
}

const SERVICE_FIELDS = ['slug', 'name', 'description', 'owner', 'tier', 'heartbeatIntervalSeconds', 'dependsOn'];

describe('client-side validation with the API schema', () => {
  it('refuses an invalid slug with the pointer the server would use', () => {
    const result = validate(createServiceInput, { slug: 'Bad Slug', name: 'X', tier: 'low' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors.map((e) => e.pointer)).toEqual(['/slug']);
    expect(messageFor(result.errors, 'slug')).toMatch(/lowercase/);
  });

  it('points into arrays like the server does', () => {
    const result = validate(createServiceInput, { slug: 'ok-slug', name: 'X', tier: 'low', dependsOn: ['fine', 'NOT OK'] });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors.map((e) => e.pointer)).toEqual(['/dependsOn/1']);
  });

  it('passes valid input through with the schema defaults applied', () => {
    const result = validate(createServiceInput, { slug: 'billing-api', name: ' Billing ', tier: 'high' });
    expect(result).toEqual({
      success: true,
      data: { slug: 'billing-api', name: 'Billing', description: '', owner: '', tier: 'high', dependsOn: [], heartbeatIntervalSeconds: 60 },
    });
  });
});

describe('server errors mapped to fields', () => {
  it('puts each pointed error on its field', () => {
    const error = trpcError('UNPROCESSABLE_CONTENT', 'cycle', [
      { pointer: '/dependsOn/0', detail: 'Depending on "a" would create a cycle: b → a → b.' },
    ]);
    const mapped = fromServerError(error, { fields: SERVICE_FIELDS, conflictPointer: '/slug' });
    expect(mapped.form).toBeNull();
    expect(errorsFor(mapped.fields, 'dependsOn')).toHaveLength(1);
  });

  it('shows a CONFLICT without pointers on the slug', () => {
    const error = trpcError('CONFLICT', 'A service with slug "auth-api" already exists.');
    const mapped = fromServerError(error, { fields: SERVICE_FIELDS, conflictPointer: '/slug' });
    expect(mapped).toEqual({ fields: [{ pointer: '/slug', detail: 'A service with slug "auth-api" already exists.' }], form: null });
  });

  it('keeps errors on fields the form lacks as the form message instead of dropping them', () => {
    const error = trpcError('UNPROCESSABLE_CONTENT', 'bad cursor', [{ pointer: '/cursor', detail: 'Invalid cursor.' }]);
    expect(fromServerError(error, { fields: SERVICE_FIELDS })).toEqual({ fields: [], form: 'Invalid cursor.' });
  });

  it('says the server could not be reached when there is no tRPC envelope', () => {
    const error = TRPCClientError.from(new TypeError('fetch failed'));
    const mapped = fromServerError(error, { fields: SERVICE_FIELDS });
    expect(mapped.fields).toEqual([]);
    expect(mapped.form).toMatch(/could not be reached/);
  });

  it('uses the message when an error points nowhere', () => {
    const error = trpcError('INTERNAL_SERVER_ERROR', 'Database unavailable');
    expect(fromServerError(error, { fields: SERVICE_FIELDS })).toEqual({ fields: [], form: 'Database unavailable' });
  });
});

describe('pointers', () => {
  it('escapes like RFC 6901 and finds the top-level field back', () => {
    expect(toJsonPointer(['a/b', 0, 'c~d'])).toBe('/a~1b/0/c~0d');
    expect(fieldOf('/a~1b/0')).toBe('a/b');
    expect(fieldOf('')).toBe('');
  });

  it('attributes array errors to the item value they index', () => {
    const errors = [
      { pointer: '/dependsOn/1', detail: 'No service with slug "ghost".' },
      { pointer: '/dependsOn', detail: 'Each dependency may be listed once.' },
    ];
    const byItem = itemErrors(errors, 'dependsOn', ['auth-api', 'ghost']);
    expect(byItem.get('ghost')).toBe('No service with slug "ghost".');
    expect(byItem.get('')).toBe('Each dependency may be listed once.');
    expect(byItem.has('auth-api')).toBe(false);
  });
});
