"""The starter CLI: manage the embedded stack and the database, launch and steer engagements."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import typer
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.table import Table
from temporalio.client import Client
from temporalio.service import RPCError
from xlsxwriter.exceptions import XlsxWriterException

from db import import_review, tenancy
from db.bootstrap import bootstrap
from db.conflict_review import ConflictReviewError, list_conflicts, resolve_conflict
from db.import_files import ImportFileError
from db.migrator import MigrationError, discover, migrate
from db.plan_review import PlanImportError, export_plan, import_plan
from db.pool import create_pool, tenant_transaction
from db.queries import sql
from db.strategy_overrides import StrategyOverrideError, override_strategy
from domain.assessment.strategy_rules import BusinessGoals
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.readers import InputFileError
from domain.flow_contracts import MappingCorrection, MappingReviewStatus, MasterStatus
from domain.status_highlights import phase_highlights
from domain.vocabulary import MEMBER_ROLES, PHASES, SIX_R_STRATEGIES, TEST_TENANT_1
from reports.engagement_report import write_report
from runtime import engagement_control as control
from runtime.devstack import Endpoints, ensure_database, ensure_stack, stack_status, stop_stack
from runtime.embedded_postgres import EmbeddedPostgresError
from runtime.embedded_temporal import EmbeddedTemporalError
from runtime.logging import configure_logging
from runtime.settings import get_settings
from runtime.temporal_client import connect_client, ensure_search_attributes

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
dev_app = typer.Typer(no_args_is_help=True, help="Embedded PostgreSQL and Temporal dev server.")
db_app = typer.Typer(no_args_is_help=True, help="Database bootstrap and schema migrations.")
tenant_app = typer.Typer(no_args_is_help=True, help="Client accounts (tenants).")
engagement_app = typer.Typer(no_args_is_help=True, help="Engagements of a client and their members.")
mappings_app = typer.Typer(no_args_is_help=True, help="Review how the columns of an import map onto asset fields.")
imports_app = typer.Typer(no_args_is_help=True, help="The files of an engagement's import and their quarantine.")
strategy_app = typer.Typer(no_args_is_help=True, help="A person's 6R decisions, kept through re-runs.")
plan_app = typer.Typer(no_args_is_help=True, help="The wave plan: export it, edit it, import it back.")
assets_app = typer.Typer(no_args_is_help=True, help="The inventory's assets, as a person checks them.")
conflicts_app = typer.Typer(no_args_is_help=True, help="Values imports disagreed about: review and settle them.")
app.add_typer(dev_app, name="dev")
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(engagement_app, name="engagement")
app.add_typer(mappings_app, name="mappings")
app.add_typer(imports_app, name="imports")
app.add_typer(strategy_app, name="strategy")
app.add_typer(plan_app, name="plan")
app.add_typer(assets_app, name="assets")
app.add_typer(conflicts_app, name="conflicts")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug and keeps its trace.
USER_ERRORS: tuple[type[BaseException], ...] = (
    EmbeddedPostgresError,
    EmbeddedTemporalError,
    MigrationError,
    control.ControlError,
    tenancy.TenancyError,
    ImportFileError,
    InputFileError,
    StrategyOverrideError,
    ConflictReviewError,
    PlanImportError,
    XlsxWriterException,
    asyncpg.PostgresError,
    RPCError,
    ValueError,
    LookupError,
    OSError,
)
SAMPLE_INVENTORY = Path(__file__).resolve().parent / "samples" / "demo_inventory.csv"
UserOption = typer.Option(..., "--user", envvar="MIGRATION_USER", help="Your e-mail (a member of the engagement).")
JsonOption = typer.Option(False, "--json", help="Machine-readable output.")

T = TypeVar("T")


def run_async(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Run an async command; report user errors as one clear line and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def _configure() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


@dev_app.command("up")
@run_async
async def dev_up(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Start (or reuse) the embedded services, migrate the database, print the addresses."""
    endpoints = await ensure_stack(get_settings())
    info = {
        "database": _redact(endpoints.database_url),
        "temporal": endpoints.temporal_address,
        "namespace": endpoints.temporal_namespace,
        "ui": endpoints.ui_url,
    }
    if as_json:
        print(json.dumps(info))
        return
    for key, value in info.items():
        console.print(f"[bold]{key:>9}[/]  {value or '(external)'}")
    if endpoints.ui_url:
        console.print(f"\nTemporal Web UI: [link={endpoints.ui_url}]{endpoints.ui_url}[/link]")


