import type { ServiceStatus } from '@bastion/api/services/schema';
import { describe, expect, it } from 'vitest';
import { humanizeDetail } from './reasons';
import { bannerText, BUCKET_LOOK, compareByUrgency, SEVERITY_LOOK, STATUS_LOOK } from './status';

const WORST_LAST: ServiceStatus[] = ['operational', 'unknown', 'degraded', 'partial_outage', 'major_outage'];

describe('status colouring', () => {
  it('ranks statuses in the API order, worst last', () => {
    expect(WORST_LAST.map((s) => STATUS_LOOK[s].rank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives every status its own colour for shapes, text and edges, and a label', () => {
    for (const key of ['solid', 'text', 'tint', 'edge', 'label'] as const) {
      expect(new Set(WORST_LAST.map((s) => STATUS_LOOK[s][key])).size).toBe(WORST_LAST.length);
    }
  });

  it('paints outages red and health green', () => {
    expect(STATUS_LOOK.major_outage.solid).toBe('bg-status-major');
    expect(STATUS_LOOK.major_outage.text).toBe('text-status-major-fg');
    expect(STATUS_LOOK.operational.solid).toBe('bg-status-operational');
    expect(BUCKET_LOOK.down.className).toBe('bg-status-major');
    expect(BUCKET_LOOK.missing.label).toBe('No data');
  });

  it('maps incident severities to the statuses the API derives from them', () => {
    expect(SEVERITY_LOOK.sev1.status).toBe('major_outage');
    expect(SEVERITY_LOOK.sev2.status).toBe('partial_outage');
    expect(SEVERITY_LOOK.sev3.status).toBe('degraded');
    expect(SEVERITY_LOOK.sev4.status).toBe('degraded');
  });

  it('sorts the worst status first, then the most critical tier', () => {
    const services = [
      { slug: 'a', status: 'operational' as const, tier: 'critical' as const },
      { slug: 'b', status: 'major_outage' as const, tier: 'low' as const },
      { slug: 'c', status: 'major_outage' as const, tier: 'critical' as const },
      { slug: 'd', status: 'unknown' as const, tier: 'high' as const },
    ];
    expect(services.sort(compareByUrgency).map((s) => s.slug)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('words the banner after the worst status', () => {
    expect(bannerText('operational', 0)).toBe('All systems operational');
    expect(bannerText('major_outage', 1)).toBe('Major outage: 1 service affected');
    expect(bannerText('unknown', 3)).toBe('Unknown: 3 services affected');
  });
});

describe('reason details', () => {
  it('turns ISO timestamps into local times and leaves the rest', () => {
    const text = humanizeDetail('Last heartbeat reported down at 2025-06-01T12:00:00.000Z.');
    expect(text).not.toContain('2025-06-01T');
    expect(text).toMatch(/^Last heartbeat reported down at 01 Jun, \d\d:\d\d\.$/);
  });
});
