import { describe, expect, it } from 'vitest';
import { actorLabel, formatLimit, groupTargets, localDateTimeToIso } from './controls-model';

describe('groupTargets', () => {
  it('folds nested routers and procedures under their module, keeping module order', () => {
    expect(groupTargets(['heartbeats', 'heartbeats.report', 'incidents', 'incidents.updates.create', 'incidents.list', 'incidents.updates'])).toEqual([
      { module: 'heartbeats', children: ['heartbeats.report'] },
      { module: 'incidents', children: ['incidents.list', 'incidents.updates', 'incidents.updates.create'] },
    ]);
  });

  it('gives a procedure a group even when its module is not listed', () => {
    expect(groupTargets(['services.list'])).toEqual([{ module: 'services', children: ['services.list'] }]);
  });
});

describe('actorLabel', () => {
  it('names users by email, keys as keys, and nobody as a dash', () => {
    expect(actorLabel({ kind: 'user', id: 'u1', label: 'admin@demo.bastion' })).toBe('admin@demo.bastion');
    expect(actorLabel({ kind: 'apiKey', id: 'k1', label: 'ci' })).toBe('key ci');
    expect(actorLabel({ kind: 'anonymous', id: null, label: null })).toBe('anonymous');
    expect(actorLabel(null)).toBe('—');
  });
});

describe('formatLimit', () => {
  it('says unlimited for 0', () => {
    expect(formatLimit(0)).toBe('unlimited');
    expect(formatLimit(1200)).toBe('1,200/min');
  });
});

describe('localDateTimeToIso', () => {
  it('turns a local date-time into an ISO instant, empty into nothing, and passes garbage on for the schema to refuse', () => {
    expect(localDateTimeToIso('')).toBeUndefined();
    expect(localDateTimeToIso('2030-01-02T03:04')).toBe(new Date('2030-01-02T03:04').toISOString());
    expect(localDateTimeToIso('nope')).toBe('nope');
  });
});
