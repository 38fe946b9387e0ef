"""Steering an engagement's flow: launch, status, approve, reject, rollback, pause, resume, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import typer
from rich.live import Live
from rich.table import Table
from temporalio.client import Client, WorkflowExecutionStatus

from cli import paths
from cli.common import (
    JsonOption,
    console,
    parse_phases,
    print_json,
    run_async,
    session,
    workflow_url,
)
from db import tenancy
from db.agent_advice import plan_critic_findings
from domain.agent_advice import Finding, findings_heading, phase_agent_lines
from domain.flow_contracts import MasterStatus
from domain.status_highlights import phase_highlights
from domain.vocabulary import PHASES
from domain.wording import counted
from runtime import engagement_control as control
from runtime.settings import get_settings
from workflows.master_flow import situation

app = typer.Typer()  # its commands join the top level


@app.command("launch")
@run_async
async def launch(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    import_files: list[Path] = typer.Option(
        ..., "--import", parser=paths.given_path,  # cli.paths checks it: empty exits 2, other problems 1
        help="Inventory file (CSV, XLSX, JSON, JSONL); repeat for files that belong together (vmInfo + diskInfo). "
             "A dependency export alone enriches an engagement that already has assets.",
    ),
    auto_approve: str = typer.Option("", help="Phases to approve without a person: comma list or 'all'."),
    follow_links: bool = typer.Option(False, "--follow-links",
                                      help="Upload the file a symbolic link points at (refused otherwise)."),
    as_json: bool = JsonOption,
) -> None:
    """Upload an inventory and start the engagement's flow (refused if it already runs); a dependency export alone
    enriches an engagement that already has assets."""
    roles = paths.inventory_files(import_files, follow_links=follow_links)
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        await control.check_import(s.pool, ref, roles)
        workflow_id, master_flow_id = await control.launch(
            s.client, s.pool, ref, import_files, get_settings().task_queue,
            auto_approve=parse_phases(auto_approve), launched_by=s.me.id)  # type: ignore[arg-type]
        ui = workflow_url(s.endpoints, workflow_id)
    if as_json:
        print_json({"workflow_id": workflow_id, "master_flow_id": str(master_flow_id), "ui": ui})
        return
    console.print(f"launched {ref.name}: workflow {workflow_id}, master flow {master_flow_id}")
    if ui:
        console.print(f"watch it at {ui}")


def _status_word(st: MasterStatus) -> str:
    """The recorded status, marked when a pause is asked for but not yet recorded ("running (paused)")."""
    return st.status + (" (paused)" if st.paused and st.status != "paused" else "")


def _status_table(st: MasterStatus, findings: tuple[list[Finding], int] = ([], 0)) -> Table:
    """The status, each phase's result followed by its agents' summaries; after planning, the plan critic's
    `findings` (those shown, how many in all)."""
    table = Table(show_header=False)
    table.add_row("status", _status_word(st))
    table.add_row("phase", f"{st.phase or '-'}" + (f" / {st.step}" if st.step else ""))
    table.add_row("progress", f"{st.progress:.0f}%")
    critique = f" (the plan critic made {counted(findings[1], 'finding')}: see planning below)" \
        if st.awaiting_approval == "planning" and findings[1] else ""
    table.add_row("awaiting approval", (st.awaiting_approval or "-") + critique)
    if st.waiting_for:
        table.add_row("waiting for", f"{st.waiting_for} (see `mappings show`)")
    table.add_row("completed phases", ", ".join(st.phases_completed) or "-")
    table.add_row("assets", "-" if st.asset_count is None else str(st.asset_count))
    for phase, steps in st.phase_summaries.items():
        table.add_row(phase, phase_highlights(phase, steps) or "-")
        for line in phase_agent_lines(steps):
            table.add_row("", line)
        if phase == "planning" and findings[1]:
            table.add_row("", findings_heading(findings[1], len(findings[0]), steps))
            for finding in findings[0]:
                table.add_row("", f"  {finding.line()}")
    return table


def status_line(st: MasterStatus) -> str:
    """The status in one line, for a watch whose output is not a terminal."""
    parts = [_status_word(st),
             f"phase {st.phase or '-'}" + (f" / {st.step}" if st.step else ""),
             f"progress {st.progress:.0f}%",
             f"assets {'-' if st.asset_count is None else st.asset_count}"]
    if st.awaiting_approval:
        parts.append(f"awaiting approval of {st.awaiting_approval}")
    if st.waiting_for:
        parts.append(f"waiting for {st.waiting_for}")
    if st.status == "failed" and st.phase and "error" in st.phase_summaries.get(st.phase, {}):
        parts.append(f"error: {st.phase_summaries[st.phase]['error']}")
    return ", ".join(parts)


# Exit codes of `status --watch`: how the flow stopped moving by itself (1 and 2 stay errors and usage errors).
WATCH_COMPLETED = 0
WATCH_WAITS_FOR_A_PERSON = 3  # an approval, the mapping review, or a resume after a pause
WATCH_FAILED_OR_CANCELLED = 4


def watch_exit_code(st: MasterStatus) -> int | None:
    """The exit code once the flow has stopped moving by itself; None while it moves on its own."""
    if st.status == "completed":
        return WATCH_COMPLETED
    if st.status in ("failed", "cancelled"):
        return WATCH_FAILED_OR_CANCELLED
    if st.awaiting_approval or st.waiting_for or st.paused:
        return WATCH_WAITS_FOR_A_PERSON
    return None


async def watch(client: Client, ref: tenancy.EngagementRef, show: Callable[[MasterStatus], None],
                interval: float = 2.0) -> tuple[int, str]:
    """Show the status whenever it is polled until the flow stops moving by itself; the exit code and
    one line saying where it stands and what a person may do next."""
    while True:
        st = await control.status(client, ref)
        show(st)
        code = watch_exit_code(st)
        if code is not None:
            return code, f"{ref.name}: {situation(st)}"
        execution = await control.execution_status(client, ref)
        if execution != WorkflowExecutionStatus.RUNNING:  # ended since the query, or without saying so (terminated)
            ended = control.ENDED.get(execution, "the engagement's workflow is not running")  # type: ignore[arg-type]
            completed = execution == WorkflowExecutionStatus.COMPLETED
            return WATCH_COMPLETED if completed else WATCH_FAILED_OR_CANCELLED, f"{ref.name}: {ended}"
        await asyncio.sleep(interval)


def _changes_only(render: Callable[[MasterStatus], str]) -> Callable[[MasterStatus], None]:
    """Print one line whenever the rendered status differs from the line printed before."""
    last: list[str] = []

    def show(st: MasterStatus) -> None:
        line = render(st)
        if last != [line]:
            console.print(line, soft_wrap=True, highlight=False, markup=False)
            last[:] = [line]

    return show


@app.command("status")
@run_async
async def status(
    engagement: str = typer.Argument(..., help="Engagement id or CLIENT/NAME."),
    watch_flow: bool = typer.Option(
        False, "--watch",
        help="Follow the flow until it stops by itself: redrawn in place on a terminal, else one line per "
             "change. Exit code 0 completed, 3 waits for a person (approval, mapping review, paused), "
             "4 failed or cancelled.",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Where an engagement stands: phase, step, progress, what it waits for."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        if not watch_flow:
            st = await control.status(s.client, ref)
            findings = await plan_critic_findings(s.pool, ref, st.master_flow_id) if "planning" in \
                st.phase_summaries else ([], 0)
            if as_json:
                print_json({**st.model_dump(mode="json"), "plan_critic": {
                    "findings": [f.as_json() for f in findings[0]], "total": findings[1]}})
            else:
                console.print(_status_table(st, findings))
            return
        if as_json:
            code, _ = await watch(s.client, ref, _changes_only(lambda st: st.model_dump_json()))
        elif console.is_terminal:
            with Live(console=console, auto_refresh=False) as live:
                code, outcome = await watch(s.client, ref, lambda st: live.update(_status_table(st), refresh=True))
            console.print(outcome, highlight=False, markup=False)
        else:
            code, outcome = await watch(s.client, ref, _changes_only(status_line))
            console.print(outcome, soft_wrap=True, highlight=False, markup=False)
    raise typer.Exit(code)


async def _decide(engagement: str, action: Callable[..., Awaitable[MasterStatus]], phase: str,
                  note: str | None, done: str, *, a_phase_follows: bool = True) -> None:
    """Send a person's decision; print what happens next, or the one line saying why it was refused.

    When a phase follows the decision and the engagement is paused, that phase waits for `resume`."""
    control.check_phase(phase)
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        st = await action(s.client, s.pool, ref, phase, s.me.id, note)
    if st.paused and a_phase_follows:
        done += " when the engagement is resumed"
    console.print(f"{ref.name}: {done}; completed phases: {', '.join(st.phases_completed) or '-'} "
                  "(follow it with `status --watch`)", highlight=False, markup=False)


@app.command("approve")
@run_async
async def approve(engagement: str, phase: str,
                  comment: str = typer.Option(None, help="Why, for the record.")) -> None:
    """Approve a phase that awaits approval; the engagement moves on."""
    following = PHASES.index(phase) + 1 if phase in PHASES else len(PHASES)
    done = f"phase {PHASES[following]} starts" if following < len(PHASES) else "the engagement completes"
    await _decide(engagement, control.approve, phase, comment, done, a_phase_follows=following < len(PHASES))


@app.command("reject")
@run_async
async def reject(engagement: str, phase: str,
                 reason: str = typer.Option(..., help="What must change; the phase runs again.")) -> None:
    """Reject a phase: it runs again (with any corrections made meanwhile) and waits again."""
    await _decide(engagement, control.reject, phase, reason, f"phase {phase} runs again")


@app.command("rollback")
@run_async
async def rollback(engagement: str, phase: str,
                   reason: str = typer.Option(None, help="Why, for the record.")) -> None:
    """Return to an earlier phase and run again from there."""
    await _decide(engagement, control.rollback, phase, reason, f"phase {phase} and those after it run again")


async def _steer(engagement: str, action: Callable[..., Awaitable[str]]) -> None:
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        done = await action(s.client, s.pool, ref)
    console.print(done, highlight=False, markup=False)


@app.command("pause")
@run_async
async def pause(engagement: str) -> None:
    """Pause before the next step (a pending approval can still be given); a paused engagement stays paused."""
    await _steer(engagement, control.pause)


@app.command("resume")
@run_async
async def resume(engagement: str) -> None:
    """Resume a paused engagement (one that is not paused is left as it is)."""
    await _steer(engagement, control.resume)


@app.command("cancel")
@run_async
async def cancel(engagement: str) -> None:
    """Cancel the engagement's flow and wait until it has ended (its state is kept; `launch` starts it again)."""
    await _steer(engagement, control.cancel)
