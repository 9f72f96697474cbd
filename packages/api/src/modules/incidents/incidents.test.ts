import { beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, T0, UUID, expectTRPCError, pointersOf, problemOf, useHarness, type Caller } from '../../testing/harness.js';
import type { CreateIncidentInput } from './incidents.schema.js';

const h = useHarness();

beforeEach(async () => {
  for (const slug of ['api', 'db', 'web']) await h.caller.services.create({ slug, name: slug, tier: 'high' });
});

function declare(caller: Caller, incident: Partial<CreateIncidentInput> = {}) {
  return caller.incidents.create({
    title: 'Elevated errors',
    severity: 'sev3',
    serviceSlugs: ['api'],
    message: 'We are looking into it.',
    ...incident,
  });
}

type ListInput = Parameters<Caller['incidents']['list']>[0];

/** Walks every page of the incident list and returns the ids in the order served. */
async function walkIds(caller: Caller, input: Omit<ListInput, 'cursor'>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await caller.incidents.list({ ...input, cursor });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
    if (pages > 100) throw new Error('pagination does not end');
  } while (cursor);
  return { ids, pages };
}

describe('incidents.create', () => {
  it('opens an incident as investigating with its first timeline entry', async () => {
    const incident = await declare(h.caller, { serviceSlugs: ['web', 'api', 'web'], severity: 'sev2' });
    expect(incident).toMatchObject({
      title: 'Elevated errors',
      severity: 'sev2',
      status: 'investigating',
      serviceSlugs: ['api', 'web'],
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      resolvedAt: null,
    });
    expect(incident.updates.map(({ id, ...update }) => ({ ...update, id: UUID.test(id) }))).toEqual([
      { id: true, incidentId: incident.id, status: 'investigating', message: 'We are looking into it.', createdAt: T0.toISOString() },
    ]);
    expect(await h.caller.incidents.get({ id: incident.id })).toEqual(incident);
  });

  it('refuses unknown services with 422 pointing at each, and records nothing', async () => {
    const error = await expectTRPCError(declare(h.caller, { serviceSlugs: ['api', 'ghost', 'db', 'phantom'] }), 'UNPROCESSABLE_CONTENT');
    expect(problemOf(error).errors).toEqual([
      { pointer: '/serviceSlugs/1', detail: 'No service with slug "ghost".' },
      { pointer: '/serviceSlugs/3', detail: 'No service with slug "phantom".' },
    ]);
    expect(error.message).toBe('Unknown services: ghost, phantom.');
    expect((await h.caller.incidents.list({})).items).toEqual([]);
  });

  it('refuses malformed input with BAD_REQUEST pointing at each field', async () => {
    const error = await expectTRPCError(declare(h.caller, { title: '   ', serviceSlugs: [], message: '' }), 'BAD_REQUEST');
    expect(pointersOf(error).sort()).toEqual(['/message', '/serviceSlugs', '/title']);
    const severity = await expectTRPCError(declare(h.caller, { severity: 'sev5' } as never), 'BAD_REQUEST');
    expect(pointersOf(severity)).toEqual(['/severity']);
  });
});

