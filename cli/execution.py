"""`execution status|start|complete|approve|reject|retry|skip|abandon|abort|pause|resume`: the waves' runbooks as
people follow and steer them. Every action is recorded as the person's request and applied by the wave's
workflow, which checks it again (runtime.execution_control)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any

import typer

from cli.assets import MOST_WAVES
from cli.common import JsonOption, console, print_json, run_async, session
from db import tenancy
from domain.wording import counted
from runtime import execution_control as execution

app = typer.Typer(no_args_is_help=True, help="Execution of the waves' runbooks: follow them and act on their steps.")

_ENGAGEMENT = typer.Argument(..., help="Engagement id or CLIENT/NAME.")
_WAVE = typer.Option(..., "--wave", min=0, max=MOST_WAVES, help="The wave's number.")


@app.command("status")
@run_async
async def execution_status(
    engagement: str = _ENGAGEMENT,
    wave: int = typer.Option(None, "--wave", min=0, max=MOST_WAVES, help="Only this wave, with all its steps."),
    as_json: bool = JsonOption,
) -> None:
    """Each wave's latest run: its status, cutover window and step runs by status; per step, what waits for whom
    and what you may do, with the command to type (at most 20 workloads a step; --json gives all, with ids)."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        found = await execution.status(s.pool, ref, s.me.id, wave,
                                       workloads_shown=None if as_json else execution.WORKLOADS_SHOWN)
    for item in found["waves"]:
        for step in item["steps"]:
            step["commands"] = _commands(engagement, item["wave"], step)
    if as_json:
        print_json(found)
        return
    if not found["started"] and wave is None:
        planned = [w for w in found["waves"] if w["planned_start"]]
        when = f"; wave {planned[0]['wave']} is planned to start {planned[0]['planned_start']}" if planned else ""
        console.print(f"{ref.name}: execution has not started ({counted(len(found['waves']), 'wave')} planned{when})")
        return
    may_abandon = execution.may(found["role"], "abandon")
    for item in found["waves"]:
        _print_wave(engagement, item, may_abandon=may_abandon,
                    details=wave is not None or item["status"] not in execution.FINISHED_RUNBOOKS)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda c: _ORDER.get(c[0], 99))) \
        or "no step runs"


_ORDER = {s: i for i, s in enumerate(("completed", *execution.ATTENTION, "not_started", "skipped", "abandoned"))}


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def _print_wave(engagement: str, item: dict[str, Any], *, may_abandon: bool, details: bool) -> None:
    label = item["name"] or f"Wave {item['wave']}"  # the plan's name: 'Wave 3', 'Wave 1 (pilot)'
    if item["runbook_id"] is None:
        start = f", planned start {item['planned_start']}" if item["planned_start"] else ""
        console.print(f"{label}: not started{start}")
        return
    cutover = (f"; cutover {_when(item['cutover_start'])} to {_when(item['cutover_end'])} UTC"
               if item["cutover_start"] else "")
    aborted = f"; aborted: {item['abort_reason']}" if item["abort_reason"] else ""
    console.print(f"{label}, run {item['run_number']}: {item['status']}{cutover}{aborted}; step runs: "
                  f"{_counts(item['counts'])}")
    if not details:
        return
    for op in item["operations"]:
        console.print(f"  you may {op} the wave: {_wave_command(engagement, item['wave'], op)}")
    if may_abandon and item["operations"]:
        console.print(f"  you may abandon a workload: starter.py execution abandon {shlex.quote(engagement)} --wave "
                      f"{item['wave']} --asset NAME (or --application NAME; --step KEY for one step) --note TEXT")
    for step in item["steps"]:
        if step["direction"] == "rollback" and set(step["counts"]) <= {"not_started"}:
            continue  # a compensation nobody needed yet
        kind = "rollback of " if step["direction"] == "rollback" else ""
        console.print(f"  {step['strategy']} / {step['group']} / {kind}{step['key']} \"{step['title']}\" "
                      f"[{step['type']}, per {step['scope']}]: {_counts(step['counts'])}")
        for run in step["runs"]:
            console.print(f"    {run['workload']}: {run['waits_for']}")
        if step["runs_not_shown"]:
            console.print(f"    and {step['runs_not_shown']} more (--json lists them all)")
        if step["runs"] and step["operations"]:  # a step whose runs move on their own offers what the wave does
            console.print("    you may: " + ", ".join(f"{op} ({n})" for op, n in step["operations"].items()))
        for command in step["commands"]:
            console.print(f"    {command}")


def _wave_command(engagement: str, wave: int, op: str) -> str:
    reason = " --reason TEXT" if op in execution.REASONED_ACTIONS else ""
    return f"starter.py execution {op} {shlex.quote(engagement)} --wave {wave}{reason}"


def _commands(engagement: str, wave: int, step: dict[str, Any]) -> list[str]:
    """The commands for what a person may do with the step's waiting or failed runs (abandoning, and running a
    completed step again, are listed by `you may` only)."""
    commands = []
    for op in ("complete", "approve", "reject", "retry", "skip"):
        runs = [r for r in step["runs"] if op in r["operations"]]
        if not runs:
            continue
        if step["scope"] == "wave":
            target = "--all"
        elif len(runs) == 1 and step["runs_not_shown"] == 0:
            target = f"--{step['scope']} {shlex.quote(runs[0]['workload'])}"
        else:
            target = f"--{step['scope']} NAME"
        extra = " --reason TEXT" if op in execution.REASONED_ACTIONS else ""
        commands.append(f"starter.py execution {op} {shlex.quote(engagement)} --wave {wave} --step {step['key']} "
                        f"{target}{extra}")
    return commands


