import { schema, type Database } from '@bastion/db';
import { eq, inArray } from 'drizzle-orm';
import { conflict, invalidInput, notFound, type FieldError } from '../../common/errors.js';
import { decodeCursor, encodeCursor } from '../../common/pagination.js';
import { loadFleet, loadUptime, type Fleet, type FleetMember, type Uptime } from './fleet.js';
import type {
  CreateServiceInput,
  ListServicesInput,
  Service,
  UpdateServiceInput,
} from './services.schema.js';

interface Deps {
  db: Database;
  now: () => Date;
}

const NO_UPTIME: Uptime = { h24: null, d7: null, d30: null };

/**
 * Each member's answer, built once for the uptime it was built with: the fleet and the uptime are
 * kept while nothing commits, so calls reading the same pages share the objects (three dates
 * written out per service per call was a tenth of a batch of list pages' CPU). Nothing changes an
 * answer after it is built; output parsing and serialisation only read it.
 */
const answerOf = new WeakMap<FleetMember, { uptime: Uptime; service: Service }>();

function toService(member: FleetMember, uptime: Uptime = NO_UPTIME): Service {
  const built = answerOf.get(member);
  if (built?.uptime === uptime) return built.service;
  const service = serviceOf(member, uptime);
  answerOf.set(member, { uptime, service });
  return service;
}

function serviceOf(member: FleetMember, uptime: Uptime): Service {
  const { row } = member;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    owner: row.owner,
    tier: row.tier,
    dependsOn: member.dependsOn,
    heartbeatIntervalSeconds: row.heartbeatIntervalSeconds,
    status: member.derived.status,
    statusReasons: member.derived.reasons,
    lastHeartbeatAt: member.lastHeartbeatAt?.toISOString() ?? null,
    uptime,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function withUptime(db: Database, members: FleetMember[], now: Date): Promise<Service[]> {
  const uptime = await loadUptime(db, members.map((m) => m.row.id), now);
  return members.map((m) => toService(m, uptime.get(m.row.id)));
}

/** Services sorted by slug, filtered on derived status, tier and a free-text query. */
export async function listServices({ db, now }: Deps, input: ListServicesInput) {
  const at = now();
  const fleet = await loadFleet(db, at);
  const after = input.cursor ? decodeCursor(input.cursor, 1)[0] : undefined;
  const q = input.q?.toLowerCase();
  const matches = fleet.members.filter(
    ({ row, derived }) =>
      (after === undefined || row.slug > after) &&
      (!input.status || derived.status === input.status) &&
      (!input.tier || row.tier === input.tier) &&
      (!q || [row.slug, row.name, row.owner, row.description].some((f) => f.toLowerCase().includes(q))),
  );
  const page = matches.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: await withUptime(db, page, at),
    nextCursor: matches.length > input.limit && last ? encodeCursor([last.row.slug]) : null,
  };
}

function memberOrThrow(fleet: Fleet, slug: string): FleetMember {
  const member = fleet.bySlug.get(slug);
  if (!member) throw notFound(`No service with slug "${slug}".`);
  return member;
}

export async function getService({ db, now }: Deps, slug: string): Promise<Service> {
  const at = now();
  const member = memberOrThrow(await loadFleet(db, at), slug);
  const [service] = await withUptime(db, [member], at);
  if (!service) throw notFound(`No service with slug "${slug}".`);
  return service;
}

/**
 * Checks a proposed dependency list for `slug`: every slug exists, and no edge closes a cycle.
 * A cycle is named in full (`a → b → a`) with a pointer to the offending entry.
 */
function checkDependencies(fleet: Fleet, slug: string, dependsOn: readonly string[]): void {
  const errors: FieldError[] = [];
  dependsOn.forEach((dependency, index) => {
    const pointer = `/dependsOn/${index}`;
    if (dependency === slug) {
      errors.push({ pointer, detail: `A service cannot depend on itself (cycle: ${slug} → ${slug}).` });
    } else if (!fleet.bySlug.has(dependency)) {
      errors.push({ pointer, detail: `No service with slug "${dependency}".` });
    } else {
      const path = findPath(fleet, dependency, slug);
      if (path) {
        errors.push({ pointer, detail: `Depending on "${dependency}" would create a cycle: ${[slug, ...path].join(' → ')}.` });
      }
    }
  });
  if (dependsOn.length !== new Set(dependsOn).size) {
    errors.push({ pointer: '/dependsOn', detail: 'Each dependency may be listed once.' });
  }
  if (errors.length > 0) {
    throw invalidInput(errors.map((e) => e.detail).join(' '), errors);
  }
}

