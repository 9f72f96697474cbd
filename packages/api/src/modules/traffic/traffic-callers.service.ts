import type { Database } from '@bastion/db';
import { schema } from '@bastion/db';
import { and, gte, inArray, lte } from 'drizzle-orm';
import type { TrafficByCaller } from './traffic.schema.js';

const TOP_CALLERS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Counts = Pick<TrafficByCaller, 'requests' | 'status4xx' | 'status5xx' | 'status429'>;

/**
 * The busiest callers between `from` and `to` (bucket starts), summed over buckets and instances,
 * named from the current API keys and users: a key's name and prefix (never its secret) and
 * whether it has been revoked since, a user's email.
 */
export async function readTopCallers(db: Database, from: Date, to: Date): Promise<TrafficByCaller[]> {
  const t = schema.trafficCallers;
  const rows = await db.select().from(t).where(and(gte(t.bucketStart, from), lte(t.bucketStart, to)));
  const sums = new Map<string, Counts>();
  for (const row of rows) {
    const sum = sums.get(row.caller) ?? { requests: 0, status4xx: 0, status5xx: 0, status429: 0 };
    sum.requests += row.requests;
    sum.status4xx += row.status4xx;
    sum.status5xx += row.status5xx;
    sum.status429 += row.status429;
    sums.set(row.caller, sum);
  }
  const top = [...sums]
    .sort(([a, x], [b, y]) => y.requests - x.requests || a.localeCompare(b))
    .slice(0, TOP_CALLERS)
    .flatMap(([caller, counts]) => {
      const parsed = parseCaller(caller);
      return parsed ? [{ ...parsed, counts }] : [];
    });

  const idsOf = (kind: TrafficByCaller['kind']) => top.filter((c) => c.kind === kind && UUID.test(c.id)).map((c) => c.id);
  const keyIds = idsOf('apiKey');
  const userIds = idsOf('user');
  const keys =
    keyIds.length === 0
      ? []
      : await db
          .select({ id: schema.apiKeys.id, name: schema.apiKeys.name, prefix: schema.apiKeys.prefix, revokedAt: schema.apiKeys.revokedAt })
          .from(schema.apiKeys)
          .where(inArray(schema.apiKeys.id, keyIds));
  const users = userIds.length === 0 ? [] : await db.select({ id: schema.users.id, email: schema.users.email }).from(schema.users).where(inArray(schema.users.id, userIds));
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const emailById = new Map(users.map((u) => [u.id, u.email]));

  return top.map(({ kind, id, counts }) => {
    const key = kind === 'apiKey' ? keyById.get(id) : undefined;
    return {
      kind,
      id,
      name: key?.name ?? (kind === 'user' ? (emailById.get(id) ?? null) : null),
      keyPrefix: key?.prefix ?? null,
      revoked: key?.revokedAt != null,
      ...counts,
    };
  });
}

function parseCaller(caller: string): { kind: TrafficByCaller['kind']; id: string } | undefined {
  const colon = caller.indexOf(':');
  const kind = caller.slice(0, colon);
  const id = caller.slice(colon + 1);
  if (colon < 0 || id === '') return undefined;
  return kind === 'apiKey' || kind === 'user' || kind === 'ip' ? { kind, id } : undefined;
}
