"""FastAPI + uvicorn baseline: the benchmarked endpoints with pydantic models equal to Bastion's zod
schemas (input validated, output validated through ``response_model``) and the same SQL Bastion's
drizzle services send (see store.ts), on asyncpg with a pool of 10 like Bastion's.

Run: DATABASE_URL=postgres://… uvicorn fastapi_app:app --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from datetime import datetime, timedelta, timezone
from typing import List, Literal, Optional

import asyncpg
from fastapi import FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, Extra, conint, constr

Tier = Literal["critical", "high", "medium", "low"]
ServiceStatus = Literal["operational", "unknown", "degraded", "partial_outage", "major_outage"]
HeartbeatStatus = Literal["up", "degraded", "down"]
Severity = Literal["sev1", "sev2", "sev3", "sev4"]
IncidentStatus = Literal["investigating", "identified", "monitoring", "resolved"]
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class StatusReason(BaseModel):
    kind: Literal["incident", "heartbeat", "stale", "dependency"]
    status: ServiceStatus
    detail: str
    ref: Optional[str]


class Uptime(BaseModel):
    h24: Optional[float]
    d7: Optional[float]
    d30: Optional[float]


class Service(BaseModel):
    id: str
    slug: constr(min_length=2, max_length=63, regex=SLUG)
    name: str
    description: str
    owner: str
    tier: Tier
    dependsOn: List[str]
    heartbeatIntervalSeconds: int
    status: ServiceStatus
    statusReasons: List[StatusReason]
    lastHeartbeatAt: Optional[str]
    uptime: Uptime
    createdAt: str
    updatedAt: str


class ServiceList(BaseModel):
    items: List[Service]
    nextCursor: Optional[str]


class HeartbeatIn(BaseModel, extra=Extra.forbid):
    status: HeartbeatStatus
    latencyMs: Optional[conint(ge=0, le=3_600_000, strict=True)] = None
    message: Optional[constr(max_length=1000)] = None
    observedAt: Optional[datetime] = None


class Heartbeat(BaseModel):
    id: str
    serviceSlug: str
    status: HeartbeatStatus
    latencyMs: Optional[int]
    message: Optional[str]
    observedAt: str
    receivedAt: str


class StatusService(BaseModel):
    slug: str
    name: str
    tier: Tier
    status: ServiceStatus


class IncidentSummary(BaseModel):
    id: str
    title: str
    severity: Severity
    status: IncidentStatus
    serviceSlugs: List[str]
    createdAt: str
    updatedAt: str
    resolvedAt: Optional[str]


class StatusSummary(BaseModel):
    indicator: ServiceStatus
    services: List[StatusService]
    openIncidents: List[IncidentSummary]
    generatedAt: str


SQL_SERVICES = 'select "id", "slug", "name", "description", "owner", "tier", "heartbeat_interval_seconds", "created_at", "updated_at" from "services" order by "services"."slug"'
SQL_EDGES = 'select "service_dependencies"."service_id", "services"."slug" from "service_dependencies" inner join "services" on "services"."id" = "service_dependencies"."depends_on_id"'
SQL_LATEST = 'select distinct on ("heartbeats"."service_id") "service_id", "status", "observed_at" from "heartbeats" order by "heartbeats"."service_id", "heartbeats"."observed_at" desc, "heartbeats"."id" desc'
SQL_OPEN_BY_SLUG = 'select "incidents"."id", "incidents"."title", "incidents"."severity", "incident_services"."service_slug" from "incidents" inner join "incident_services" on "incident_services"."incident_id" = "incidents"."id" where "incidents"."status" <> $1'
SQL_UPTIME = 'select "service_id", count(*) filter (where "observed_at" >= $1) as t24, count(*) filter (where "observed_at" >= $2 and "status" = \'up\') as u24, count(*) filter (where "observed_at" >= $3) as t7, count(*) filter (where "observed_at" >= $4 and "status" = \'up\') as u7, count(*) as t30, count(*) filter (where "status" = \'up\') as u30 from "heartbeats" where ("heartbeats"."service_id" = any($5::uuid[]) and "heartbeats"."observed_at" >= $6 and "heartbeats"."observed_at" <= $7) group by "heartbeats"."service_id"'
SQL_SERVICE_ID = 'select "id" from "services" where "services"."slug" = $1'
SQL_INSERT_HEARTBEAT = 'insert into "heartbeats" ("id", "service_id", "status", "latency_ms", "message", "observed_at", "received_at") values (default, $1, $2, $3, $4, $5, $6) returning "id", "service_id", "status", "latency_ms", "message", "observed_at", "received_at"'
SQL_OPEN_INCIDENTS = 'select "id", "title", "severity", "status", "resolved_at", "created_at", "updated_at" from "incidents" where "incidents"."status" <> $1 order by "incidents"."created_at" desc, "incidents"."id" desc limit $2'
SQL_INCIDENT_SLUGS = 'select "incident_id", "service_slug" from "incident_services" where "incident_services"."incident_id" = any($1::uuid[]) order by "incident_services"."service_slug"'

SEVERITY = {"operational": 0, "unknown": 1, "degraded": 2, "partial_outage": 3, "major_outage": 4}
INCIDENT_STATUS = {"sev1": "major_outage", "sev2": "partial_outage", "sev3": "degraded", "sev4": "degraded"}
HEARTBEAT_STATUS = {"down": "major_outage", "degraded": "degraded", "up": "operational"}

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
pool: Optional[asyncpg.Pool] = None


def iso(value: datetime) -> str:
    """JavaScript's Date#toISOString: millisecond precision, UTC, `Z`."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def worst(statuses) -> str:
    result = "operational"
    for status in statuses:
        if SEVERITY[status] > SEVERITY[result]:
            result = status
    return result


