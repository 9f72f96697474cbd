import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from './services.schema.js';
import { deriveStatuses, ownStatus, worstStatus, type StatusFacts } from './service-status.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

/** A healthy service that reported `up` a second ago, with 60 s heartbeats. */
function facts(slug: string, overrides: Partial<StatusFacts> = {}): StatusFacts {
  return {
    slug,
    createdAt: ago(86_400),
    heartbeatIntervalSeconds: 60,
    dependsOn: [],
    lastHeartbeat: { status: 'up', observedAt: ago(1) },
    openIncidents: [],
    ...overrides,
  };
}

const incident = (severity: StatusFacts['openIncidents'][number]['severity'], id = `inc-${severity}`) => ({
  id,
  title: `Trouble (${severity})`,
  severity,
});

function derive(...fleet: StatusFacts[]) {
  const derived = deriveStatuses(fleet, NOW);
  return (slug: string) => {
    const status = derived.get(slug);
    if (!status) throw new Error(`no status derived for ${slug}`);
    return status;
  };
}

describe('worstStatus', () => {
  it('ranks unknown above operational and below every real problem', () => {
    expect(worstStatus([])).toBe('operational');
    expect(worstStatus(['operational', 'unknown'])).toBe('unknown');
    const problems: ServiceStatus[] = ['degraded', 'partial_outage', 'major_outage'];
    for (const problem of problems) {
      expect(worstStatus(['unknown', problem])).toBe(problem);
      expect(worstStatus([problem, 'unknown'])).toBe(problem);
    }
    expect(worstStatus(['degraded', 'major_outage', 'partial_outage'])).toBe('major_outage');
    expect(worstStatus(['degraded', 'partial_outage'])).toBe('partial_outage');
  });
});

describe('ownStatus', () => {
  it('is operational with no reasons when the last heartbeat is up and recent', () => {
    expect(ownStatus(facts('api'), NOW)).toEqual({ status: 'operational', reasons: [] });
  });

  it.each([
    ['down', 'major_outage'],
    ['degraded', 'degraded'],
  ] as const)('maps a recent %s heartbeat to %s', (heartbeat, expected) => {
    const result = ownStatus(facts('api', { lastHeartbeat: { status: heartbeat, observedAt: ago(10) } }), NOW);
    expect(result.status).toBe(expected);
    expect(result.reasons).toEqual([
      {
        kind: 'heartbeat',
        status: expected,
        detail: `Last heartbeat reported ${heartbeat} at ${ago(10).toISOString()}.`,
        ref: null,
      },
    ]);
  });

  it.each([
    ['sev1', 'major_outage'],
    ['sev2', 'partial_outage'],
    ['sev3', 'degraded'],
    ['sev4', 'degraded'],
  ] as const)('maps an open %s incident to %s, naming the incident', (severity, expected) => {
    const result = ownStatus(facts('api', { openIncidents: [incident(severity, 'i-1')] }), NOW);
    expect(result.status).toBe(expected);
    expect(result.reasons).toEqual([
      { kind: 'incident', status: expected, detail: `Open ${severity} incident: Trouble (${severity})`, ref: 'i-1' },
    ]);
  });

  it('takes the worst of incidents and the last heartbeat, keeping every reason', () => {
    const mild = ownStatus(
      facts('api', {
        openIncidents: [incident('sev4', 'a'), incident('sev2', 'b'), incident('sev3', 'c')],
        lastHeartbeat: { status: 'degraded', observedAt: ago(5) },
      }),
      NOW,
    );
    expect(mild.status).toBe('partial_outage');
    expect(mild.reasons.map((r) => r.kind)).toEqual(['incident', 'incident', 'incident', 'heartbeat']);

    const down = ownStatus(
      facts('api', { openIncidents: [incident('sev3')], lastHeartbeat: { status: 'down', observedAt: ago(5) } }),
      NOW,
    );
    expect(down.status).toBe('major_outage');
  });

  describe('silence', () => {
    const interval = 30;
    const limit = 3 * interval;

    it('is unknown only once the service has been silent for more than three intervals', () => {
      const onTheEdge = facts('api', { heartbeatIntervalSeconds: interval, lastHeartbeat: { status: 'up', observedAt: ago(limit) } });
      expect(ownStatus(onTheEdge, NOW).status).toBe('operational');

      const observedAt = new Date(ago(limit).getTime() - 1);
      const stale = ownStatus(facts('api', { heartbeatIntervalSeconds: interval, lastHeartbeat: { status: 'up', observedAt } }), NOW);
      expect(stale).toEqual({
        status: 'unknown',
        reasons: [
          {
            kind: 'stale',
            status: 'unknown',
            detail: `No heartbeat since ${observedAt.toISOString()} (expected every 30s).`,
            ref: null,
          },
        ],
      });
    });

    it('measures silence from creation when the service never reported', () => {
      const young = facts('api', { lastHeartbeat: null, createdAt: ago(180) });
      expect(ownStatus(young, NOW)).toEqual({ status: 'operational', reasons: [] });

      const old = ownStatus(facts('api', { lastHeartbeat: null, createdAt: ago(181) }), NOW);
      expect(old.status).toBe('unknown');
      expect(old.reasons).toEqual([
        { kind: 'stale', status: 'unknown', detail: 'No heartbeat ever reported (expected every 60s).', ref: null },
      ]);
    });

    it('yields to anything worse than unknown', () => {
      const withIncident = ownStatus(facts('api', { lastHeartbeat: null, createdAt: ago(3600), openIncidents: [incident('sev4')] }), NOW);
      expect(withIncident.status).toBe('degraded');
      expect(withIncident.reasons.map((r) => r.kind).sort()).toEqual(['incident', 'stale']);

      const withSev2 = ownStatus(facts('api', { lastHeartbeat: null, createdAt: ago(3600), openIncidents: [incident('sev2')] }), NOW);
      expect(withSev2.status).toBe('partial_outage');
    });

    it('lets silence replace the last heartbeat’s verdict: only an incident says worse than unknown', () => {
      const downThenSilent = ownStatus(facts('api', { lastHeartbeat: { status: 'down', observedAt: ago(3600) } }), NOW);
      expect(downThenSilent.status).toBe('unknown');
      expect(downThenSilent.reasons.map((r) => r.kind)).toEqual(['stale']);

      const degradedThenSilent = ownStatus(facts('api', { lastHeartbeat: { status: 'degraded', observedAt: ago(3600) } }), NOW);
      expect(degradedThenSilent.status).toBe('unknown');

      const upThenSilent = ownStatus(facts('api', { lastHeartbeat: { status: 'up', observedAt: ago(3600) } }), NOW);
      expect(upThenSilent.status).toBe('unknown');
      expect(upThenSilent.reasons.map((r) => r.kind)).toEqual(['stale']);
    });

    it('does not count a heartbeat observed slightly in the future as silence', () => {
      const ahead = ownStatus(facts('api', { lastHeartbeat: { status: 'up', observedAt: ago(-120) } }), NOW);
      expect(ahead.status).toBe('operational');
    });
  });
});