describe('incidents.get', () => {
  it('answers NOT_FOUND for an unknown id and BAD_REQUEST for a malformed one', async () => {
    const error = await expectTRPCError(h.caller.incidents.get({ id: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    expect(problemOf(error).type).toBe('not-found');
    await expectTRPCError(h.caller.incidents.get({ id: 'inc-1' }), 'BAD_REQUEST');
  });
});

describe('incidents.updates.create', () => {
  it('moves the incident along its timeline and stamps resolution', async () => {
    const { id } = await declare(h.caller);
    h.clock.advance(10 * MINUTE);
    const identified = await h.caller.incidents.updates.create({ id, status: 'identified', message: 'Bad deploy.' });
    expect(identified).toMatchObject({ incidentId: id, status: 'identified', message: 'Bad deploy.', createdAt: h.clock.now().toISOString() });
    expect(await h.caller.incidents.get({ id })).toMatchObject({ status: 'identified', updatedAt: h.clock.now().toISOString(), resolvedAt: null });

    h.clock.advance(10 * MINUTE);
    await h.caller.incidents.updates.create({ id, status: 'monitoring', message: 'Rolled back.' });
    h.clock.advance(10 * MINUTE);
    const resolvedAt = h.clock.now().toISOString();
    await h.caller.incidents.updates.create({ id, status: 'resolved', message: 'All clear.' });

    const incident = await h.caller.incidents.get({ id });
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt, updatedAt: resolvedAt, createdAt: T0.toISOString() });
    expect(incident.updates.map((u) => [u.status, u.message])).toEqual([
      ['investigating', 'We are looking into it.'],
      ['identified', 'Bad deploy.'],
      ['monitoring', 'Rolled back.'],
      ['resolved', 'All clear.'],
    ]);
  });

  it('refuses any update to a resolved incident with CONFLICT and leaves it as it was', async () => {
    const { id } = await declare(h.caller);
    h.clock.advance(MINUTE);
    await h.caller.incidents.updates.create({ id, status: 'resolved', message: 'Fixed.' });
    const before = await h.caller.incidents.get({ id });

    h.clock.advance(MINUTE);
    for (const status of ['investigating', 'resolved'] as const) {
      const error = await expectTRPCError(h.caller.incidents.updates.create({ id, status, message: 'Again?' }), 'CONFLICT');
      expect(problemOf(error).type).toBe('conflict');
    }
    expect(await h.caller.incidents.get({ id })).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown incident', async () => {
    await expectTRPCError(
      h.caller.incidents.updates.create({ id: '00000000-0000-4000-8000-000000000000', status: 'identified', message: 'x' }),
      'NOT_FOUND',
    );
  });
});

describe('incidents and service status', () => {
  it.each([
    ['sev1', 'major_outage'],
    ['sev2', 'partial_outage'],
    ['sev3', 'degraded'],
    ['sev4', 'degraded'],
  ] as const)('an open %s incident puts its services in %s until resolved', async (severity, expected) => {
    await h.caller.heartbeats.create({ slug: 'api', status: 'up' });
    await h.caller.heartbeats.create({ slug: 'db', status: 'up' });
    const { id } = await declare(h.caller, { severity, serviceSlugs: ['api'] });
    const api = await h.caller.services.get({ slug: 'api' });
    expect(api.status).toBe(expected);
    expect(api.statusReasons).toContainEqual(expect.objectContaining({ kind: 'incident', ref: id, status: expected }));
    expect((await h.caller.services.get({ slug: 'db' })).status).toBe('operational');

    await h.caller.incidents.updates.create({ id, status: 'monitoring', message: 'Watching.' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe(expected);
    await h.caller.incidents.updates.create({ id, status: 'resolved', message: 'Done.' });
    expect((await h.caller.services.get({ slug: 'api' })).status).toBe('operational');
  });

  it('keeps naming a service after it is deleted', async () => {
    const { id } = await declare(h.caller, { serviceSlugs: ['web', 'api'] });
    await h.caller.services.delete({ slug: 'web' });
    expect((await h.caller.incidents.get({ id })).serviceSlugs).toEqual(['api', 'web']);
    expect((await h.caller.incidents.list({ service: 'web' })).items.map((i) => i.id)).toEqual([id]);
  });
});

describe('incidents.list', () => {
  it('serves newest first and walks every page with no duplicates or gaps, even across equal timestamps', async () => {
    const created: string[] = [];
    // Runs of 4 incidents declared at the same instant, so page boundaries fall inside them.
    for (let i = 0; i < 12; i += 1) {
      h.clock.set(new Date(T0.getTime() + Math.floor(i / 4) * MINUTE));
      created.push((await declare(h.caller, { title: `Incident ${i}` })).id);
    }
    for (const limit of [1, 3, 5, 12]) {
      const { ids, pages } = await walkIds(h.caller, { limit });
      expect([...ids].sort(), `limit ${limit}`).toEqual([...created].sort());
      expect(pages).toBe(Math.ceil(12 / limit));
    }
    const { items } = await h.caller.incidents.list({ limit: 12 });
    const times = items.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items[0]?.createdAt).toBe(new Date(T0.getTime() + 2 * MINUTE).toISOString());
  });

  it('filters by open, exact status, severity and service', async () => {
    const resolved = await declare(h.caller, { severity: 'sev1', serviceSlugs: ['db'] });
    await h.caller.incidents.updates.create({ id: resolved.id, status: 'resolved', message: 'Fixed.' });
    h.clock.advance(MINUTE);
    const identified = await declare(h.caller, { severity: 'sev2', serviceSlugs: ['api', 'db'] });
    await h.caller.incidents.updates.create({ id: identified.id, status: 'identified', message: 'Found it.' });
    h.clock.advance(MINUTE);
    const fresh = await declare(h.caller, { severity: 'sev2', serviceSlugs: ['web'] });

    const ids = async (input: ListInput) => (await h.caller.incidents.list(input)).items.map((i) => i.id);
    expect(await ids({})).toEqual([fresh.id, identified.id, resolved.id]);
    expect(await ids({ status: 'open' })).toEqual([fresh.id, identified.id]);
    expect(await ids({ status: 'resolved' })).toEqual([resolved.id]);
    expect(await ids({ status: 'identified' })).toEqual([identified.id]);
    expect(await ids({ status: 'investigating' })).toEqual([fresh.id]);
    expect(await ids({ severity: 'sev2' })).toEqual([fresh.id, identified.id]);
    expect(await ids({ severity: 'sev4' })).toEqual([]);
    expect(await ids({ service: 'db' })).toEqual([identified.id, resolved.id]);
    expect(await ids({ service: 'db', status: 'open' })).toEqual([identified.id]);
    expect(await ids({ service: 'web', severity: 'sev1' })).toEqual([]);

    const summary = (await h.caller.incidents.list({ service: 'db', status: 'open' })).items[0];
    expect(summary).toMatchObject({ serviceSlugs: ['api', 'db'], status: 'identified', severity: 'sev2' });
    expect(summary).not.toHaveProperty('updates');

    expect(await walkIds(h.caller, { status: 'open', limit: 1 })).toEqual({ ids: [fresh.id, identified.id], pages: 2 });
  });

  it('refuses a cursor it did not issue with 422 on /cursor', async () => {
    const error = await expectTRPCError(h.caller.incidents.list({ cursor: 'bogus' }), 'UNPROCESSABLE_CONTENT');
    expect(pointersOf(error)).toEqual(['/cursor']);
  });
});