@dev_app.command("down")
def dev_down() -> None:
    """Stop the embedded services (data stays under the data directory)."""
    try:
        stopped = stop_stack(get_settings())
    except USER_ERRORS as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for name, was_running in stopped.items():
        console.print(f"{name}: {'stopped' if was_running else 'was not running'}")


@dev_app.command("status")
def dev_status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show whether the embedded services run, and where."""
    pg, temporal = stack_status(get_settings())
    rows = {
        "postgres": None if pg is None else {"running": pg.running, "port": pg.port, "pid": pg.pid},
        "temporal": None
        if temporal is None
        else {"running": temporal.running, "address": temporal.address, "ui": temporal.ui_url, "pid": temporal.pid},
    }
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("service", "state", "where")
    for name, row in rows.items():
        if row is None:
            table.add_row(name, "external", "configured by environment")
        else:
            where = row.get("ui") or row.get("address") or f"127.0.0.1:{row['port']}"
            table.add_row(name, "[green]running[/]" if row["running"] else "[red]stopped[/]", str(where))
    console.print(table)


@db_app.command("migrate")
@run_async
async def db_migrate() -> None:
    """Apply pending schema migrations with DATABASE_OWNER_URL (or the embedded database)."""
    settings = get_settings()
    if settings.database_url and not settings.database_owner_url:
        raise ValueError("DATABASE_OWNER_URL must be set to migrate a configured database")
    if settings.database_owner_url:
        await migrate(settings.database_owner_url)
    else:
        await ensure_database(settings)
    console.print(f"schema is up to date ({len(discover())} migration files applied)")


@db_app.command("bootstrap")
@run_async
async def db_bootstrap(
    superuser_url: str = typer.Option(..., envvar="DATABASE_SUPERUSER_URL", help="A superuser connection URL."),
    database: str = typer.Option("migration", help="Database to create and prepare."),
    owner_password: str = typer.Option(..., envvar="MIGRATION_OWNER_PASSWORD", prompt=True, hide_input=True),
    app_password: str = typer.Option(..., envvar="MIGRATION_APP_PASSWORD", prompt=True, hide_input=True),
) -> None:
    """Create the owner and application roles, the database, its extensions and schema (run once)."""
    await bootstrap(superuser_url, database, owner_password, app_password)
    console.print(f"database {database} is ready; now run `db migrate` with DATABASE_OWNER_URL")


def _redact(url: str) -> str:
    """Hide the password in a connection URL before printing it."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"




# --------------------------------------------------------------------------- sessions
@dataclass
class Session:
    endpoints: Endpoints
    pool: asyncpg.Pool
    client: Client | None


@asynccontextmanager
async def session(*, temporal: bool = True) -> AsyncIterator[Session]:
    """The stack (started or reused), a database pool and, when asked, a Temporal client."""
    settings = get_settings()
    if temporal:
        endpoints = await ensure_stack(settings)
    else:
        database_url, owner_url, _ = await ensure_database(settings)
        endpoints = Endpoints(database_url, owner_url, settings.temporal_address or "", settings.temporal_namespace,
                              None, not settings.database_url, not settings.temporal_address)
    pool = await create_pool(endpoints.database_url, max_size=4)
    try:
        client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace) if temporal else None
        yield Session(endpoints, pool, client)
    finally:
        await pool.close()


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


