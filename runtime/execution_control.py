"""Client side of execution: where an engagement's waves stand, and a person's actions on their runbooks.

`status` reads the latest runbook of each wave (names, not ids; what waits for whom; what the reader may do);
`act` checks an action against the runbook as recorded, records it as the person's request and sends its id to
the wave's workflow (update `execution_action`), which verifies and applies it. The CLI, the demo, the bench and
the tests call the same functions. Bad input raises ValueError, an action that cannot be carried out
ControlError, each one sentence.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from db import execution_status as reads
from db.people import record_request
from db.tenancy import EngagementRef
from domain.execution.contracts import (
    ACTION_REQUEST_KINDS,
    STEP_ACTIONS,
    ActionPayload,
    ActionResult,
    ExecutionActionRequest,
    WaveStartRequest,
)
from domain.execution.scheduler import allowed_operations, application_key, selection_matches, wave_operations
from domain.vocabulary import APPROVING_ROLES, REQUEST_ROLES
from domain.wording import counted
from runtime.engagement_control import UPDATE_TIMEOUT, ControlError, NoWorkerError
from workflows.failures import root_message
from workflows.ids import phase_workflow_id, wave_workflow_id

WAVE_ACTIONS: tuple[str, ...] = ("abort", "pause", "resume")
KEYED_ACTIONS: tuple[str, ...] = ("complete", "approve", "reject", "retry", "skip")  # name the step they act on
REASONED_ACTIONS: tuple[str, ...] = ("skip", "reject", "abort")  # say why
DONE_AS: dict[str, str] = {"complete": "completed", "approve": "approved", "reject": "rejected", "retry": "retried",
                           "skip": "skipped", "abandon": "abandoned", "abort": "aborted", "pause": "paused",
                           "resume": "resumed"}
UPDATE_NAME = "execution_action"  # the wave workflow's update (domain.execution.contracts)

# What `--where` may match on, as a person writes it -> as the selection carries it.
WHERE_FIELDS: dict[str, str] = {"environment": "environment", "os_family": "os_family", "criticality": "criticality",
                                "business_criticality": "criticality", "application": "application",
                                "hostname": "hostname"}
MAX_VALUE_CHARS = 200  # a name or a --where value
MAX_NOTE_CHARS = 2000  # a note or a reason (step_runs.note)
MAX_REFERENCE_CHARS = 200  # a change reference or a ticket (step_runs.change_reference)
MAX_LINK_CHARS = 2000
_STEP_KEY = re.compile(r"[a-z][a-z0-9_]{0,62}")

# Step runs a person looks at, most pressing first; `status` lists these (at most WORKLOADS_SHOWN a step).
ATTENTION: tuple[str, ...] = ("failed", "awaiting_person", "pending_approval", "waiting", "in_progress")
WORKLOADS_SHOWN = 20
FINISHED_RUNBOOKS: tuple[str, ...] = ("completed", "rolled_back", "cancelled")


# --------------------------------------------------------------------------------------------- requests
def checked_text(option: str, text: str, limit: int) -> str:
    """`text` stripped, refused when blank or longer than `limit` characters."""
    value = text.strip()
    if not value:
        raise ValueError(f"{option} is blank")
    if len(value) > limit:
        raise ValueError(f"{option} is {len(value)} characters long; at most {limit}")
    return value


def checked_link(link: str) -> str:
    value = checked_text("--link", link, MAX_LINK_CHARS)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--link {value!r:.80} is not an http(s) URL; write one like https://tickets.example.com/CHG1")
    return value


def parsed_where(items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """`field=value` items as (field, value) pairs: known fields only, each once, values bounded."""
    pairs: dict[str, str] = {}
    for item in items:
        field, sep, value = item.partition("=")
        field = field.strip().lower()
        if not sep:
            raise ValueError(f"--where {item!r:.60}: write field=value, e.g. environment=production")
        if field not in WHERE_FIELDS:
            raise ValueError(f"--where: unknown field {field!r:.40}; fields are environment, os_family, criticality, "
                             "application, hostname")
        name = WHERE_FIELDS[field]
        if name in pairs:
            raise ValueError(f"--where: {name} is given twice")
        pairs[name] = checked_text(f"--where {field}", value, MAX_VALUE_CHARS)
    return tuple(pairs.items())


@dataclass(frozen=True)
class ExecutionAction:
    """A person's action on a wave, checked: build it with `action_request`."""

    action: str
    wave: int
    step: str | None = None
    selection: dict[str, Any] | None = None  # {asset, application, where, all}: step actions only
    note: str | None = None  # the reason, for actions that need one
    link: str | None = None
    ticket: str | None = None
    change_reference: str | None = None
    force: bool = False

    def payload(self) -> dict[str, Any]:
        """What the person's request records (and the wave's workflow checks as an ActionPayload and acts on)."""
        return ActionPayload.model_validate({
            "action": self.action, "wave": self.wave, "step": self.step, "selection": self.selection,
            "note": self.note, "evidence": {"link": self.link, "ticket": self.ticket},
            "change_reference": self.change_reference, "force": self.force}).model_dump(mode="json")

    def selected(self) -> str:
        """The selection in the words a person typed it."""
        sel = self.selection or {}
        if sel.get("all"):
            return "--all"
        if sel.get("asset") is not None:
            return f"--asset {sel['asset']}"
        if sel.get("application") is not None:
            return f"--application {sel['application']}"
        return " ".join(f"--where {k}={v}" for k, v in (sel.get("where") or {}).items())


