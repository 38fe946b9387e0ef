"""Client accounts, engagements, users and memberships: the tenancy the CLI manages.

Every write runs in the tenant context it concerns, so row-level security checks it like any other.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from domain.vocabulary import LEARNING_SCOPES, MEMBER_ROLES, PHASES


class TenancyError(ValueError):
    """A tenant, engagement or member that does not exist or cannot be created as asked."""


@dataclass(frozen=True)
class EngagementRef:
    id: UUID
    client_account_id: UUID
    name: str


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise TenancyError(f"client name {name!r} needs at least one letter or digit")
    return slug


async def create_client(pool: asyncpg.Pool, name: str, client_id: UUID | None = None) -> UUID:
    client_id = client_id or uuid.uuid4()
    try:
        async with tenant_transaction(pool, client_id) as conn:
            return await conn.fetchval(sql("client_insert"), client_id, name.strip(), slugify(name), {})
    except asyncpg.UniqueViolationError:
        raise TenancyError(f"a client account named {name!r} (or with its id or slug) already exists") from None


async def list_clients(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch(sql("client_directory"))


async def find_client(pool: asyncpg.Pool, ref: str) -> UUID:
    """A client account by id, slug or name."""
    for row in await list_clients(pool):
        if ref in (str(row["id"]), row["slug"], row["name"]):
            return row["id"]
    raise TenancyError(f"no client account {ref!r}; `tenant list` shows them")


def approval_policy(auto_approve: list[str], reminder_hours: float) -> dict[str, Any]:
    unknown = sorted(set(auto_approve) - set(PHASES))
    if unknown:
        raise TenancyError(f"unknown phase(s) {', '.join(unknown)}; phases are {', '.join(PHASES)}")
    if reminder_hours <= 0:
        raise TenancyError("the approval reminder interval must be positive")
    return {"auto_approve": [p for p in PHASES if p in auto_approve], "reminder_interval_seconds": reminder_hours * 3600}


async def create_engagement(
    pool: asyncpg.Pool,
    client_id: UUID,
    name: str,
    *,
    description: str | None = None,
    start_date: date | None = None,
    policy: dict[str, Any] | None = None,
    business_goals: dict[str, Any] | None = None,
    learning_scope: str = "client",
) -> UUID:
    """A new engagement; `learning_scope` says where its mapping decisions are learned (engagement,
    client, or global: shared with every client as header -> column pairs only)."""
    if learning_scope not in LEARNING_SCOPES:
        raise TenancyError(f"unknown learning scope {learning_scope!r}; scopes are {', '.join(LEARNING_SCOPES)}")
    engagement_id = uuid.uuid4()
    try:
        # The new engagement's own id is the context, so its audit record passes row-level security.
        async with tenant_transaction(pool, client_id, engagement_id) as conn:
            return await conn.fetchval(
                sql("engagement_insert"), engagement_id, client_id, name.strip(), description, start_date,
                policy or approval_policy([], 24), business_goals or {}, {"learning_scope": learning_scope},
            )
    except asyncpg.UniqueViolationError:
        raise TenancyError(f"this client already has an engagement named {name!r}") from None


async def list_engagements(pool: asyncpg.Pool, client_id: UUID) -> list[dict[str, Any]]:
    """The client's engagements, each with its newest flow (read in that engagement's own context)."""
    async with tenant_transaction(pool, client_id) as conn:
        engagements = await conn.fetch(sql("engagement_list"))
    listed = []
    for row in engagements:
        async with tenant_transaction(pool, client_id, row["id"]) as conn:
            flow = await conn.fetchrow(sql("engagement_latest_flow"))
        empty = dict.fromkeys(("master_flow_id", "flow_status", "current_phase", "awaiting_approval_phase"))
        listed.append({**dict(row), **(dict(flow) if flow else empty)})
    return listed


async def resolve_engagement(pool: asyncpg.Pool, ref: str) -> EngagementRef:
    """An engagement by id, or by `client/engagement-name` (client by slug, name or id)."""
    try:
        engagement_id = UUID(ref)
    except ValueError:
        client_ref, sep, name = ref.partition("/")
        if not sep or not name:
            raise TenancyError(f"engagement {ref!r}: give its id or CLIENT/ENGAGEMENT-NAME") from None
        client_id = await find_client(pool, client_ref)
        async with tenant_transaction(pool, client_id) as conn:
            row = await conn.fetchrow(sql("engagement_by_name"), name)
    else:
        async with pool.acquire() as conn:
            row = await conn.fetchrow(sql("engagement_resolve"), engagement_id)
    if row is None:
        raise TenancyError(f"no engagement {ref!r}")
    return EngagementRef(id=row["id"], client_account_id=row["client_account_id"], name=row["name"])


async def ensure_user(pool: asyncpg.Pool, email: str, display_name: str | None = None) -> UUID:
    email = email.strip()
    if "@" not in email[1:]:
        raise TenancyError(f"{email!r} is not an e-mail address")
    async with pool.acquire() as conn:
        return await conn.fetchval(sql("user_upsert"), email, display_name)


async def add_member(pool: asyncpg.Pool, engagement: EngagementRef, user_id: UUID, role: str) -> None:
    if role not in MEMBER_ROLES:
        raise TenancyError(f"unknown role {role!r}; roles are {', '.join(MEMBER_ROLES)}")
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        await conn.execute(sql("member_upsert"), engagement.client_account_id, engagement.id, user_id, role)


async def find_user(pool: asyncpg.Pool, email: str) -> UUID:
    async with pool.acquire() as conn:
        user_id = await conn.fetchval(sql("user_by_email"), email.strip())
    if user_id is None:
        raise TenancyError(f"no user {email!r}; add one with `engagement add-member`")
    return user_id
