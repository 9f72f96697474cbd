import { describe, expect, it } from 'vitest';
import { OpenApiResponseValidator, stringContaining, type ApiResponse } from './test-app.js';

/** The validator is what makes "every response matches the document" mean something: it must say no. */
const validator = new OpenApiResponseValidator(undefined, new Set(['GET /heartbeats/strip 404']));
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

function response(status: number, contentType: string | null, body: unknown): ApiResponse {
  const headers = new Headers(contentType === null ? {} : { 'content-type': contentType });
  return { status, headers, text: body === undefined ? '' : JSON.stringify(body), body };
}

const page = { items: [], nextCursor: null };
const problem = { type: '/problems/not-found', title: 'Not found', status: 404, detail: 'No.', instance: '/api/v1/services/x', requestId: 'r' };

describe('OpenApiResponseValidator', () => {
  it('accepts a response the document promises, with or without a trailing slash', () => {
    expect(validator.check('GET', '/api/v1/services?limit=5', response(200, JSON_TYPE, page))).toEqual([]);
    expect(validator.check('GET', '/api/v1/services/', response(200, JSON_TYPE, page))).toEqual([]);
    expect(validator.check('DELETE', '/api/v1/services/x', response(204, null, undefined))).toEqual([]);
    expect(validator.check('GET', '/api/v1/services/x', response(404, PROBLEM_TYPE, problem))).toEqual([]);
  });

  it('refuses an undocumented status, an undocumented media type, and a body on a 204', () => {
    expect(validator.check('GET', '/api/v1/services', response(201, JSON_TYPE, page))).toEqual([stringContaining('status 201 is not documented')]);
    expect(validator.check('GET', '/api/v1/services', response(200, PROBLEM_TYPE, page))).toEqual([stringContaining('content type')]);
    expect(validator.check('DELETE', '/api/v1/services/x', response(204, JSON_TYPE, {}))).toEqual([stringContaining('without a body')]);
  });

  it('refuses bodies off the schema: extra or missing properties, wrong formats, bad problems', () => {
    expect(validator.check('GET', '/api/v1/services', response(200, JSON_TYPE, { ...page, total: 0 }))).not.toEqual([]);
    expect(validator.check('GET', '/api/v1/services', response(200, JSON_TYPE, { items: [{ slug: 'x' }], nextCursor: null }))).not.toEqual([]);
    const status = { indicator: 'operational', services: [], openIncidents: [], generatedAt: 'yesterday' };
    expect(validator.check('GET', '/api/v1/status', response(200, JSON_TYPE, status))).not.toEqual([]);
    expect(validator.check('GET', '/api/v1/status', response(200, JSON_TYPE, { ...status, generatedAt: '2025-06-01T12:00:00.000Z' }))).toEqual([]);
    expect(validator.check('GET', '/api/v1/services/x', response(404, PROBLEM_TYPE, { type: 1 }))).not.toEqual([]);
  });

  it('requires a problem where no operation answers, and tolerates only the named known gaps', () => {
    expect(validator.check('PUT', '/api/v1/services', response(405, JSON_TYPE, {}))).not.toEqual([]);
    expect(validator.check('PUT', '/api/v1/services', response(405, PROBLEM_TYPE, { ...problem, status: 405 }))).toEqual([]);
    expect(validator.check('GET', '/api/v1/heartbeats/strip', response(404, PROBLEM_TYPE, problem))).toEqual([]);
    expect(validator.check('GET', '/api/v1/services', response(404, PROBLEM_TYPE, problem))).not.toEqual([]);
  });
});