def _parse_phases(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    if value.strip() == "all":
        return PHASES
    phases = tuple(p.strip() for p in value.split(",") if p.strip())
    for phase in phases:
        control.check_phase(phase)
    return phases


def _print_json(data: Any) -> None:
    print(json.dumps(data, default=str))


# --------------------------------------------------------------------------- tenants
@tenant_app.command("create")
@run_async
async def tenant_create(name: str, tenant_id: str = typer.Option(None, "--id", help="Fixed id (test tenants)."),
                        as_json: bool = JsonOption) -> None:
    """Create a client account."""
    async with session(temporal=False) as s:
        client_id = await tenancy.create_client(s.pool, name, UUID(tenant_id) if tenant_id else None)
    _print_json({"id": str(client_id), "name": name}) if as_json else console.print(f"client {name}: {client_id}")


@tenant_app.command("list")
@run_async
async def tenant_list(as_json: bool = JsonOption) -> None:
    """List client accounts."""
    async with session(temporal=False) as s:
        rows = await tenancy.list_clients(s.pool)
    if as_json:
        _print_json([dict(r) for r in rows])
        return
    table = Table("id", "name", "slug", "status")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["slug"], r["status"])
    console.print(table)


# --------------------------------------------------------------------------- engagements
@engagement_app.command("create")
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
        policy = tenancy.approval_policy(list(_parse_phases(auto_approve)), reminder_hours)
        engagement_id = await tenancy.create_engagement(
            s.pool, client_id, name, start_date=start_date.date() if start_date else None, policy=policy,
            learning_scope=learning_scope, business_goals=business_goals)
        if owner:
            ref = tenancy.EngagementRef(engagement_id, client_id, name)
            await tenancy.add_member(s.pool, ref, await tenancy.ensure_user(s.pool, owner), "owner")
    if as_json:
        _print_json({"id": str(engagement_id), "client_account_id": str(client_id), "name": name})
    else:
        console.print(f"engagement {name}: {engagement_id}")


@engagement_app.command("list")
@run_async
async def engagement_list(client: str = typer.Argument(..., help="Client id, slug or name."),
                          as_json: bool = JsonOption) -> None:
    """List a client's engagements with their latest flow."""
    async with session(temporal=False) as s:
        rows = await tenancy.list_engagements(s.pool, await tenancy.find_client(s.pool, client))
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "name", "flow status", "phase", "awaiting")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["flow_status"] or "-", r["current_phase"] or "-",
                      r["awaiting_approval_phase"] or "-")
    console.print(table)


@engagement_app.command("add-member")
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