def action_request(action: str, wave: int, *, step: str | None = None, asset: str | None = None,
                   application: str | None = None, where: Sequence[str] = (), all_workloads: bool = False,
                   note: str | None = None, reason: str | None = None, link: str | None = None,
                   ticket: str | None = None, change_reference: str | None = None,
                   force: bool = False) -> ExecutionAction:
    """An action checked for what it may and must say (ValueError naming the option otherwise)."""
    if action not in STEP_ACTIONS + WAVE_ACTIONS:
        raise ValueError(f"unknown action {action!r:.40}; actions are {', '.join(STEP_ACTIONS + WAVE_ACTIONS)}")
    if wave < 0:
        raise ValueError(f"--wave {wave}: waves are numbered from 0")
    if note is not None and reason is not None:
        raise ValueError("give --reason or --note, not both (the reason is recorded as the note)")
    if action in REASONED_ACTIONS and reason is None:
        raise ValueError(f"{action} needs --reason TEXT: why")
    if force and action != "retry":
        raise ValueError("--force applies to retry only (it runs a completed step again)")
    text = reason if reason is not None else note
    checked = {
        "note": None if text is None else checked_text("--reason" if reason is not None else "--note", text,
                                                       MAX_NOTE_CHARS),
        "link": None if link is None else checked_link(link),
        "ticket": None if ticket is None else checked_text("--ticket", ticket, MAX_REFERENCE_CHARS),
        "change_reference": None if change_reference is None else checked_text("--change-ref", change_reference,
                                                                              MAX_REFERENCE_CHARS),
    }
    given = [name for name, value in (("--asset", asset), ("--application", application), ("--where", where),
                                      ("--all", all_workloads)) if value]
    if action in WAVE_ACTIONS:
        extra = given + [name for name, value in (("--step", step), ("--link", link), ("--ticket", ticket),
                                                  ("--change-ref", change_reference)) if value]
        if extra:
            raise ValueError(f"{action} acts on the whole wave: leave out {', '.join(extra)}")
        return ExecutionAction(action, wave, **checked)  # type: ignore[arg-type]
    if step is None and action in KEYED_ACTIONS:
        raise ValueError(f"{action} needs --step KEY: the step it acts on (see `execution status`)")
    if step is not None and not _STEP_KEY.fullmatch(step):
        raise ValueError(f"--step {step!r:.70} is no step key (lower-case letters, digits and _, e.g. go_no_go)")
    if len(given) != 1:
        raise ValueError("select the workloads with one of --asset NAME, --application NAME, --where field=value "
                         "or --all" + (f" (given: {', '.join(given)})" if given else ""))
    selection = {
        "asset": None if asset is None else checked_text("--asset", asset, MAX_VALUE_CHARS),
        "application": None if application is None else checked_text("--application", application, MAX_VALUE_CHARS),
        "where": dict(parsed_where(where)) or None,
        "all": all_workloads,
    }
    return ExecutionAction(action, wave, step, selection, force=force, **checked)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- who may do what
def may(role: str | None, action: str, spec: dict[str, Any] | None = None) -> bool:
    """Whether a member of `role` may ask `action` (of a step with `spec`): the request's right, and for an
    approval the step's approving roles."""
    if role not in REQUEST_ROLES[ACTION_REQUEST_KINDS[action]]:
        return False
    if action in ("approve", "reject") and spec is not None:
        return role in (spec.get("approving_roles") or APPROVING_ROLES)
    return True


def operations(status: str, step_type: str, direction: str, scope: str) -> tuple[str, ...]:
    """What may be asked of a run now (`allowed_operations`; the wave itself is aborted, never abandoned)."""
    return tuple(op for op in allowed_operations(status, step_type, direction)
                 if not (op == "abandon" and scope == "wave"))


