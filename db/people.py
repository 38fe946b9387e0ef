"""People and their logins: who acts is the database's answer (`session_user`), never a value a caller sends.

A person's login is a PostgreSQL role of their own, a member of `migration_person`; row-level security gives
it the rights of the person's memberships (schema 0024, ADR 0017). The password reaches the server only as a
SCRAM-SHA-256 verifier, computed here, so no clear password is ever part of a statement.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef, TenancyError, checked_email, checked_name

SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)
LOGIN = re.compile(r"[a-z][a-z0-9_]{0,62}")


class IdentityError(TenancyError):
    """The connection's login is no person of the platform, or a person may not do what was asked."""


@dataclass(frozen=True)
class Person:
    id: UUID
    email: str
    login: str
    platform_admin: bool


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677; ASCII passwords, which
    SASLprep leaves as they are)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return (f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}"
            f"${b64(hashlib.sha256(client_key).digest()).decode()}:{b64(server_key).decode()}")


def new_password() -> str:
    return secrets.token_urlsafe(18)


def checked_login(login: str) -> str:
    """A login name people can be given: a lower-case SQL identifier not reserved for the platform's roles."""
    text = login.strip()
    if not LOGIN.fullmatch(text) or text.startswith("pg_") or "migration" in text:
        raise IdentityError(f"login {login!r:.70} is not allowed: 1 to 63 lower-case letters, digits and _, "
                            "starting with a letter, not with 'pg_', and not holding 'migration'")
    return text


async def whoami(pool: asyncpg.Pool) -> Person:
    """The person this connection's login belongs to; IdentityError if the login is nobody's."""
    async with pool.acquire() as conn:
        login = await conn.fetchval("SELECT session_user::text")
        try:
            row = await conn.fetchrow(sql("person_whoami"))
        except asyncpg.InsufficientPrivilegeError:  # a login outside migration_person (a service role, say)
            row = None
    if row is None or row["id"] is None:
        raise IdentityError(f"the database login {login!r} is not a person of the platform: an "
                            "administrator adds people with `people add`, and each person connects as their own "
                            "login (PGUSER and PGPASSWORD, ~/.pgpass or a service file)")
    return Person(row["id"], row["email"], login, row["platform_admin"])


async def add_person(pool: asyncpg.Pool, email: str, login: str, display_name: str | None = None) -> tuple[UUID, str]:
    """Give a person a login of their own (created with a new password, which is returned: hand it over once).
    Platform and client administrators only."""
    email, login = checked_email(email), checked_login(login)
    display_name = None if display_name is None else checked_name("display name", display_name)
    password = new_password()
    async with pool.acquire() as conn:
        with refused_as_identity_error():
            user_id = await conn.fetchval(sql("person_login_create"), email, display_name, login,
                                          scram_verifier(password))
    return user_id, password


async def put_platform_admin(superuser: asyncpg.Connection, login: str, email: str) -> str:
    """As a superuser: make `login` a platform administrator (created, or given a new password if it exists) and
    the login of the person with `email`; returns the new password, to hand over once."""
    login, password = checked_login(login), new_password()
    exists = await superuser.fetchval(sql("role_exists"), login)
    # Role statements take no parameters: the login is a checked identifier, the verifier a quoted literal.
    await superuser.execute(f'{"ALTER" if exists else "CREATE"} ROLE "{login}" LOGIN '
                            f'PASSWORD $pw${scram_verifier(password)}$pw$')
    await superuser.execute(f'GRANT migration_person, migration_admin TO "{login}"')
    await superuser.execute(sql("platform_admin_user"), email, login)
    return password


async def change_password(pool: asyncpg.Pool) -> str:
    """A new password for the connection's own login; returned once."""
    password = new_password()
    async with pool.acquire() as conn:
        login = await conn.fetchval("SELECT session_user")
        # ALTER ROLE takes no parameters; the login is a checked identifier and the verifier is quoted.
        await conn.execute(f'ALTER ROLE "{checked_login(login)}" PASSWORD $${scram_verifier(password)}$$')
    return password


async def add_client_admin(pool: asyncpg.Pool, client_id: UUID, email: str) -> UUID:
    """Make a person an administrator of a client. Platform administrators only; nobody names themselves."""
    async with tenant_transaction(pool, client_id) as conn:
        with refused_as_identity_error():
            return await conn.fetchval(sql("client_admin_add"), client_id, checked_email(email))


@contextmanager
def refused_as_identity_error() -> Iterator[None]:
    """Turn the database's refusals (privilege, a taken or unfit name) into one-line IdentityErrors."""
    try:
        yield
    except (asyncpg.InsufficientPrivilegeError, asyncpg.DuplicateObjectError,
            asyncpg.InvalidParameterValueError) as exc:
        raise IdentityError(exc.args[0] if exc.args else str(exc)) from None


async def record_request(pool: asyncpg.Pool, engagement: EngagementRef, kind: str, phase: str | None = None, *,
                         payload: dict[str, Any] | None = None, on_behalf_of: UUID | None = None) -> UUID:
    """Write what the acting person asks of the engagement's workflow under their own login, where row-level
    security checks their right to ask it; the workflow acts on the returned id only after verifying it.
    `payload` is what exactly they ask (a comment, a reason, corrections, phases to approve): the workflow acts
    on it, not on what its update repeats. `on_behalf_of` names the person only on a service connection (a
    person's login is always its own)."""
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        try:
            return await conn.fetchval(sql("person_request_insert"), engagement.client_account_id, engagement.id,
                                       kind, phase, payload or {}, on_behalf_of)
        except asyncpg.CheckViolationError:
            raise IdentityError(f"the request to {kind.replace('_', ' ')} is too large to record") from None
        except asyncpg.ForeignKeyViolationError:
            raise IdentityError(f"engagement {engagement.name!r} is not one of client "
                                f"{engagement.client_account_id}") from None
        except asyncpg.InsufficientPrivilegeError:
            raise IdentityError(f"you may not {kind.replace('_', ' ')} in engagement {engagement.name!r}: "
                                "ask one of its owners for a role that may") from None
