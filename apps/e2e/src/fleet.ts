import { api } from './browser.js';

export interface ApiService {
  slug: string;
  name: string;
  status: string;
  tier: string;
  dependsOn: string[];
}

/** Every service the API knows, as REST answers it. */
export async function listServices(): Promise<ApiService[]> {
  return (await api<{ items: ApiService[] }>('GET', '/services?limit=100')).items;
}

/** Creates a service for one test to own, so tests never fight over the seeded fleet. */
export async function createService(slug: string, extra: Partial<ApiService> = {}): Promise<ApiService> {
  return api<ApiService>('POST', '/services', { slug, name: slug, tier: 'high', ...extra });
}

/** Reports a heartbeat the way an external monitor does: plain REST. */
export async function beat(slug: string, status: 'up' | 'degraded' | 'down'): Promise<void> {
  await api('POST', `/services/${slug}/heartbeats`, { status, latencyMs: status === 'down' ? 5000 : 40, message: `e2e ${status}` });
}

/** A slug no earlier run of this suite used (the database is fresh per run, but be safe). */
export function uniqueSlug(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}`;
}