# --------------------------------------------------------------------------- flows
@app.command("launch")
@run_async
async def launch(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    import_files: list[Path] = typer.Option(
        ..., "--import",
        help="Inventory file (CSV, XLSX, JSON, JSONL); repeat for files that belong together (vmInfo + diskInfo).",
    ),
    auto_approve: str = typer.Option("", help="Phases to approve without a person: comma list or 'all'."),
    user: str = typer.Option(None, "--user", envvar="MIGRATION_USER", help="Your e-mail, recorded as launcher."),
    as_json: bool = JsonOption,
) -> None:
    """Upload an inventory and start the engagement's flow (refused if it already runs)."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user) if user else None
        workflow_id, master_flow_id = await control.launch(
            s.client, s.pool, ref, import_files, get_settings().task_queue,
            auto_approve=_parse_phases(auto_approve), launched_by=user_id)  # type: ignore[arg-type]
        ui = _workflow_url(s.endpoints, workflow_id)
    if as_json:
        _print_json({"workflow_id": workflow_id, "master_flow_id": str(master_flow_id), "ui": ui})
        return
    console.print(f"launched {ref.name}: workflow {workflow_id}, master flow {master_flow_id}")
    if ui:
        console.print(f"watch it at {ui}")


def _workflow_url(endpoints: Endpoints, workflow_id: str) -> str | None:
    if not endpoints.ui_url:
        return None
    return f"{endpoints.ui_url}/namespaces/{endpoints.temporal_namespace}/workflows/{workflow_id}"


def _render_status(st: MasterStatus) -> None:
    table = Table(show_header=False)
    table.add_row("status", st.status + (" (paused)" if st.paused else ""))
    table.add_row("phase", f"{st.phase or '-'}" + (f" / {st.step}" if st.step else ""))
    table.add_row("progress", f"{st.progress:.0f}%")
    table.add_row("awaiting approval", st.awaiting_approval or "-")
    if st.waiting_for:
        table.add_row("waiting for", f"{st.waiting_for} (see `mappings show`)")
    table.add_row("completed phases", ", ".join(st.phases_completed) or "-")
    table.add_row("assets", "-" if st.asset_count is None else str(st.asset_count))
    for phase, steps in st.phase_summaries.items():
        table.add_row(phase, phase_highlights(phase, steps) or "-")
    console.print(table)


@app.command("status")
@run_async
async def status(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    watch: bool = typer.Option(False, "--watch", help="Refresh until the flow ends."),
    as_json: bool = JsonOption,
) -> None:
    """Where an engagement stands: phase, step, progress, what it waits for."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        while True:
            st = await control.status(s.client, ref)
            if as_json:
                print(st.model_dump_json())
            else:
                _render_status(st)
            if not watch or st.status in ("completed", "cancelled") or not await control.is_running(s.client, ref):
                return
            await asyncio.sleep(2)


async def _decide(engagement: str, user: str, action: Callable[..., Awaitable[MasterStatus]], *args: Any) -> None:
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        st = await action(s.client, ref, *args[:1], user_id, *args[1:])
    console.print(f"{ref.name}: {st.status}, phase {st.phase}, completed {', '.join(st.phases_completed) or '-'}")


@app.command("approve")
@run_async
async def approve(engagement: str, phase: str, user: str = UserOption,
                  comment: str = typer.Option(None, help="Why, for the record.")) -> None:
    """Approve a phase that awaits approval; the engagement moves on."""
    await _decide(engagement, user, control.approve, control.check_phase(phase), comment)


@app.command("reject")
@run_async
async def reject(engagement: str, phase: str, user: str = UserOption,
                 reason: str = typer.Option(..., help="What must change; the phase runs again.")) -> None:
    """Reject a phase: it runs again (with any corrections made meanwhile) and waits again."""
    await _decide(engagement, user, control.reject, control.check_phase(phase), reason)


@app.command("rollback")
@run_async
async def rollback(engagement: str, phase: str, user: str = UserOption,
                   reason: str = typer.Option(None, help="Why, for the record.")) -> None:
    """Return to an earlier phase and run again from there."""
    await _decide(engagement, user, control.rollback, control.check_phase(phase), reason)


async def _signal(engagement: str, name: str) -> None:
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await control.signal(s.client, ref, name)
    console.print(f"{ref.name}: {name} requested")


@app.command("pause")
@run_async
async def pause(engagement: str) -> None:
    """Pause before the next step."""
    await _signal(engagement, "pause")


@app.command("resume")
@run_async
async def resume(engagement: str) -> None:
    """Resume a paused engagement."""
    await _signal(engagement, "resume")


