"""The right to be forgotten in the database: a person or a client erased by the SECURITY DEFINER functions of
schema 0032 (docs/privacy.md), which a platform administrator's own login calls; the database, not this
module, checks who may."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from db.queries import sql
from db.tenancy import TenancyError, checked_email


class ErasureError(TenancyError):
    """An erasure the database refused: not an administrator, an unknown subject, an engagement left unowned."""


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: rows changed or deleted per table, or when the subject was erased before."""

    rows: dict[str, int] = field(default_factory=dict)
    already_erased_at: datetime | None = None
    people: int = 0                       # a client's people erased with it
    people_rows: dict[str, int] = field(default_factory=dict)
    engagement_ids: tuple[UUID, ...] = ()
    new_owner_of: tuple[str, ...] = ()    # engagements the person alone owned, now the new owner's
    logins_kept: tuple[str, ...] = ()     # logins the platform did not create, for a database administrator


@contextmanager
def _refusals() -> Iterator[None]:
    """The database's refusals as one-line ErasureErrors."""
    try:
        yield
    except (asyncpg.InsufficientPrivilegeError, asyncpg.NoDataFoundError,
            asyncpg.ObjectNotInPrerequisiteStateError) as exc:
        raise ErasureError(str(exc.args[0] if exc.args else exc)) from None


def _erasure(result: Any) -> Erasure:
    data = json.loads(result) if isinstance(result, str) else result
    if "already_erased_at" in data:
        return Erasure(already_erased_at=datetime.fromisoformat(data["already_erased_at"]))
    return Erasure(rows=data.get("rows", {}), people=data.get("people", 0), people_rows=data.get("people_rows", {}),
                   engagement_ids=tuple(UUID(e) for e in data.get("engagements", [])),
                   new_owner_of=tuple(data.get("new_owner_of", [])), logins_kept=tuple(data.get("logins_kept", [])))


async def erase_user(pool: asyncpg.Pool, email: str, new_owner: str | None = None) -> Erasure:
    """Erase the person with `email`; engagements they alone own pass to `new_owner` (else it is refused)."""
    email = checked_email(email)
    new_owner = None if new_owner is None else checked_email(new_owner)
    async with pool.acquire() as conn, conn.transaction():
        with _refusals():
            return _erasure(await conn.fetchval(sql("privacy_erase_user"), email, new_owner))


async def erase_client(pool: asyncpg.Pool, client_id: UUID) -> Erasure:
    """Delete every row of the client and erase its people who work for no other client."""
    async with pool.acquire() as conn, conn.transaction():
        with _refusals():
            return _erasure(await conn.fetchval(sql("privacy_erase_client"), client_id))


async def previous_erasure(pool: asyncpg.Pool, kind: Literal["user", "client"], subject: str) -> Erasure | None:
    """When a person's e-mail (or a client's id, name or slug) was erased last, with the engagements its erasures
    deleted; None if never."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(sql("privacy_erased"), kind, subject)
    if row["erased_at"] is None:
        return None
    return Erasure(already_erased_at=row["erased_at"], engagement_ids=tuple(row["engagement_ids"]))