def percent(part: int, whole: int) -> Optional[float]:
    return None if whole == 0 else round(part / whole * 10_000) / 100


@app.on_event("startup")
async def startup() -> None:
    global pool
    # JIT off, as asyncpg's FAQ advises: its first query of an enum type on each connection
    # introspects the type, and PostgreSQL's JIT made that ~1.5 s per connection here, which the
    # warm-up did not always absorb (it once left FastAPI's GET at 0.2 req/s).
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=10, max_size=10, server_settings={"jit": "off"})


@app.on_event("shutdown")
async def shutdown() -> None:
    if pool is not None:
        await pool.close()


async def fetch(sql: str, *args):
    assert pool is not None
    return await pool.fetch(sql, *args)


async def load_fleet(now: datetime):
    rows, edges, latest, open_ = await asyncio.gather(
        fetch(SQL_SERVICES), fetch(SQL_EDGES), fetch(SQL_LATEST), fetch(SQL_OPEN_BY_SLUG, "resolved")
    )
    slug_by_id = {r["id"]: r["slug"] for r in rows}
    depends_on: dict = {}
    for e in edges:
        source = slug_by_id.get(e["service_id"])
        if source:
            depends_on.setdefault(source, []).append(e["slug"])
    heartbeat = {h["service_id"]: h for h in latest}
    incidents: dict = {}
    for i in open_:
        incidents.setdefault(i["service_slug"], []).append(i)
    own = {}
    for row in rows:
        reasons = []
        for i in incidents.get(row["slug"], []):
            reasons.append({"kind": "incident", "status": INCIDENT_STATUS[i["severity"]], "detail": f"Open {i['severity']} incident: {i['title']}", "ref": str(i["id"])})
        hb = heartbeat.get(row["id"])
        interval = row["heartbeat_interval_seconds"]
        silent_since = hb["observed_at"] if hb else row["created_at"]
        if (now - silent_since).total_seconds() * 1000 > 3 * interval * 1000:
            detail = f"No heartbeat since {iso(hb['observed_at'])} (expected every {interval}s)." if hb else f"No heartbeat ever reported (expected every {interval}s)."
            reasons.append({"kind": "stale", "status": "unknown", "detail": detail, "ref": None})
        if hb and hb["status"] != "up":
            reasons.append({"kind": "heartbeat", "status": HEARTBEAT_STATUS[hb["status"]], "detail": f"Last heartbeat reported {hb['status']} at {iso(hb['observed_at'])}.", "ref": None})
        own[row["slug"]] = reasons
    members = []
    for row in rows:
        deps = sorted(depends_on.get(row["slug"], []))
        reasons = list(own[row["slug"]])
        for d in deps:
            if worst(r["status"] for r in own.get(d, [])) == "major_outage":
                reasons.append({"kind": "dependency", "status": "degraded", "detail": f"Depends on {d}, which is in a major outage.", "ref": d})
        hb = heartbeat.get(row["id"])
        members.append({"row": row, "dependsOn": deps, "lastHeartbeatAt": hb["observed_at"] if hb else None, "status": worst(r["status"] for r in reasons), "reasons": reasons})
    return members