@app.command("cancel")
@run_async
async def cancel(engagement: str) -> None:
    """Cancel the engagement's flow (its state is kept)."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await control.cancel(s.client, ref)
    console.print(f"{ref.name}: cancellation requested")


# --------------------------------------------------------------------------- imports and mappings
async def _latest_imports(s: Session, engagement: str) -> tuple[tenancy.EngagementRef, list[dict[str, Any]]]:
    ref = await tenancy.resolve_engagement(s.pool, engagement)
    imports = await import_review.latest_imports(s.pool, ref)
    if not imports:
        raise control.ControlError(f"engagement {ref.name!r} has no import yet; see `launch --import`")
    return ref, imports


@imports_app.command("list")
@run_async
async def imports_list(engagement: str, as_json: bool = JsonOption) -> None:
    """The files of the newest import: format, role, status and row counts."""
    async with session(temporal=False) as s:
        _, imports = await _latest_imports(s, engagement)
    if as_json:
        _print_json(imports)
        return
    table = Table("file", "format", "role", "status", "rows", "valid", "quarantined", "errors")
    for d in imports:
        table.add_row(d["file_name"], d["source_format"] or "-", d["import_role"], d["status"], str(d["total_records"]),
                      str(d["valid_records"]), str(d["quarantined_records"]),
                      json.dumps(d["error_summary"], default=str)[:120] if d["error_summary"] else "")
    console.print(table)


@imports_app.command("quarantine")
@run_async
async def imports_quarantine(
    engagement: str,
    out: Path = typer.Option(..., "--out", help="CSV file to write (safe to open in a spreadsheet)."),
) -> None:
    """Export the quarantined rows with their reasons, to fix and import again."""
    async with session(temporal=False) as s:
        ref, imports = await _latest_imports(s, engagement)
        count = await import_review.export_quarantine(s.pool, ref, [d["id"] for d in imports], out)
    console.print(f"{count} quarantined row(s) written to {out}")


@assets_app.command("show")
@run_async
async def assets_show(engagement: str, asset: str = typer.Argument(..., help="Asset id or name."),
                      as_json: bool = JsonOption) -> None:
    """One asset: its values, which file and row each came from, what cleansing changed, conflicts."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        detail = await import_review.asset_detail(s.pool, ref, asset)
    if as_json:
        _print_json(detail)
        return
    lineage, changes, conflicts = detail.pop("field_lineage"), detail.pop("cleansing_changes"), detail.pop("conflicts")
    table = Table("field", "value", "from")
    for field, value in detail.items():
        if value in (None, [], {}):
            continue
        source = lineage.get(field)
        origin = f"{source.get('file_name') or 'import'} row {source.get('row_number', '-')}" if source else ""
        if source and source.get("decided_by"):
            origin += " (chosen in a conflict review)"
        table.add_row(field, str(value), origin)
    console.print(table)
    for change in changes or []:
        console.print(f"cleansing: {change['field']}: {change['from']!r} -> {change['to']!r} ({change['rule']})")
    for c in conflicts:
        console.print(f"conflict ({c['status']}): {c['field']} kept {c['kept_value']!r}, {c['file_name']} row "
                      f"{c['row_number']} said {c['incoming_value']!r}")


