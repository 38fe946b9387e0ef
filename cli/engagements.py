"""`engagement create|list|add-member|archive|unarchive`: a client's engagements and their members.

Every value is checked while the command line is parsed (`cli.input_checks`, by the rules of `db.tenancy`), so
a bad one is a usage error and nothing is written; what needs the database (the client, a duplicate name, the
last owner) is refused in one line before anything is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from pydantic import ValidationError
from rich.table import Table

from cli.common import (
    JsonOption,
    console,
    parse_phases,
    print_json,
    run_async,
    session,
)
from cli.input_checks import parsed_date, usage_check
from db import archive, tenancy
from domain.assessment.strategy_rules import GOALS, BusinessGoals
from domain.vocabulary import LEARNING_SCOPES, MEMBER_ROLES
from runtime import engagement_control as control

app = typer.Typer(no_args_is_help=True, help='Engagements of a client and their members.')

_GOALS_TEXT = ", ".join(GOALS)


def _parse_goals(value: str) -> dict[str, int]:
    """`cost_reduction=5,modernisation=2` -> the engagement's business goals, checked."""
    goals: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        goal, sep, level = (part.strip() for part in item.partition("="))
        if not goal or not sep or level not in ("1", "2", "3", "4", "5"):
            raise ValueError(f"{item!r}: write GOAL=LEVEL with a level 1-5, e.g. cost_reduction=5 "
                             f"(goals: {_GOALS_TEXT})")
        goals[goal] = int(level)
    try:
        BusinessGoals.model_validate(goals)
    except ValidationError as exc:
        unknown = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        raise ValueError(f"unknown business goal {', '.join(map(repr, unknown))}; the goals are {_GOALS_TEXT}"
                         if unknown else f"business goals: {exc.errors()[0]['msg']}") from None
    return goals


def _checked_goals(value: str) -> str:
    _parse_goals(value)
    return value


def _checked_phases(value: str) -> str:
    parse_phases(value)
    return value


def _checked_start_date(value: str) -> str:
    return tenancy.checked_start_date(parsed_date(value)).isoformat()


@app.command("create")
@run_async
async def engagement_create(
    client: str = typer.Argument(..., help="Client id, slug or name."),
    name: str = typer.Argument(
        ..., help=f"1-{tenancy.NAME_MAX_CHARS} characters on one line, without '/'.",
        callback=usage_check(lambda value: tenancy.checked_name("engagement name", value, reference=True))),
    start_date: str = typer.Option(
        None, metavar="YYYY-MM-DD", callback=usage_check(_checked_start_date),
        help=f"First wave's start date, at most {tenancy.START_DATE_YEARS} years before or after today."),
    auto_approve: str = typer.Option("", callback=usage_check(_checked_phases),
                                     help="Phases approved without a person: comma list or 'all'."),
    reminder_hours: float = typer.Option(
        tenancy.DEFAULT_REMINDER_HOURS, callback=usage_check(tenancy.checked_reminder_hours),
        help=f"Remind about pending approvals this often: {tenancy.REMINDER_HOURS_MIN:g} to "
             f"{tenancy.REMINDER_HOURS_MAX:g} hours."),
    owner: str = typer.Option(None, "--owner", callback=usage_check(tenancy.checked_email),
                              help="E-mail of the engagement's first owner (may approve); you, if not given."),
    learning_scope: str = typer.Option(
        "client", callback=usage_check(tenancy.checked_learning_scope),
        help=f"Where mapping corrections are learned: {', '.join(LEARNING_SCOPES)} (global: shared as "
             "header -> column pairs with every client)."),
    goals: str = typer.Option("", callback=usage_check(_checked_goals),
                              help=f"Business goals 1-5, e.g. 'cost_reduction=5,modernisation=2' "
                                   f"({_GOALS_TEXT}; 3 is neutral)."),
    as_json: bool = JsonOption,
) -> None:
    """Create an engagement of a client (its administrators and platform administrators may) with its first
    owner, in one step (both or nothing)."""
    async with session(temporal=False) as s:
        client_id = await tenancy.find_client(s.pool, client)
        engagement_id = await tenancy.create_engagement(
            s.pool, client_id, name, start_date=date.fromisoformat(start_date) if start_date else None,
            policy=tenancy.approval_policy(list(parse_phases(auto_approve)), reminder_hours),
            learning_scope=learning_scope, business_goals=_parse_goals(goals), owner=owner or s.me.email)
    if as_json:
        print_json({"id": str(engagement_id), "client_account_id": str(client_id), "name": name})
    else:
        console.print(f"engagement {name}: {engagement_id}", highlight=False, markup=False)


@app.command("list")
@run_async
async def engagement_list(client: str = typer.Argument(..., help="Client id, slug or name."),
                          archived: bool = typer.Option(False, "--archived", help="Archived engagements too."),
                          as_json: bool = JsonOption) -> None:
    """List a client's engagements with their latest flow (archived ones too with --archived)."""
    async with session(temporal=False, read_only=True) as s:
        rows = await tenancy.list_engagements(s.read_pool, await tenancy.find_client(s.read_pool, client),
                                              archived=archived)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "flow status", "phase", "awaiting", *(["archived"] if archived else []))
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["flow_status"] or "-", r["current_phase"] or "-",
                      r["awaiting_approval_phase"] or "-",
                      *([r["archived_at"].date().isoformat() if r["archived_at"] else "-"] if archived else []))
    console.print(table)


@app.command("add-member")
@run_async
async def engagement_add_member(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    email: str = typer.Argument(..., callback=usage_check(tenancy.checked_email)),
    role: str = typer.Option("contributor", callback=usage_check(tenancy.checked_role),
                             help=f"One of {', '.join(MEMBER_ROLES)}."),
    name: str = typer.Option(None, callback=usage_check(lambda value: tenancy.checked_name("display name", value)),
                             help=f"Display name (1-{tenancy.NAME_MAX_CHARS} characters on one line)."),
) -> None:
    """Add a person to an engagement (or change their role); a running engagement learns it at once. The last
    owner cannot be demoted: make someone else owner first."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await tenancy.add_person(s.pool, ref, email, role, name)
        if await control.is_running(s.client, ref):
            await control.signal(s.client, ref, "members_changed")
    console.print(f"{email} is {role} of {ref.name}", highlight=False, markup=False)


@app.command("archive")
@run_async
async def engagement_archive(engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME.")) -> None:
    """Archive a completed engagement now: read-only and out of `engagement list` until `engagement unarchive`
    (the archive schedule does it N days after completion: docs/operations.md, Scheduled maintenance)."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        now = datetime.now(UTC)
        await archive.archive_engagement(s.pool, ref, now, now, explain=True)
    console.print(f"engagement {ref.name} archived", highlight=False, markup=False)


@app.command("unarchive")
@run_async
async def engagement_unarchive(engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME.")) -> None:
    """Restore an archived engagement: listed and writable again."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await archive.unarchive_engagement(s.pool, ref)
    console.print(f"engagement {ref.name} restored", highlight=False, markup=False)