def run_operations(role: str | None, status: str, step_type: str, direction: str, scope: str,
                   spec: dict[str, Any]) -> tuple[str, ...]:
    """What a member of `role` may do with one run now."""
    return tuple(op for op in operations(status, step_type, direction, scope) if may(role, op, spec))


def _selection_facts(run: dict[str, Any]) -> dict[str, str | None]:
    return {"environment": run["environment"], "os_family": run["os_family"],
            "criticality": run["business_criticality"], "application": run["application_name"],
            "hostname": run["hostname"]}


def _application_key(run: dict[str, Any]) -> str | None:
    if run["scope"] == "asset" and run["asset_id"] is not None:
        return application_key(run["application_name"], run["asset_id"])
    return run["application_name"]


def check_selected(ref: EngagementRef, request: ExecutionAction, runs: Sequence[dict[str, Any]],
                   role: str | None) -> int:
    """How many of the runs (`selectable_runs` of the request's step) the request selects and may act on;
    ControlError saying why when none (the wave's workflow checks again when it applies it)."""
    where = f"wave {request.wave}" + (f" step {request.step}" if request.step else "")
    if not runs:
        missing = f"has no step {request.step!r}" if request.step else "has no step runs"
        raise ControlError(f"wave {request.wave} of {ref.name!r} {missing}; see `execution status --wave "
                           f"{request.wave}`")
    chosen = [r for r in runs if selection_matches(request.selection or {}, r["scope"], r["workload_key"],
                                                   _application_key(r), r["asset_name"], _selection_facts(r))]
    if not chosen:
        scopes = sorted({r["scope"] for r in runs})
        raise ControlError(f"{where}: nothing matches {request.selected()} (it runs per {' and per '.join(scopes)})")
    eligible = [r for r in chosen if request.action in operations(r["status"], r["step_type"], r["direction"],
                                                                  r["scope"])
                and (request.force or request.action != "retry" or r["status"] != "completed")]
    if not eligible:
        found = Counter(r["status"] for r in chosen)
        hint = ("; --force runs completed ones again" if request.action == "retry" and found.get("completed")
                and not request.force else "")
        selected = "the selected run may not" if len(chosen) == 1 else f"none of the {len(chosen)} selected runs may"
        raise ControlError(f"{where}: {selected} be {DONE_AS[request.action]} "
                           f"({', '.join(f'{n} {s}' for s, n in sorted(found.items()))}){hint}")
    if request.action in ("approve", "reject"):
        roles = {role_ for r in eligible for role_ in (r["spec"].get("approving_roles") or APPROVING_ROLES)}
        if role not in roles:
            raise ControlError(f"{where} is decided by {' or '.join(sorted(roles))}; your role is "
                               f"{role or 'not a member'}")
    if (request.action == "approve" and request.change_reference is None
            and any(r["spec"].get("change_reference_required") for r in eligible)):
        raise ControlError(f"{where} needs a change reference to approve: give --change-ref REF")
    return len(eligible)


def _check_role(ref: EngagementRef, action: str, role: str | None) -> None:
    allowed = REQUEST_ROLES[ACTION_REQUEST_KINDS[action]]
    if role not in allowed:
        raise ControlError(f"you may not {action} in {ref.name!r} (role: {role or 'not a member'}; allowed: "
                           f"{', '.join(allowed)})")


# --------------------------------------------------------------------------------------------- actions
async def _latest_runbook(pool: asyncpg.Pool, ref: EngagementRef, wave: int) -> dict[str, Any]:
    found = await reads.waves(pool, ref, wave)
    if not found:
        raise ControlError(f"engagement {ref.name!r} has no wave {wave}; see `execution status`")
    if found[0]["runbook_id"] is None:
        start = found[0]["planned_start"]
        raise ControlError(f"wave {wave} of {ref.name!r} has not started" + (f" (planned start {start})" if start else "")
                           + "; see `execution status`")
    return found[0]


async def _running_wave(client: Client, ref: EngagementRef, wave: int) -> WorkflowHandle[Any, Any]:
    """The handle of the wave's workflow; ControlError when it does not run."""
    handle = client.get_workflow_handle(wave_workflow_id(ref.id, wave))
    try:
        described = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(f"wave {wave} of {ref.name!r} is not running (no workflow runs it); see "
                               "`execution status`") from None
        raise
    if described.status != WorkflowExecutionStatus.RUNNING:
        raise ControlError(f"wave {wave} of {ref.name!r} is not running (its workflow "
                           f"{(described.status.name if described.status else 'ended').lower()}); see "
                           "`execution status`")
    return handle


