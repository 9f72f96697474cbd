import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, T0, useHarness } from '../../testing/harness.js';

const h = useHarness();

async function addService(slug: string, dependsOn: string[] = []) {
  await h.caller.services.create({ slug, name: `The ${slug}`, tier: 'high', dependsOn });
  await h.caller.heartbeats.create({ slug, status: 'up' });
}

describe('status.get', () => {
  it('is operational and empty for an empty catalogue', async () => {
    expect(await h.caller.status.get()).toEqual({
      indicator: 'operational',
      services: [],
      openIncidents: [],
      generatedAt: T0.toISOString(),
    });
  });

  it('lists every service by slug with its derived status and takes the worst as the indicator', async () => {
    await addService('db');
    await addService('api', ['db']);
    await addService('web', ['api']);
    await addService('mail');
    h.clock.advance(1000);
    await h.caller.heartbeats.create({ slug: 'db', status: 'down' });

    const status = await h.caller.status.get();
    expect(status.indicator).toBe('major_outage');
    expect(status.services).toEqual([
      { slug: 'api', name: 'The api', tier: 'high', status: 'degraded' },
      { slug: 'db', name: 'The db', tier: 'high', status: 'major_outage' },
      { slug: 'mail', name: 'The mail', tier: 'high', status: 'operational' },
      { slug: 'web', name: 'The web', tier: 'high', status: 'operational' },
    ]);
    expect(status.generatedAt).toBe(h.clock.now().toISOString());
  });

  it('names only open incidents, newest first', async () => {
    await addService('api');
    await addService('db');
    const old = await h.caller.incidents.create({ title: 'Old', severity: 'sev3', serviceSlugs: ['db'], message: 'Slow.' });
    h.clock.advance(MINUTE);
    const closed = await h.caller.incidents.create({ title: 'Closed', severity: 'sev1', serviceSlugs: ['db'], message: 'Down.' });
    await h.caller.incidents.updates.create({ id: closed.id, status: 'resolved', message: 'Up.' });
    h.clock.advance(MINUTE);
    const recent = await h.caller.incidents.create({ title: 'Recent', severity: 'sev2', serviceSlugs: ['api'], message: 'Errors.' });

    const status = await h.caller.status.get();
    expect(status.openIncidents.map((i) => [i.title, i.serviceSlugs])).toEqual([
      ['Recent', ['api']],
      ['Old', ['db']],
    ]);
    expect(status.openIncidents.map((i) => i.id)).toEqual([recent.id, old.id]);
    expect(status.indicator).toBe('partial_outage');
  });

  it('says unknown when the fleet has gone silent and nothing is worse', async () => {
    await addService('api');
    await addService('db');
    h.clock.advance(HOUR);
    const status = await h.caller.status.get();
    expect(status.indicator).toBe('unknown');
    expect(status.services.map((s) => s.status)).toEqual(['unknown', 'unknown']);

    await h.caller.heartbeats.create({ slug: 'api', status: 'degraded' });
    expect((await h.caller.status.get()).indicator).toBe('degraded');
  });
});