describe('deriveStatuses', () => {
  it('makes a caller of a service in major outage at least degraded, saying which dependency', () => {
    const status = derive(
      facts('db', { lastHeartbeat: { status: 'down', observedAt: ago(5) } }),
      facts('api', { dependsOn: ['db'] }),
    );
    expect(status('db').status).toBe('major_outage');
    expect(status('api')).toEqual({
      status: 'degraded',
      reasons: [
        { kind: 'dependency', status: 'degraded', detail: 'Depends on db, which is in a major outage.', ref: 'db' },
      ],
    });
  });

  it('propagates a major outage caused by an incident as well as by a heartbeat', () => {
    const status = derive(facts('db', { openIncidents: [incident('sev1')] }), facts('api', { dependsOn: ['db'] }));
    expect(status('api').status).toBe('degraded');
  });

  it('does not propagate anything short of a major outage', () => {
    const status = derive(
      facts('partial', { openIncidents: [incident('sev2')] }),
      facts('slow', { lastHeartbeat: { status: 'degraded', observedAt: ago(5) } }),
      facts('silent', { lastHeartbeat: null }),
      facts('api', { dependsOn: ['partial', 'slow', 'silent'] }),
    );
    expect(status('silent').status).toBe('unknown');
    expect(status('api')).toEqual({ status: 'operational', reasons: [] });
  });

  it('stops after one hop: a caller of a merely degraded caller stays operational', () => {
    const status = derive(
      facts('web', { dependsOn: ['api'] }),
      facts('api', { dependsOn: ['db'] }),
      facts('db', { lastHeartbeat: { status: 'down', observedAt: ago(5) } }),
    );
    expect(status('db').status).toBe('major_outage');
    expect(status('api').status).toBe('degraded');
    expect(status('web')).toEqual({ status: 'operational', reasons: [] });
  });

  it('never improves a caller’s own status and lists one reason per failing dependency', () => {
    const status = derive(
      facts('db', { lastHeartbeat: { status: 'down', observedAt: ago(5) } }),
      facts('cache', { openIncidents: [incident('sev1')] }),
      facts('api', { dependsOn: ['cache', 'db'], openIncidents: [incident('sev2', 'mine')] }),
    );
    expect(status('api').status).toBe('partial_outage');
    expect(status('api').reasons.map((r) => [r.kind, r.ref])).toEqual([
      ['incident', 'mine'],
      ['dependency', 'cache'],
      ['dependency', 'db'],
    ]);
  });

  it('lifts a silent caller of a failing dependency from unknown to degraded', () => {
    const status = derive(
      facts('db', { lastHeartbeat: { status: 'down', observedAt: ago(5) } }),
      facts('api', { dependsOn: ['db'], lastHeartbeat: null }),
    );
    expect(status('api').status).toBe('degraded');
    expect(status('api').reasons.map((r) => r.kind)).toEqual(['stale', 'dependency']);
  });

  it('ignores dependencies missing from the fleet', () => {
    const status = derive(facts('api', { dependsOn: ['ghost'] }));
    expect(status('api').status).toBe('operational');
  });
});