# --------------------------------------------------------------------------------------------- step actions
def _step_action(action: str, summary: str) -> Callable[..., Any]:
    """The command of one step action; they share their options and differ in what they require."""

    @run_async
    async def command(
        ctx: typer.Context,
        engagement: str = _ENGAGEMENT,
        wave: int = _WAVE,
        step: str = typer.Option(None, "--step", help="The step's key (see `execution status`)."
                                 + ("" if action == "abandon" else " Required.")),
        asset: str = typer.Option(None, "--asset", help="One asset, by name or id."),
        application: str = typer.Option(None, "--application", help="One application, by name."),
        where: list[str] = typer.Option(None, "--where", help="Assets whose FIELD=VALUE (environment, os_family, "
                                        "criticality, application, hostname); repeat to combine."),
        all_workloads: bool = typer.Option(False, "--all", help="Every workload of the step (or of the wave)."),
        note: str = typer.Option(None, "--note", help="A note kept with the step run (up to 2,000 characters)."),
        link: str = typer.Option(None, "--link", help="Evidence: an http(s) link."),
        ticket: str = typer.Option(None, "--ticket", help="Evidence: a ticket id."),
        change_ref: str = typer.Option(None, "--change-ref", help="The change reference (approvals may need one)."),
        reason: str = typer.Option(None, "--reason", help="Why (required by skip and reject)."),
        force: bool = typer.Option(False, "--force", help="retry: run a completed step again."),
    ) -> None:
        try:
            request = execution.action_request(
                action, wave, step=step, asset=asset, application=application, where=where or (),
                all_workloads=all_workloads, note=note, reason=reason, link=link, ticket=ticket,
                change_reference=change_ref, force=force)
        except ValueError as exc:
            ctx.fail(str(exc))
        async with session() as s:
            ref = await tenancy.resolve_engagement(s.pool, engagement)
            message = await execution.act(s.client, s.pool, ref, request, s.me.id)  # type: ignore[arg-type]
        console.print(message)

    command.__doc__ = summary
    return command


for _action, _summary in (
    ("complete", "Complete a manual step for the selected workloads, with a note and evidence (link, ticket)."),
    ("approve", "Approve an approval step (go/no-go) for the selected workloads, with a change reference if it "
                "asks for one."),
    ("reject", "Reject an approval step for the selected workloads (--reason required)."),
    ("retry", "Run a failed step again for the selected workloads (--force: a completed one too)."),
    ("skip", "Skip a failed step for the selected workloads (--reason required); its successors proceed."),
    ("abandon", "Abandon the selected workloads: they leave the wave (of one step with --step), recorded."),
):
    app.command(_action)(_step_action(_action, _summary))


# --------------------------------------------------------------------------------------------- wave actions
@app.command("abort")
@run_async
async def execution_abort(
    ctx: typer.Context,
    engagement: str = _ENGAGEMENT,
    wave: int = _WAVE,
    reason: str = typer.Option(..., "--reason", help="Why the wave is aborted."),
) -> None:
    """Abort a wave: its completed steps are rolled back (compensations in reverse order); it may run again."""
    try:
        request = execution.action_request("abort", wave, reason=reason)
    except ValueError as exc:
        ctx.fail(str(exc))
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        message = await execution.act(s.client, s.pool, ref, request, s.me.id)  # type: ignore[arg-type]
    console.print(message)


async def _pause_or_resume(engagement: str, action: str, wave: int | None) -> None:
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        if wave is None:
            messages = await execution.pause_or_resume_all(s.client, s.pool, ref, action, s.me.id)  # type: ignore[arg-type]
        else:
            messages = [await execution.act(s.client, s.pool, ref, execution.action_request(action, wave),  # type: ignore[arg-type]
                                            s.me.id)]
    for message in messages:
        console.print(message)


@app.command("start")
@run_async
async def execution_start(engagement: str = _ENGAGEMENT, wave: int = _WAVE) -> None:
    """Start a wave now rather than on its planned date (it still waits for the waves it depends on)."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        message = await execution.start_wave(s.client, s.pool, ref, wave, s.me.id)  # type: ignore[arg-type]
    console.print(message)


@app.command("pause")
@run_async
async def execution_pause(
    engagement: str = _ENGAGEMENT,
    wave: int = typer.Option(None, "--wave", min=0, max=MOST_WAVES, help="One wave (default: every running wave)."),
) -> None:
    """Hold a wave (or every running wave): running steps finish, no new step starts until `resume`."""
    await _pause_or_resume(engagement, "pause", wave)


@app.command("resume")
@run_async
async def execution_resume(
    engagement: str = _ENGAGEMENT,
    wave: int = typer.Option(None, "--wave", min=0, max=MOST_WAVES, help="One wave (default: every paused wave)."),
) -> None:
    """Let a paused wave (or every paused wave) go on."""
    await _pause_or_resume(engagement, "resume", wave)
