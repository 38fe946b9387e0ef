"""`engagement create|list|add-member`: a client's engagements and their members."""

from __future__ import annotations

from datetime import datetime

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
from db import tenancy
from domain.assessment.strategy_rules import BusinessGoals
from domain.vocabulary import MEMBER_ROLES
from runtime import engagement_control as control

app = typer.Typer(no_args_is_help=True, help='Engagements of a client and their members.')


def _parse_goals(value: str) -> dict[str, int]:
    """`cost_reduction=5,modernisation=2` -> the engagement's business goals, checked."""
    goals: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        goal, sep, level = item.partition("=")
        if not sep or not level.strip().isdigit():
            raise control.ControlError(f"{item!r}: write GOAL=LEVEL with a level 1-5, e.g. cost_reduction=5")
        goals[goal.strip()] = int(level)
    try:
        BusinessGoals.model_validate(goals)
    except ValidationError as exc:
        raise control.ControlError("business goals: " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'goals'}: {e['msg']}" for e in exc.errors())) from None
    return goals


@app.command("create")
@run_async
async def engagement_create(
    client: str = typer.Argument(..., help="Client id, slug or name."),
    name: str = typer.Argument(...),
    start_date: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="First wave's start date."),
    auto_approve: str = typer.Option("", help="Phases approved without a person: comma list or 'all'."),
    reminder_hours: float = typer.Option(24.0, help="Remind about pending approvals this often."),
    owner: str = typer.Option(None, "--owner", help="E-mail of the engagement owner (may approve)."),
    learning_scope: str = typer.Option(
        "client", help="Where mapping corrections are learned: engagement, client, or global (shared as "
                       "header -> column pairs with every client)."),
    goals: str = typer.Option("", help="Business goals 1-5, e.g. 'cost_reduction=5,modernisation=2' "
                                       "(speed, cost_reduction, modernisation, managed_services; 3 is neutral)."),
    as_json: bool = JsonOption,
) -> None:
    """Create an engagement of a client, optionally with its owner."""
    business_goals = _parse_goals(goals)
    async with session(temporal=False) as s:
        client_id = await tenancy.find_client(s.pool, client)
        policy = tenancy.approval_policy(list(parse_phases(auto_approve)), reminder_hours)
        engagement_id = await tenancy.create_engagement(
            s.pool, client_id, name, start_date=start_date.date() if start_date else None, policy=policy,
            learning_scope=learning_scope, business_goals=business_goals)
        if owner:
            ref = tenancy.EngagementRef(engagement_id, client_id, name)
            await tenancy.add_member(s.pool, ref, await tenancy.ensure_user(s.pool, owner), "owner")
    if as_json:
        print_json({"id": str(engagement_id), "client_account_id": str(client_id), "name": name})
    else:
        console.print(f"engagement {name}: {engagement_id}")


@app.command("list")
@run_async
async def engagement_list(client: str = typer.Argument(..., help="Client id, slug or name."),
                          as_json: bool = JsonOption) -> None:
    """List a client's engagements with their latest flow."""
    async with session(temporal=False) as s:
        rows = await tenancy.list_engagements(s.pool, await tenancy.find_client(s.pool, client))
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "flow status", "phase", "awaiting")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["flow_status"] or "-", r["current_phase"] or "-",
                      r["awaiting_approval_phase"] or "-")
    console.print(table)


@app.command("add-member")
@run_async
async def engagement_add_member(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    email: str = typer.Argument(...),
    role: str = typer.Option("contributor", help=f"One of {', '.join(MEMBER_ROLES)}."),
    name: str = typer.Option(None, help="Display name."),
) -> None:
    """Add a person to an engagement (or change their role); a running engagement learns it at once."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await tenancy.add_member(s.pool, ref, await tenancy.ensure_user(s.pool, email, name), role)
        if await control.is_running(s.client, ref):
            await control.signal(s.client, ref, "members_changed")
    console.print(f"{email} is {role} of {ref.name}")
