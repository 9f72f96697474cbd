import { randomUUID } from 'node:crypto';
import { schema, type DatabaseHandle } from '@bastion/db';
import { openTestDatabase } from '@bastion/db/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ControlsSettings } from '../app.js';
import { seedCredentials, type TestCredentials } from '../testing/credentials.js';
import { TEST_HARDENING } from '../testing/test-app.js';

/**
 * A burst of wrong passwords sent all at once, for one account from one address: no more than the
 * budget (5) may reach the password check, however the requests interleave — and with Redis, however
 * they are spread over instances.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const BUDGET = 5;
const BURST = 12;

let database: DatabaseHandle;
let creds: TestCredentials;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  creds = await seedCredentials(database.db);
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await database.close();
});

async function instance(controls: ControlsSettings = {}): Promise<FastifyInstance> {
  const app = await buildApp({ database, hardening: TEST_HARDENING, logger: false, controls });
  apps.push(app);
  return app;
}

type Face = 'token' | 'session';

function attempt(app: FastifyInstance, face: Face, username: string, password: string, remoteAddress: string) {
  return face === 'token'
    ? app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        remoteAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      })
    : app.inject({ method: 'POST', url: '/api/v1/auth/session', remoteAddress, payload: { email: username, password } });
}

/** The answer to a password that was checked and found wrong, per face. */
const CHECKED_WRONG: Record<Face, number> = { token: 400, session: 401 };

function tally(face: Face, responses: LightMyRequestResponse[]) {
  const checked = responses.filter((r) => r.statusCode === CHECKED_WRONG[face]);
  const refused = responses.filter((r) => r.statusCode === 429);
  expect(checked.length + refused.length, responses.map((r) => r.body).join('\n')).toBe(responses.length);
  for (const r of refused) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  return { checked: checked.length, refused: refused.length };
}

/** Audit rows of password checks that ran and failed for `username` (throttled ones say so). */
async function checkedFailures(username: string) {
  const rows = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.target, username));
  return rows.filter((r) => r.result !== 'success' && (r.detail as { reason?: string } | null)?.reason === 'invalid').length;
}

describe.each<Face>(['token', 'session'])('a parallel burst on POST /api/v1/auth/%s', (face) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await instance();
  });

  it(`lets at most ${BUDGET} wrong passwords reach the check; the rest get 429 with Retry-After`, async () => {
    const ip = `198.51.100.${face === 'token' ? 1 : 2}`;
    const responses = await Promise.all(Array.from({ length: BURST }, () => attempt(app, face, creds.users.operator.email, 'wrong-password!', ip)));
    expect(tally(face, responses)).toEqual({ checked: BUDGET, refused: BURST - BUDGET });
    // Even the right password waits out the window now.
    expect((await attempt(app, face, creds.users.operator.email, creds.users.operator.password, ip)).statusCode).toBe(429);
  });

  it('answers an unknown account exactly like a known one', async () => {
    const ip = `198.51.100.${face === 'token' ? 3 : 4}`;
    const known = await Promise.all(Array.from({ length: BURST }, () => attempt(app, face, creds.users.viewer.email, 'wrong-password!', ip)));
    const unknown = await Promise.all(Array.from({ length: BURST }, () => attempt(app, face, 'nobody@bastion.test', 'wrong-password!', ip)));
    expect(tally(face, unknown)).toEqual(tally(face, known));
    const bodies = (rs: LightMyRequestResponse[]) => [...new Set(rs.map((r) => r.body.replace(/"requestId":"[^"]*"/, '').replace(/\d+ s\./, 'N s.')))].sort();
    expect(bodies(unknown)).toEqual(bodies(known));
  });

  it('a successful sign-in gives the budget back', async () => {
    const ip = `198.51.100.${face === 'token' ? 5 : 6}`;
    for (let i = 0; i < BUDGET - 1; i++) await attempt(app, face, creds.users.admin.email, 'wrong-password!', ip);
    expect((await attempt(app, face, creds.users.admin.email, creds.users.admin.password, ip)).statusCode).toBe(200);
    const after = await Promise.all(Array.from({ length: BUDGET }, () => attempt(app, face, creds.users.admin.email, 'wrong-password!', ip)));
    expect(tally(face, after)).toEqual({ checked: BUDGET, refused: 0 });
  });
});

describe('with Redis, two instances', () => {
  it(`share one budget: a burst spread over both reaches the check at most ${BUDGET} times`, async () => {
    const settings = { redisUrl: REDIS_URL, redisPrefix: `bastion-test-${randomUUID()}:` };
    const [a, b] = [await instance(settings), await instance(settings)];
    const username = `ghost-${randomUUID()}@bastion.test`;
    const responses = await Promise.all(
      Array.from({ length: BURST }, (_, i) => attempt(i % 2 === 0 ? a : b, 'token', username, 'wrong-password!', '198.51.100.9')),
    );
    expect(tally('token', responses)).toEqual({ checked: BUDGET, refused: BURST - BUDGET });
    expect(await checkedFailures(username)).toBe(BUDGET);
  });
});
