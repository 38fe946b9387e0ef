"""Client accounts, engagements, users and memberships: the tenancy the CLI manages.

Every write runs in the tenant context it concerns, so row-level security checks it like any other. Every
value a person gives is checked here before anything is written (the CLI runs the same checks while it parses,
so a bad value is a usage error there):

- names of clients, engagements and people: 1 to NAME_MAX_CHARS characters on one line, no control characters;
  client and engagement names hold no '/', which separates them in a `CLIENT/ENGAGEMENT` reference;
- new e-mail addresses: NAME@DOMAIN (one '@', no spaces, a domain with a dot), stored stripped and lower-case
  (a lookup only strips and lower-cases: people stored under an earlier rule are still found);
- the approval reminder: REMINDER_HOURS_MIN to REMINDER_HOURS_MAX hours;
- an engagement's start date: at most START_DATE_YEARS years before or after today;
- no engagement loses its last owner.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from domain.execution.contracts import ExecutionSettings
from domain.vocabulary import LEARNING_SCOPES, MEMBER_ROLES, PHASES

NAME_MAX_CHARS = 200
REMINDER_HOURS_MIN = 0.25  # 15 minutes: a reminder is a log line, not a poll
REMINDER_HOURS_MAX = 720.0  # 30 days
DEFAULT_REMINDER_HOURS = 24.0
START_DATE_YEARS = 10

# Characters that break a name onto several lines or reorder what is shown around it.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?:{_LABEL}\.)+{_LABEL}")


class TenancyError(ValueError):
    """A tenant, engagement or member that does not exist or cannot be created as asked."""


@dataclass(frozen=True)
class EngagementRef:
    id: UUID
    client_account_id: UUID
    name: str


# ------------------------------------------------------------------------------------------- the rules
def checked_name(kind: str, name: str, *, reference: bool = False) -> str:
    """`name` stripped, or TenancyError saying what the `kind` of name may hold; a `reference` name (of a client
    or an engagement) holds no '/'."""
    text = name.strip()
    if not text:
        raise TenancyError(f"the {kind} is empty: give 1 to {NAME_MAX_CHARS} characters")
    if len(text) > NAME_MAX_CHARS:
        raise TenancyError(f"the {kind} has {len(text)} characters: at most {NAME_MAX_CHARS} are allowed")
    control = next((c for c in text if c in _BIDI_CONTROLS or unicodedata.category(c) in _LINE_CATEGORIES), None)
    if control is not None:
        raise TenancyError(f"the {kind} holds a line break or control character (U+{ord(control):04X}): "
                           "write it on one line, without control characters")
    if reference and "/" in text:
        raise TenancyError(f"the {kind} {text!r} holds a '/', which separates client and engagement in "
                           "CLIENT/ENGAGEMENT: choose a name without it")
    return text


def checked_email(email: str) -> str:
    """`email` stripped and lower-cased, or TenancyError: NAME@DOMAIN, with one '@', no spaces or control
    characters, and a domain of dot-separated labels (letters, digits, '-')."""
    text = email.strip().lower()
    match = _EMAIL.fullmatch(text)
    if match is None or len(match["local"]) > 64 or len(text) > 254:
        raise TenancyError(f"{email!r:.80} is not an e-mail address: write NAME@DOMAIN, e.g. alice@example.com")
    return text


def checked_role(role: str) -> str:
    if role not in MEMBER_ROLES:
        raise TenancyError(f"unknown role {role!r}; roles are {', '.join(MEMBER_ROLES)}")
    return role


def checked_learning_scope(scope: str) -> str:
    if scope not in LEARNING_SCOPES:
        raise TenancyError(f"unknown learning scope {scope!r}; scopes are {', '.join(LEARNING_SCOPES)}")
    return scope


def checked_reminder_hours(hours: float) -> float:
    if not (math.isfinite(hours) and REMINDER_HOURS_MIN <= hours <= REMINDER_HOURS_MAX):
        raise TenancyError(f"the reminder interval is {REMINDER_HOURS_MIN:g} to {REMINDER_HOURS_MAX:g} hours "
                           f"(15 minutes to 30 days), not {hours:g}")
    return hours


def start_date_bounds(today: date) -> tuple[date, date]:
    """The earliest and latest start date an engagement created `today` may have."""
    return _years_after(today, -START_DATE_YEARS), _years_after(today, START_DATE_YEARS)


def checked_start_date(day: date, today: date | None = None) -> date:
    first, last = start_date_bounds(today or date.today())
    if not first <= day <= last:
        raise TenancyError(f"the start date {day.isoformat()} is more than {START_DATE_YEARS} years from today: "
                           f"give one from {first.isoformat()} to {last.isoformat()}")
    return day


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def approval_policy(auto_approve: list[str], reminder_hours: float) -> dict[str, Any]:
    unknown = sorted(set(auto_approve) - set(PHASES))
    if unknown:
        raise TenancyError(f"unknown phase(s) {', '.join(unknown)}; phases are {', '.join(PHASES)}")
    return {"auto_approve": [p for p in PHASES if p in auto_approve],
            "reminder_interval_seconds": checked_reminder_hours(reminder_hours) * 3600}


def stored_reminder_interval(seconds: Any) -> tuple[timedelta, str | None]:
    """The reminder interval of a stored approval policy, and what was wrong with the stored value when it had
    to be replaced: a value written before the bounds existed, or by hand, is held within them (missing or not
    a number: the default), so it can neither overflow a timer nor wake the workflow every second."""
    low, high = REMINDER_HOURS_MIN * 3600, REMINDER_HOURS_MAX * 3600
    if seconds is None:
        return timedelta(hours=DEFAULT_REMINDER_HOURS), None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return timedelta(hours=DEFAULT_REMINDER_HOURS), (
            f"reminder_interval_seconds {seconds!r:.60} is not a number: reminding every {DEFAULT_REMINDER_HOURS:g} h")
    held = min(max(float(seconds), low), high)
    problem = None if held == seconds else (
        f"reminder_interval_seconds {seconds:g} is outside {low:g} to {high:g}: reminding every {held:g} s")
    return timedelta(seconds=held), problem


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise TenancyError(f"client name {name!r} needs at least one letter or digit")
    return slug


# ------------------------------------------------------------------------------------------- clients
def checked_client_name(name: str) -> str:
    """A client's name, stripped: a name (`checked_name`) with a letter or digit for its slug."""
    name = checked_name("client name", name, reference=True)
    slugify(name)
    return name