@conflicts_app.command("list")
@run_async
async def conflicts_list(engagement: str, as_json: bool = JsonOption,
                         resolved: bool = typer.Option(False, "--all", help="Also the resolved ones.")) -> None:
    """Values imports disagreed about, open ones first, with the asset's value and the imported one."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        rows = await list_conflicts(s.pool, ref, include_resolved=resolved)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "asset", "column", "asset's value", "imported value", "from", "status")
    for r in rows:
        incoming = f"also matched {r['other_asset_name']}" if r["field"] == "asset" else repr(r["incoming_value"])
        kept = "" if r["field"] == "asset" else repr(r["kept_value"])
        table.add_row(str(r["id"])[:8], r["asset_name"], r["field"], kept, incoming,
                      f"{r['file_name']} row {r['row_number']}", r["resolution"] or r["status"])
    console.print(table)
    console.print(f"{sum(r['status'] == 'open' for r in rows)} open; settle one with "
                  "`conflicts resolve ENGAGEMENT ID --keep|--take --user EMAIL`")


@conflicts_app.command("resolve")
@run_async
async def conflicts_resolve(
    engagement: str,
    conflict: str = typer.Argument(..., help="The conflict's id (its first 8 characters are enough)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the asset's value."),
    take: bool = typer.Option(False, "--take", help="Take the imported value."),
    reason: str = typer.Option("", help="Why; kept with the decision."),
    user: str = UserOption,
    as_json: bool = JsonOption,
) -> None:
    """Settle a column of an asset: keep its value or take the imported one (every open conflict of that
    column is resolved with it)."""
    if keep == take:
        raise ConflictReviewError("decide with exactly one of --keep and --take")
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        result = await resolve_conflict(s.pool, ref, conflict, "keep" if keep else "take", user_id, reason)
    if as_json:
        _print_json(result)
        return
    value = result["incoming_value"] if take else result["kept_value"]
    console.print(f"{result['asset_name']}.{result['field']}: {result['resolution']} ({value!r}); "
                  f"{len(result['resolved'])} conflict(s) resolved")


@mappings_app.command("show")
@run_async
async def mappings_show(engagement: str, as_json: bool = JsonOption,
                        all_columns: bool = typer.Option(False, "--all", help="Also the approved columns.")) -> None:
    """Suggested mappings of the newest import; those waiting for review first."""
    async with session(temporal=False) as s:
        ref, imports = await _latest_imports(s, engagement)
        rows = await import_review.mapping_rows(s.pool, ref, [d["id"] for d in imports])
    rows.sort(key=lambda r: (r["status"] != "suggested", r["target_field"] is not None, r["file_name"]))
    shown = rows if all_columns else [r for r in rows if r["status"] != "approved"]
    if as_json:
        _print_json(shown)
        return
    table = Table("file", "column", "target", "confidence", "by", "status", "reason")
    for r in shown:
        table.add_row(r["file_name"], r["source_field"], r["target_field"] or "-",
                      f"{r['confidence']:.2f}" if r["confidence"] is not None else "-", r["source"] or "-", r["status"],
                      (r["reason"] or "")[:80])
    console.print(table)
    waiting = sum(1 for r in rows if r["status"] == "suggested" and r["target_field"])
    console.print(f"{waiting} column(s) wait for review; {sum(r['status'] == 'approved' for r in rows)} approved")


def _parse_corrections(pairs: list[str], ignore: list[str], file_name: str | None) -> list[MappingCorrection]:
    # unmapping first, so "--ignore A" and "B=name" in one request can move a field from A to B
    corrections = [MappingCorrection(source_field=c, target_field=None, file_name=file_name) for c in ignore]
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise control.ControlError(f"{pair!r}: write COLUMN=TARGET, e.g. \"Srv Name=name\"")
        corrections.append(MappingCorrection(source_field=column.strip(), target_field=target.strip(),
                                             file_name=file_name))
    if not corrections:
        raise control.ControlError("give at least one COLUMN=TARGET or --ignore COLUMN")
    return corrections


def _print_review(ref: tenancy.EngagementRef, st: MappingReviewStatus, as_json: bool) -> None:
    if as_json:
        _print_json(st.model_dump(mode="json"))
        return
    console.print(f"{ref.name}: {st.applied} mapping(s) applied, {st.learned} learned")
    for line in st.blocking:
        console.print(f"  blocking: {line}")
    for line in st.needs_review:
        console.print(f"  needs review: {line}")
    console.print("review complete: discovery goes on" if st.complete else "discovery still waits for the review")


@mappings_app.command("set")
@run_async
async def mappings_set(
    engagement: str,
    pairs: list[str] = typer.Argument(None, help="COLUMN=TARGET pairs (target: an asset field, see `mappings targets`)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Leave this column unmapped (repeatable)."),
    file_name: str = typer.Option(None, "--file", help="The file, when several files have the column."),
    user: str = UserOption,
    as_json: bool = JsonOption,
) -> None:
    """Correct suggested mappings; the platform learns them for the next imports."""
    corrections = _parse_corrections(pairs or [], ignore, file_name)
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        st = await control.review_mappings(s.client, ref, user_id, corrections)
    _print_review(ref, st, as_json)


@mappings_app.command("approve")
@run_async
async def mappings_approve(engagement: str, user: str = UserOption, as_json: bool = JsonOption) -> None:
    """Accept the remaining suggestions as they are; discovery goes on when nothing blocks."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        st = await control.review_mappings(s.client, ref, user_id, accept_remaining=True)
    _print_review(ref, st, as_json)