async def with_uptime(members, now: datetime):
    d1, d7, d30 = now - timedelta(days=1), now - timedelta(days=7), now - timedelta(days=30)
    rows = await fetch(SQL_UPTIME, d1, d1, d7, d7, [m["row"]["id"] for m in members], d30, now)
    uptime = {r["service_id"]: {"h24": percent(r["u24"], r["t24"]), "d7": percent(r["u7"], r["t7"]), "d30": percent(r["u30"], r["t30"])} for r in rows}
    return [
        {
            "id": str(m["row"]["id"]),
            "slug": m["row"]["slug"],
            "name": m["row"]["name"],
            "description": m["row"]["description"],
            "owner": m["row"]["owner"],
            "tier": m["row"]["tier"],
            "dependsOn": m["dependsOn"],
            "heartbeatIntervalSeconds": m["row"]["heartbeat_interval_seconds"],
            "status": m["status"],
            "statusReasons": m["reasons"],
            "lastHeartbeatAt": iso(m["lastHeartbeatAt"]) if m["lastHeartbeatAt"] else None,
            "uptime": uptime.get(m["row"]["id"], {"h24": None, "d7": None, "d30": None}),
            "createdAt": iso(m["row"]["created_at"]),
            "updatedAt": iso(m["row"]["updated_at"]),
        }
        for m in members
    ]


@app.get("/readyz")
async def readyz():
    return {"status": "ready"}


@app.get("/api/v1/services", response_model=ServiceList)
async def list_services(
    status: Optional[ServiceStatus] = None,
    tier: Optional[Tier] = None,
    q: Optional[str] = Query(None, max_length=100),
    limit: int = Query(20, ge=1, le=100),
    cursor: Optional[str] = Query(None, max_length=512),
):
    now = datetime.now(timezone.utc)
    fleet = await load_fleet(now)
    after = None
    if cursor:
        try:
            parsed = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            assert isinstance(parsed, list) and len(parsed) == 1 and isinstance(parsed[0], str)
            after = parsed[0]
        except Exception:
            raise HTTPException(422, "The cursor is not one this API issued.")
    needle = q.strip().lower() if q else None
    matches = [
        m
        for m in fleet
        if (after is None or m["row"]["slug"] > after)
        and (not status or m["status"] == status)
        and (not tier or m["row"]["tier"] == tier)
        and (not needle or any(needle in m["row"][f].lower() for f in ("slug", "name", "owner", "description")))
    ]
    page = matches[:limit]
    next_cursor = None
    if len(matches) > limit and page:
        next_cursor = base64.urlsafe_b64encode(json.dumps([page[-1]["row"]["slug"]]).encode()).decode().rstrip("=")
    return {"items": await with_uptime(page, now), "nextCursor": next_cursor}


@app.post("/api/v1/services/{slug}/heartbeats", response_model=Heartbeat, status_code=201)
async def record_heartbeat(body: HeartbeatIn, slug: str = Path(..., min_length=2, max_length=63, regex=SLUG)):
    received_at = datetime.now(timezone.utc)
    observed_at = body.observedAt or received_at
    if (observed_at - received_at).total_seconds() > 300:
        raise HTTPException(422, "observedAt is in the future.")
    service = await fetch(SQL_SERVICE_ID, slug)
    if not service:
        raise HTTPException(404, f'No service with slug "{slug}".')
    row = (await fetch(SQL_INSERT_HEARTBEAT, service[0]["id"], body.status, body.latencyMs, body.message, observed_at, received_at))[0]
    return {
        "id": str(row["id"]),
        "serviceSlug": slug,
        "status": row["status"],
        "latencyMs": row["latency_ms"],
        "message": row["message"],
        "observedAt": iso(row["observed_at"]),
        "receivedAt": iso(row["received_at"]),
    }


@app.get("/api/v1/status", response_model=StatusSummary)
async def status_summary():
    now = datetime.now(timezone.utc)
    fleet, open_ = await asyncio.gather(load_fleet(now), fetch(SQL_OPEN_INCIDENTS, "resolved", 101))
    page = open_[:100]
    slugs: dict = {}
    if page:
        for r in await fetch(SQL_INCIDENT_SLUGS, [i["id"] for i in page]):
            slugs.setdefault(r["incident_id"], []).append(r["service_slug"])
    services = [{"slug": m["row"]["slug"], "name": m["row"]["name"], "tier": m["row"]["tier"], "status": m["status"]} for m in fleet]
    return {
        "indicator": worst(s["status"] for s in services),
        "services": services,
        "openIncidents": [
            {
                "id": str(i["id"]),
                "title": i["title"],
                "severity": i["severity"],
                "status": i["status"],
                "serviceSlugs": slugs.get(i["id"], []),
                "createdAt": iso(i["created_at"]),
                "updatedAt": iso(i["updated_at"]),
                "resolvedAt": iso(i["resolved_at"]) if i["resolved_at"] else None,
            }
            for i in page
        ],
        "generatedAt": iso(now),
    }