async def _update(handle: WorkflowHandle[Any, Any], name: str, argument: Any, result_type: type, timeout: timedelta,
                  *, unanswered: str, gone: str) -> Any:
    """Send an update and wait (at most `timeout`) for its answer; a refusal, no worker (`unanswered`) or a workflow
    that ended meanwhile (`gone`) is one line."""
    try:
        return await asyncio.wait_for(handle.execute_update(name, argument, result_type=result_type),
                                      timeout.total_seconds())
    except WorkflowUpdateFailedError as err:
        raise ControlError(root_message(err)) from None
    except (asyncio.TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise NoWorkerError(f"{unanswered}: no worker answered within {timeout.total_seconds():.0f} s; "
                            "it may still be applied when one runs, so check `execution status` before you ask "
                            "again") from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ControlError(gone) from None
        raise


async def _send(handle: WorkflowHandle[Any, Any], ref: EngagementRef, request: ExecutionAction, request_id: UUID,
                timeout: timedelta) -> ActionResult:
    update = ExecutionActionRequest(client_account_id=ref.client_account_id, action=request.action,  # type: ignore[arg-type]
                                    request_id=request_id)
    return await _update(handle, UPDATE_NAME, update, ActionResult, timeout,
                         unanswered=f"wave {request.wave} of {ref.name!r}",
                         gone=f"wave {request.wave} of {ref.name!r} ended before the action reached it; see "
                              "`execution status`")


async def act(client: Client, pool: asyncpg.Pool, ref: EngagementRef, request: ExecutionAction, user: UUID, *,
              timeout: timedelta = UPDATE_TIMEOUT) -> str:
    """Check the action against the wave's runbook as recorded, record it as `user`'s request (through `pool`:
    a person's own login, or a service connection acting for `user`) and have the wave's workflow apply it;
    its answer, in one line."""
    wave = await _latest_runbook(pool, ref, request.wave)
    role = await reads.member_role(pool, ref, user)
    _check_role(ref, request.action, role)
    if request.action in WAVE_ACTIONS:
        if request.action not in wave_operations(wave["status"]):
            allowed = " or ".join(DONE_AS[op] for op in wave_operations(wave["status"]))
            raise ControlError(f"wave {request.wave} of {ref.name!r} is {wave['status'].replace('_', ' ')}: "
                               + (f"it may be {allowed}" if allowed else f"nothing to {request.action}"))
    else:
        check_selected(ref, request, await reads.selectable_runs(pool, ref, wave["runbook_id"], request.step), role)
    handle = await _running_wave(client, ref, request.wave)
    request_id = await record_request(pool, ref, ACTION_REQUEST_KINDS[request.action], payload=request.payload(),
                                      on_behalf_of=user)
    return (await _send(handle, ref, request, request_id, timeout)).message


async def start_wave(client: Client, pool: asyncpg.Pool, ref: EngagementRef, wave: int, user: UUID, *,
                     timeout: timedelta = UPDATE_TIMEOUT) -> str:
    """Start a wave now rather than on its planned date (it still waits for the waves it depends on): recorded as
    `user`'s request and sent to the engagement's execution flow, which verifies it; its answer, in one line."""
    handle = client.get_workflow_handle(phase_workflow_id(ref.id, "execution"))
    request_id = await record_request(pool, ref, "wave_start", payload={"wave": wave}, on_behalf_of=user)
    return await _update(handle, "start_wave", WaveStartRequest(
        client_account_id=ref.client_account_id, wave_number=wave, request_id=request_id), str, timeout,
        unanswered=f"{ref.name!r}", gone=f"the execution of {ref.name!r} is not running; see `status`")


async def pause_or_resume_all(client: Client, pool: asyncpg.Pool, ref: EngagementRef, action: str, user: UUID, *,
                              timeout: timedelta = UPDATE_TIMEOUT) -> list[str]:
    """Pause every running wave (or resume every paused one); the answer of each, one line a wave."""
    waves = [w for w in await reads.waves(pool, ref) if action in wave_operations(w["status"] or "")]
    if not waves:
        state = "running" if action == "pause" else "paused"
        raise ControlError(f"no wave of {ref.name!r} is {state}; see `execution status`")
    return [await act(client, pool, ref, action_request(action, w["wave_number"]), user, timeout=timeout)
            for w in waves]


# --------------------------------------------------------------------------------------------- status
def waits_for(run: dict[str, Any], step_type: str, spec: dict[str, Any]) -> str:
    """What a run waits for, and for whom, in a few words."""
    status = run["status"]
    if status == "failed":
        return f"failed after {counted(run['attempts'], 'attempt')}: {run['error'] or 'no error recorded'}"
    if status == "awaiting_person":
        return f"waits for {spec.get('owner') or 'a person'} to complete it"
    if status == "pending_approval":
        roles = " or ".join(spec.get("approving_roles") or APPROVING_ROLES)
        given = [a for a in run["approvals"] if a.get("decision") == "approved"]
        by = f": {', '.join(a.get('email') or str(a.get('person')) for a in given)}" if given else ""
        escalated = (f"; escalated {run['escalated_at']:%Y-%m-%d %H:%M} UTC"
                     + (f" to {spec['escalate_to']}" if spec.get("escalate_to") else "")) if run["escalated_at"] else ""
        return f"waits for approval by {roles} ({len(given)} of {spec.get('quorum') or 1} given{by}){escalated}"
    if status == "waiting":
        when = run["next_attempt_at"]
        return f"waits until {when:%Y-%m-%d %H:%M} UTC" if when else "waits"
    return f"in progress (attempt {max(run['attempts'], 1)})" if step_type in ("automated", "validation",
                                                                                 "smoke_test") else "in progress"


def workload_name(run: dict[str, Any]) -> str:
    """A run's workload as a person knows it: the wave, an application's name, an asset's name."""
    if run["workload_key"] == "wave":
        return "the wave"
    if run["asset_name"] is not None:
        return run["asset_name"]
    return run["application_name"] or run["workload_key"]


async def status(pool: asyncpg.Pool, ref: EngagementRef, user: UUID, wave: int | None = None, *,
                 workloads_shown: int | None = WORKLOADS_SHOWN) -> dict[str, Any]:
    """Where the engagement's execution stands: each planned wave (or `wave`) with its latest run, its steps
    counted by status, the runs waiting or failed (at most `workloads_shown` a step; None: all), and what
    `user` may do (operations by how many runs allow them)."""
    role = await reads.member_role(pool, ref, user)
    found = await reads.waves(pool, ref, wave)
    if wave is not None and not found:
        raise ControlError(f"engagement {ref.name!r} has no wave {wave}; see `execution status`")
    waves = []
    for row in found:
        item = {"wave": row["wave_number"], "name": row["name"], "planned_start": row["planned_start"],
                "planned_end": row["planned_end"], "runbook_id": row["runbook_id"], "run_number": row["run_number"],
                "status": row["status"] or "not started", "cutover_start": row["cutover_start"],
                "cutover_end": row["cutover_end"], "abort_reason": row["abort_reason"], "counts": row["counts"],
                "operations": [op for op in wave_operations(row["status"] or "") if may(role, op)], "steps": []}
        if row["runbook_id"] is not None:
            item["steps"] = await _steps(pool, ref, row["runbook_id"], role, workloads_shown)
        waves.append(item)
    return {"engagement": {"id": ref.id, "name": ref.name}, "role": role,
            "started": any(w["runbook_id"] is not None for w in waves), "waves": waves}


async def _steps(pool: asyncpg.Pool, ref: EngagementRef, runbook_id: UUID, role: str | None,
                 workloads_shown: int | None) -> list[dict[str, Any]]:
    steps, runs = await reads.runbook_detail(pool, ref, runbook_id, ATTENTION, workloads_shown)
    by_step: dict[UUID, list[dict[str, Any]]] = {}
    for run in runs:
        by_step.setdefault(run["step_id"], []).append(run)
    found = []
    for step in steps:
        spec, counts = step["spec"], step["counts"]
        operations: Counter[str] = Counter()
        for status_, count in counts.items():
            for op in run_operations(role, status_, step["step_type"], step["direction"], step["scope"], spec):
                operations[op] += count
        shown = [{"id": r["id"], "workload": workload_name(r), "workload_key": r["workload_key"],
                  "asset_id": r["asset_id"], "application": r["application_name"], "status": r["status"],
                  "attempts": r["attempts"], "next_attempt_at": r["next_attempt_at"], "error": r["error"],
                  "approvals": r["approvals"], "escalated_at": r["escalated_at"],
                  "waits_for": waits_for(r, step["step_type"], spec),
                  "operations": list(run_operations(role, r["status"], step["step_type"], step["direction"],
                                                    step["scope"], spec))}
                 for r in by_step.get(step["id"], [])]
        found.append({"id": step["id"], "strategy": step["strategy"], "direction": step["direction"],
                      "group": step["group_name"], "scope": step["scope"], "key": step["step_key"],
                      "title": step["title"], "type": step["step_type"], "counts": counts,
                      "operations": dict(operations), "runs": shown,
                      "runs_not_shown": max(0, sum(counts.get(s, 0) for s in ATTENTION) - len(shown))})
    return found