@mappings_app.command("targets")
def mappings_targets() -> None:
    """The asset fields a column can map to."""
    console.print(", ".join(ASSET_IMPORT_FIELDS))


@strategy_app.command("set")
@run_async
async def strategy_set(
    engagement: str,
    asset: str = typer.Argument(..., help="Asset id or name."),
    strategy: str = typer.Argument(..., help=f"One of {', '.join(SIX_R_STRATEGIES)} (or a synonym)."),
    reason: str = typer.Option(..., help="Why; kept with the decision."),
    user: str = UserOption,
    as_json: bool = JsonOption,
) -> None:
    """Override an asset's recommended strategy; later assessments keep it, and it is stored as a pattern."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        result = await override_strategy(s.pool, ref, asset, strategy, user_id, reason)
    if as_json:
        _print_json(result)
        return
    console.print(f"{result['asset_name']}: {result['previous_strategy'] or '-'} -> {result['strategy']} "
                  f"(decided by {user})")


@plan_app.command("export")
@run_async
async def plan_export(
    engagement: str,
    out: Path = typer.Option(..., "--out", help="File to write: .csv, .xlsx or .md (format from the extension)."),
) -> None:
    """Write the wave plan, one row per asset with its wave and why; edit the wave column and import it."""
    formats = {".csv": "csv", ".xlsx": "xlsx", ".md": "md"}
    fmt = formats.get(out.suffix.lower())
    if fmt is None:
        raise control.ControlError(f"{out.name}: give a .csv, .xlsx or .md file name")
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        count = await export_plan(s.pool, ref, out, fmt)  # type: ignore[arg-type]
    console.print(f"{count} asset(s) written to {out}")


@plan_app.command("import")
@run_async
async def plan_import(engagement: str, path: Path = typer.Argument(..., help="An edited plan (.csv or .xlsx)."),
                      user: str = UserOption, as_json: bool = JsonOption) -> None:
    """Check an edited plan against the dependencies and rules; apply it whole, or refuse it with every problem."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user)
        result = await import_plan(s.pool, ref, path, user_id)
    if as_json:
        _print_json(result.__dict__)
        return
    console.print(f"plan applied: {result.assets_planned} assets in {result.waves} waves, "
                  f"{result.assets_moved} moved")
    for warning in result.warnings:
        console.print(f"  warning: {warning}")