/** A dependency path from `from` to `to` following `dependsOn` edges, or null. */
function findPath(fleet: Fleet, from: string, to: string): string[] | null {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    if (current === to) {
      const path: string[] = [];
      for (let step: string | null | undefined = current; step; step = previous.get(step)) path.unshift(step);
      return path;
    }
    for (const next of fleet.bySlug.get(current)?.dependsOn ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return null;
}

async function writeDependencies(tx: Database, fleet: Fleet, serviceId: string, dependsOn: readonly string[]) {
  await tx.delete(schema.serviceDependencies).where(eq(schema.serviceDependencies.serviceId, serviceId));
  const ids = dependsOn.map((slug) => fleet.bySlug.get(slug)?.row.id).filter((id): id is string => !!id);
  if (ids.length > 0) {
    await tx.insert(schema.serviceDependencies).values(ids.map((dependsOnId) => ({ serviceId, dependsOnId })));
  }
}

export async function createService(deps: Deps, input: CreateServiceInput): Promise<Service> {
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const fleet = await loadFleet(tx, at);
    if (fleet.bySlug.has(input.slug)) throw conflict(`A service with slug "${input.slug}" already exists.`);
    checkDependencies(fleet, input.slug, input.dependsOn);
    const [row] = await tx
      .insert(schema.services)
      .values({
        slug: input.slug,
        name: input.name,
        description: input.description,
        owner: input.owner,
        tier: input.tier,
        heartbeatIntervalSeconds: input.heartbeatIntervalSeconds,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing({ target: schema.services.slug })
      .returning({ id: schema.services.id });
    if (!row) throw conflict(`A service with slug "${input.slug}" already exists.`);
    await writeDependencies(tx, fleet, row.id, input.dependsOn);
  });
  return getService(deps, input.slug);
}

export async function updateService(deps: Deps, input: UpdateServiceInput): Promise<Service> {
  const at = deps.now();
  const { slug, dependsOn, ...fields } = input;
  await deps.db.transaction(async (tx) => {
    const fleet = await loadFleet(tx, at);
    const member = memberOrThrow(fleet, slug);
    if (dependsOn) {
      checkDependencies(fleet, slug, dependsOn);
      await writeDependencies(tx, fleet, member.row.id, dependsOn);
    }
    await tx
      .update(schema.services)
      .set({ ...definedOnly(fields), updatedAt: at })
      .where(eq(schema.services.id, member.row.id));
  });
  return getService(deps, slug);
}

/** Deletes a service and its heartbeats; refuses (409) while other services depend on it. */
export async function deleteService(deps: Deps, slug: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const fleet = await loadFleet(tx, deps.now());
    const member = memberOrThrow(fleet, slug);
    const dependents = fleet.dependents.get(slug) ?? [];
    if (dependents.length > 0) {
      throw conflict(`Cannot delete "${slug}": ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it.`);
    }
    await tx.delete(schema.services).where(inArray(schema.services.id, [member.row.id]));
  });
}

/** Every service that depends on `slug`, directly or transitively, nearest first. */
export async function blastRadius({ db, now }: Deps, slug: string) {
  const fleet = await loadFleet(db, now());
  memberOrThrow(fleet, slug);
  const depth = new Map<string, number>([[slug, 0]]);
  const queue = [slug];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const caller of fleet.dependents.get(current) ?? []) {
      if (!depth.has(caller)) {
        depth.set(caller, (depth.get(current) ?? 0) + 1);
        queue.push(caller);
      }
    }
  }
  depth.delete(slug);
  const items = [...depth]
    .map(([callerSlug, d]) => {
      const member = memberOrThrow(fleet, callerSlug);
      return { slug: callerSlug, name: member.row.name, tier: member.row.tier, status: member.derived.status, depth: d };
    })
    .sort((a, b) => a.depth - b.depth || a.slug.localeCompare(b.slug));
  return { items };
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
