"""Steering an engagement's flow: launch, status, approve, reject, rollback, pause, resume, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from cli import paths
from cli.common import (
    JsonOption,
    UserOption,
    console,
    parse_phases,
    print_json,
    run_async,
    session,
    workflow_url,
)
from db import tenancy
from domain.flow_contracts import MasterStatus
from domain.status_highlights import phase_highlights
from runtime import engagement_control as control
from runtime.settings import get_settings

app = typer.Typer()  # its commands join the top level


@app.command("launch")
@run_async
async def launch(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    import_files: list[Path] = typer.Option(
        ..., "--import", readable=False,  # cli.paths checks it, exit code 1 like every path problem
        help="Inventory file (CSV, XLSX, JSON, JSONL); repeat for files that belong together (vmInfo + diskInfo).",
    ),
    auto_approve: str = typer.Option("", help="Phases to approve without a person: comma list or 'all'."),
    user: str = typer.Option(None, "--user", envvar="MIGRATION_USER", help="Your e-mail, recorded as launcher."),
    as_json: bool = JsonOption,
) -> None:
    """Upload an inventory and start the engagement's flow (refused if it already runs)."""
    paths.inventory_files(import_files)
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        user_id = await tenancy.find_user(s.pool, user) if user else None
        workflow_id, master_flow_id = await control.launch(
            s.client, s.pool, ref, import_files, get_settings().task_queue,
            auto_approve=parse_phases(auto_approve), launched_by=user_id)  # type: ignore[arg-type]
        ui = workflow_url(s.endpoints, workflow_id)
    if as_json:
        print_json({"workflow_id": workflow_id, "master_flow_id": str(master_flow_id), "ui": ui})
        return
    console.print(f"launched {ref.name}: workflow {workflow_id}, master flow {master_flow_id}")
    if ui:
        console.print(f"watch it at {ui}")


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