async def create_client(pool: asyncpg.Pool, name: str, client_id: UUID | None = None) -> UUID:
    name = checked_client_name(name)
    slug = slugify(name)
    client_id = client_id or uuid.uuid4()
    try:
        async with tenant_transaction(pool, client_id) as conn:
            return await conn.fetchval(sql("client_insert"), client_id, name, slug, {})
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


# ------------------------------------------------------------------------------------------- engagements
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
    owner: str | None = None,
    execution: dict[str, Any] | None = None,
) -> UUID:
    """A new engagement and, when an `owner` e-mail is given, its owner's membership, in one transaction: every
    value is checked first, so a refused one leaves nothing behind. `learning_scope` says where its mapping
    decisions are learned (engagement, client, or global: shared with every client as header -> column pairs
    only); `execution` holds its execution settings (domain.execution.contracts.ExecutionSettings)."""
    name = checked_name("engagement name", name, reference=True)
    settings: dict[str, Any] = {"learning_scope": learning_scope}
    if execution is not None:
        settings["execution"] = ExecutionSettings.model_validate(execution).model_dump(mode="json")
    checked_learning_scope(learning_scope)
    if start_date is not None:
        checked_start_date(start_date)
    owner_email = checked_email(owner) if owner is not None else None
    engagement_id = uuid.uuid4()
    try:
        # The new engagement's own id is the context, so its audit record passes row-level security.
        async with tenant_transaction(pool, client_id, engagement_id) as conn:
            await conn.execute(
                sql("engagement_insert"), engagement_id, client_id, name, description, start_date,
                policy or approval_policy([], DEFAULT_REMINDER_HOURS), business_goals or {}, settings,
            )
            if owner_email is not None:
                await _enrol(conn, EngagementRef(engagement_id, client_id, name), owner_email, None, "owner")
    except asyncpg.UniqueViolationError:
        raise TenancyError(f"this client already has an engagement named {name!r}") from None
    return engagement_id