@app.command("report")
@run_async
async def report(
    engagement: str,
    out: Path = typer.Option(None, "--out", help="Folder to write into (default: <data dir>/reports/<engagement id>)."),
) -> None:
    """Write the engagement's HTML report (portfolio, strategies, cost, wave timeline, dependency graph)
    with its pictures as PNG and SVG files; prints the page to open in a browser."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        index = await write_report(s.pool, ref, out or get_settings().data_path / "reports" / str(ref.id))
    console.print(f"report written: {index.resolve().as_uri()}")


# --------------------------------------------------------------------------- demo
@app.command("demo")
@run_async
async def demo(
    inventory: Path = typer.Option(SAMPLE_INVENTORY, help="Inventory CSV to run the demo on."),
    approve_manually: bool = typer.Option(False, help="Wait for `approve` commands instead of auto-approving."),
) -> None:
    """A demo engagement end to end on the embedded stack, with an in-process worker."""
    from worker import build_worker

    async with session() as s:
        assert s.client is not None
        await ensure_search_attributes(s.client)
        if s.endpoints.ui_url:
            console.print(f"Temporal Web UI: [link={s.endpoints.ui_url}]{s.endpoints.ui_url}[/link]")
        clients = {str(r["id"]) for r in await tenancy.list_clients(s.pool)}
        client_id = UUID(TEST_TENANT_1)
        if TEST_TENANT_1 not in clients:
            await tenancy.create_client(s.pool, "Demo Client", client_id)
        name = f"Data-centre exit {datetime.now():%Y-%m-%d %H:%M:%S}"
        engagement_id = await tenancy.create_engagement(s.pool, client_id, name, start_date=date.today())
        ref = tenancy.EngagementRef(engagement_id, client_id, name)
        user_id = await tenancy.ensure_user(s.pool, "demo.owner@example.com", "Demo Owner")
        await tenancy.add_member(s.pool, ref, user_id, "owner")
        worker = build_worker(s.client, s.pool, get_settings().task_queue)
        async with worker:
            workflow_id, _ = await control.launch(
                s.client, s.pool, ref, [inventory], get_settings().task_queue,
                auto_approve=() if approve_manually else PHASES, launched_by=user_id)  # type: ignore[arg-type]
            console.print(f"launched {name}: {_workflow_url(s.endpoints, workflow_id) or workflow_id}")
            if approve_manually:
                console.print(f"approve each phase with: python starter.py approve {engagement_id} PHASE "
                              "--user demo.owner@example.com")
            last = None
            while await control.is_running(s.client, ref):
                st = await control.status(s.client, ref)
                line = f"{st.status:>18}  {st.phase or '-':<11} {st.step or '':<24} {st.progress:5.1f}%"
                if line != last:
                    console.print(line, highlight=False)
                    last = line
                await asyncio.sleep(1)
            final = await control.status(s.client, ref)
        await _print_plan(s.pool, ref, final)
        index = await write_report(s.pool, ref, get_settings().data_path / "reports" / str(ref.id))
        console.print(f"\nreport (open in a browser): {index.resolve().as_uri()}")
        if s.endpoints.ui_url:
            console.print(f"Temporal Web UI: {_workflow_url(s.endpoints, workflow_id)}")


async def _print_plan(pool: asyncpg.Pool, ref: tenancy.EngagementRef, final: MasterStatus) -> None:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        waves = await conn.fetch(sql("waves_report"))
        check = await conn.fetchrow(sql("plan_dependency_check"))
        violations = await conn.fetch(sql("report_violation_counts"))
        assets = await conn.fetchval(sql("assets_count"))
    console.print(f"\n{ref.name}: {final.status}; {assets} assets, {final.asset_count} migrated; "
                  f"phases completed: {', '.join(final.phases_completed)}")
    for phase, steps in final.phase_summaries.items():
        console.print(f"[bold]{phase}[/]: {phase_highlights(phase, steps) or '-'}")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))  # fits an 80-column terminal
    for header in ("wave", "kind", "assets", "TB", "start", "end", "effort", "status"):
        table.add_column(header, no_wrap=True)
    kinds = {"pilot": "pilot", "non_production": "non-prod", "production": "prod"}
    for w in waves:
        table.add_row(str(w["wave_number"]), kinds.get(w["kind"], w["kind"]), str(w["asset_count"]),
                      f"{float(w['total_storage_gb']) / 1024:.1f}", str(w["planned_start"]), str(w["planned_end"]),
                      f"{w['estimated_effort_days'] or 0:.0f} pd", w["status"])
    console.print(table)
    console.print(f"hard dependencies split across waves: {check['split']}; dependencies whose target moves "
                  f"later: {check['order_broken']}; dependencies on shared services in another wave: "
                  f"{check['on_shared_services']}")
    if violations:
        console.print("rules the plan could not meet: " + ", ".join(f"{v['rule']} {v['violations']}"
                                                                  for v in violations))


def main() -> int:
    """Run the CLI and exit with its code, bypassing interpreter teardown (sdk-python #300)."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        code = 130
    except Exception as exc:  # click usage errors carry their own message
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            code = exc.exit_code
        else:
            raise
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