async def list_engagements(pool: asyncpg.Pool, client_id: UUID, *, archived: bool = False) -> list[dict[str, Any]]:
    """The client's engagements (the archived ones too if `archived`), each with its newest flow (read in that
    engagement's own context)."""
    async with tenant_transaction(pool, client_id) as conn:
        engagements = await conn.fetch(sql("engagement_list"), archived)
    listed = []
    for row in engagements:
        async with tenant_transaction(pool, client_id, row["id"]) as conn:
            flow = await conn.fetchrow(sql("engagement_latest_flow"))
        empty = dict.fromkeys(("master_flow_id", "flow_status", "current_phase", "awaiting_approval_phase"))
        listed.append({**dict(row), **(dict(flow) if flow else empty)})
    return listed


async def resolve_engagement(pool: asyncpg.Pool, ref: str) -> EngagementRef:
    """An engagement by id, or by `client/engagement-name` (client by slug, name or id; neither name holds a
    '/', so the first one separates them)."""
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


# ------------------------------------------------------------------------------------------- people
def _checked_person(email: str, display_name: str | None) -> tuple[str, str | None]:
    return checked_email(email), None if display_name is None else checked_name("display name", display_name)


async def ensure_user(pool: asyncpg.Pool, email: str, display_name: str | None = None) -> UUID:
    """A person by e-mail, created on first use (an existing one keeps the display name it has)."""
    email, display_name = _checked_person(email, display_name)
    async with pool.acquire() as conn:
        return await conn.fetchval(sql("user_upsert"), email, display_name)


async def add_member(pool: asyncpg.Pool, engagement: EngagementRef, user_id: UUID, role: str) -> None:
    """Make a user a member of the engagement in `role` (or change their role)."""
    checked_role(role)
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        await _put_member(conn, engagement, user_id, role, str(user_id))


async def add_person(pool: asyncpg.Pool, engagement: EngagementRef, email: str, role: str,
                     display_name: str | None = None) -> UUID:
    """A person by e-mail (created on first use) made a member in `role`, in one transaction: a refused change
    creates no user either."""
    email, display_name = _checked_person(email, display_name)
    checked_role(role)
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        return await _enrol(conn, engagement, email, display_name, role)


async def _enrol(conn: asyncpg.Connection, engagement: EngagementRef, email: str, display_name: str | None,
                 role: str) -> UUID:
    """The person by (checked) e-mail, created on first use, made a member in `role`, in the caller's transaction."""
    user_id = await conn.fetchval(sql("user_upsert"), email, display_name)
    await _put_member(conn, engagement, user_id, role, email)
    return user_id


async def _put_member(conn: asyncpg.Connection, engagement: EngagementRef, user_id: UUID, role: str,
                      who: str) -> None:
    """Upsert a membership, refusing to demote the engagement's last owner (nobody could approve after it)."""
    owners = {row["user_id"] for row in await conn.fetch(sql("engagement_owners_locked"), engagement.id)}
    if role != "owner" and owners == {user_id}:
        raise TenancyError(f"{who} is the only owner of {engagement.name!r}, and an engagement needs one to "
                           "approve: make someone else owner first (`engagement add-member … --role owner`)")
    await conn.execute(sql("member_upsert"), engagement.client_account_id, engagement.id, user_id, role)


async def find_user(pool: asyncpg.Pool, email: str) -> UUID:
    """The person with this e-mail, in any case, as the service role looks them up (tests, benchmarks); people
    stored under an earlier, looser rule (`ops@localhost`) are found too."""
    email = email.strip().lower()
    async with pool.acquire() as conn:
        user_id = await conn.fetchval(sql("user_by_email"), email)
    if user_id is None:
        raise TenancyError(f"no user {email!r:.80}; add one with `engagement add-member`")
    return user_id
