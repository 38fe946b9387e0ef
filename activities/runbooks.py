"""Wave runbooks: open a wave's run, move its step runs on (executors within the in-flight cap), apply people's
actions, roll back, close. Idempotent: every write moves a run only from the status it was seen in, and a run an
interrupted attempt left in progress is run again with the same idempotency key.

The wave's workflow calls `advance_runbook` whenever something may have changed (a person acted, a timer fired);
it returns once nothing more can start, saying when to look again. Timers are the workflow's: the activity judges
time by the workflow's clock it is given (plus its own elapsed time), so durable waits and time-skipping tests see
one clock.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any
from urllib.parse import quote
from uuid import UUID

import asyncpg
from pydantic import ValidationError
from temporalio import activity

from activities.engagement_context import verified_in
from activities.errors import bad_input
from activities.executors.config import BadExecutorConfig, ExecutorConfig
from activities.executors.registry import run_executor
from activities.heartbeat import heartbeating, progress
from db.pool import tenant_transaction
from db.queries import sql
from db.runbook_templates import current_templates
from domain.execution.contracts import (
    ACTION_REQUEST_KINDS,
    ActionInput,
    ActionPayload,
    ActionResult,
    AdvanceInput,
    AdvanceResult,
    ExecutionSettings,
    RunbookOpened,
    WaveRunInput,
    WaveRunResult,
)
from domain.execution.executor_specs import ExecutorCall, ExecutorOutcome
from domain.execution.parameters import PlaceholderError, fill, placeholders, unsafe_values
from domain.execution.scheduler import Runbook, RunState, StepDef, allowed_operations, selection_matches
from domain.execution.steps import (
    EXECUTOR_TYPES,
    Move,
    after_outcome,
    checks_outcome,
    condition_move,
    on_ready,
    wait_over,
)
from domain.execution.templates import LATEST_YEAR, PLACEHOLDERS_BY_SCOPE, RunbookTemplate, ordered_steps, within_reach
from domain.flow_contracts import RequestCheck, StepInput

FLUSH_SECONDS = 1.0  # outcomes of runs in flight are written together at least this often
MAX_RUNS_PER_WAVE = 100_000  # a look holds every run of its wave in memory (a few hundred bytes each)
WEBHOOK_ENDPOINT = "notifications"  # the executors file's endpoint that receives execution notifications


@dataclass
class _Flight:
    run: RunState
    step: StepDef
    spec: dict[str, Any]
    attempts: int


class RunbookActivities:
    def __init__(self, pool: asyncpg.Pool, executors: ExecutorConfig | None = None) -> None:
        self._pool = pool
        self._executors = executors or ExecutorConfig()
        self._webhook = WEBHOOK_ENDPOINT in self._executors.endpoints

    def _tx(self, inp: StepInput, user: UUID | None = None):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id, user)

    # ------------------------------------------------------------------------------------------------ open
    @activity.defn(name="execution.open_runbook")
    @heartbeating
    async def open_runbook(self, inp: WaveRunInput) -> RunbookOpened:
        """The wave's runbook for this execution flow: created once (steps from each strategy's template, a run
        per step and workload), found again on a retry; then its first look (`advance_runbook`)."""
        step = inp.step
        async with self._tx(step) as conn:
            existing = await conn.fetchrow(sql("wave_runbook_of_flow"), step.phase_flow_id, inp.wave_number)
            if existing is None:
                strategies = [r["strategy"] for r in await conn.fetch(sql("wave_strategies"), inp.wave_number)]
                current = await current_templates(conn)
                templates: dict[str, tuple[RunbookTemplate, dict[str, Any]]] = {
                    strategy: (current[strategy].template, {
                        "name": current[strategy].template.name, "version": current[strategy].template.version,
                        "source": "imported" if current[strategy].imported else "bundled"})
                    for strategy in strategies if strategy in current}  # retain has none: it stays put
                wave = await conn.fetchrow(sql("execution_wave_dates"), inp.wave_number)
                cutover = cutover_window(wave["planned_end"] if wave else None, inp.settings)
                row = await conn.fetchrow(
                    sql("wave_runbook_insert"), step.phase_flow_id, inp.wave_number,
                    {s: source for s, (_, source) in templates.items()}, cutover[0], cutover[1],
                    inp.settings.workload_limit)
                runbook_id, run_number = row["id"], row["run_number"]
                await conn.execute(sql("runbook_steps_insert"), runbook_id,
                                   [r for t, _ in templates.values() for r in step_rows(t)])
                prefix = f"{step.tenant.engagement_id}/wave-{inp.wave_number}.run-{run_number}"
                created = await conn.execute(sql("step_runs_create"), runbook_id, inp.wave_number, prefix)
                if int(created.split()[-1]) > MAX_RUNS_PER_WAVE:
                    raise bad_input(f"wave {inp.wave_number} would hold {created.split()[-1]} step runs (its templates'"
                                    f" steps times its workloads); at most {MAX_RUNS_PER_WAVE:,}: split the wave or "
                                    "use templates with fewer steps")
            else:
                runbook_id, run_number = existing["id"], existing["run_number"]
            counts = await conn.fetchrow(sql("wave_runbook_workloads"), runbook_id, inp.wave_number)
        first = await self._advance(AdvanceInput(step=step, runbook_id=runbook_id, now=inp.now or datetime.now(UTC)))
        return RunbookOpened(runbook_id=runbook_id, run_number=run_number, steps=counts["steps"], runs=counts["runs"],
                             assets=counts["assets"], applications=counts["applications"],
                             without_strategy=counts["without_strategy"], first=first)

    # --------------------------------------------------------------------------------------------- advance
    @activity.defn(name="execution.advance_runbook")
    @heartbeating
    async def advance_runbook(self, inp: AdvanceInput) -> AdvanceResult:
        """Start every run that may start (executors within the wave's in-flight limit), write what they did,
        and return once nothing more can start now; a run whose runs are all done is closed (`close_run`)."""
        return await self._advance(inp)

    async def _advance(self, inp: AdvanceInput) -> AdvanceResult:
        started = time.monotonic()

        def now() -> datetime:
            return inp.now + timedelta(seconds=time.monotonic() - started)

        async with self._tx(inp.step) as conn:
            rows = await conn.fetch(sql("runbook_steps_load"), inp.runbook_id)
        steps = {r["id"]: step_def(r) for r in rows}
        specs = {r["id"]: r["spec"] for r in rows}
        flights: dict[asyncio.Task[ExecutorOutcome | Move], _Flight] = {}
        head, book = await self._look(inp, steps)
        # runs an interrupted attempt left in progress: run again, with the same key, as capacity allows
        orphans = {r.id for r in book.runs if r.status == "in_progress" and steps[r.step_id].direction == inp.direction}
        try:
            while True:
                moving = head["status"] in ("running", "rolling_back")
                busy = {f.run.id for f in flights.values()}
                candidates = book.startable(inp.direction) + book.due(now(), inp.direction) if moving else []
                if moving and orphans:
                    candidates += [r for r in book.runs if r.id in orphans and r.status == "in_progress"]
                candidates = [r for r in candidates if r.id not in busy]
                instant, launch = await self._classify(inp, head, steps, specs, candidates, now())
                instant += self._expired_approvals(book, steps, specs, inp.direction, now()) if moving else []
                moved = await self._write(inp, instant, now(), steps)
                capacity = head["workload_limit"] - len(flights)
                launching = launch[:capacity] if capacity > 0 else []
                for flight, task in await self._launch(inp, launching, specs, steps, now):
                    flights[task] = flight
                    moved[flight.run.id] = ("in_progress", flight.run.next_attempt_at)
                orphans -= {r.id for r in launching}
                if len(moved) < len(instant) + len(launching):
                    head, book = await self._look(inp, steps)  # someone else moved a run meanwhile: read again
                else:
                    book = book.moved(moved)
                if not flights and not moved:
                    break
                if flights:
                    done, _ = await asyncio.wait(flights, timeout=FLUSH_SECONDS,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    finished = [(flights.pop(t), t.result()) for t in done]
                    outcomes = [(f.run, "in_progress", self._after(f, r, now())) for f, r in finished]
                    await self._write(inp, outcomes, now(), steps)
                    # read again while executors run: a person's action (a step completed, a pause, an abort)
                    # takes effect without waiting for them to finish
                    head, book = await self._look(inp, steps)
                progress(book.counts(inp.direction))
        finally:  # however the look ends, no executor it started runs on unseen (a retried look re-runs them)
            for task in flights:
                task.cancel()
            if flights:
                await asyncio.gather(*flights, return_exceptions=True)
        return await self._result(inp, steps, book)

    async def _head(self, inp: AdvanceInput) -> asyncpg.Record:
        async with self._tx(inp.step) as conn:
            head = await conn.fetchrow(sql("wave_runbook_status"), inp.runbook_id)
        if head is None:
            raise bad_input(f"no runbook {inp.runbook_id} in this engagement")
        return head

    async def _look(self, inp: AdvanceInput, steps: dict[UUID, StepDef]) -> tuple[asyncpg.Record, Runbook]:
        """The runbook's status and its runs as the database holds them now."""
        head = await self._head(inp)
        async with self._tx(inp.step) as conn:
            rows = await conn.fetch(sql("step_runs_load"), inp.runbook_id)
        runs = [RunState(id=r["id"], step_id=r["step_id"], workload_key=r["workload_key"],
                         application_key=r["application_name"], status=r["status"],
                         next_attempt_at=r["next_attempt_at"]) for r in rows]
        return head, Runbook(steps.values(), runs)

    async def _classify(self, inp: AdvanceInput, head: asyncpg.Record, steps: dict[UUID, StepDef],
                        specs: dict[UUID, dict[str, Any]], candidates: list[RunState], now: datetime
                        ) -> tuple[list[tuple[RunState, str, Move]], list[RunState]]:
        """Split the runs that may start into those that move at once (a person's step, a wait, a notification,
        a dry run) and those an executor runs."""
        instant: list[tuple[RunState, str, Move]] = []
        launch: list[RunState] = []
        contexts = await self._contexts(inp, [r.id for r in candidates if steps[r.step_id].step_type == "notify" or (
            steps[r.step_id].step_type == "wait" and specs[r.step_id].get("until") not in (None, "cutover_window"))])
        for run in candidates:
            step, spec = steps[run.step_id], specs[run.step_id]
            if step.step_type in EXECUTOR_TYPES and not _dry(step.step_type, spec):
                launch.append(run)
                continue
            if step.step_type in EXECUTOR_TYPES:  # a dry run acts on nothing: completed without taking a slot
                instant.append((run, run.status, Move("completed", output=f"dry run: acted on nothing ({step.key})")))
                continue
            until, message = None, None
            if run.id in contexts:
                try:
                    filled = fill(spec.get("until") or spec.get("message"), placeholder_values(contexts[run.id], step),
                                  PLACEHOLDERS_BY_SCOPE[step.scope])
                    until, message = (None, filled) if step.step_type == "notify" else (_parse_until(filled), None)
                except (PlaceholderError, ValueError) as err:
                    instant.append((run, run.status, Move("failed", error=str(err)[:500], notify="step_failed")))
                    continue
            cutover = (head["cutover_start"], head["cutover_end"])
            if run.status == "waiting" and step.step_type == "wait" and not spec.get("condition"):
                instant.append((run, run.status, wait_over(spec, now, cutover)))
                continue
            move = on_ready(step.step_type, spec, now, now, cutover, until)
            if move is None:  # a wait with a condition: its probe runs like a check
                launch.append(run)
            else:
                instant.append((run, run.status, replace(move, extra={**move.extra, "message": message})
                                if message is not None else move))
        return instant, launch

    def _expired_approvals(self, book: Runbook, steps: dict[UUID, StepDef], specs: dict[UUID, dict[str, Any]],
                           direction: str, now: datetime) -> list[tuple[RunState, str, Move]]:
        """Approvals past their expiry: escalated once (a notification naming whom to), still waiting for their
        approvers."""
        return [(r, "pending_approval", Move("pending_approval", error="approval expired: escalated",
                                              notify="approval_escalated",
                                              extra={"escalate_to": specs[r.step_id].get("escalate_to")}))
                for r in book.runs if r.status == "pending_approval" and r.next_attempt_at is not None
                and r.next_attempt_at <= now and steps[r.step_id].direction == direction]

    async def _launch(self, inp: AdvanceInput, runs: list[RunState], specs: dict[UUID, dict[str, Any]],
                      steps: dict[UUID, StepDef], now: Any) -> list[tuple[_Flight, asyncio.Task]]:
        """Mark runs in progress (an attempt more), then start their executors."""
        if not runs:
            return []
        async with self._tx(inp.step) as conn:
            marked = set(r["id"] for r in await conn.fetch(
                sql("step_runs_update_batch"), inp.runbook_id, now(), [r.status for r in runs], [r.id for r in runs],
                ["in_progress"] * len(runs), [None] * len(runs), [None] * len(runs), [None] * len(runs),
                [None] * len(runs), [1] * len(runs)))
            contexts = {r["id"]: r for r in await conn.fetch(sql("step_runs_context"), inp.runbook_id, list(marked))}
        started = []
        for run in runs:
            if run.id not in marked:
                continue  # a person acted on it meanwhile
            context, step = contexts[run.id], steps[run.step_id]
            flight = _Flight(run, step, specs[run.step_id], context["attempts"])
            started.append((flight, asyncio.create_task(self._carry_out(flight, context, now))))
        return started

    async def _carry_out(self, flight: _Flight, context: asyncpg.Record, now: Any) -> ExecutorOutcome | Move:
        """Run a step's executor (or its checks, or a wait's condition) for one workload."""
        step, spec = flight.step, flight.spec
        values = placeholder_values(context, step)
        key = context["idempotency_key"]

        def params(given: dict[str, Any] | None) -> dict[str, Any]:
            return filled_params(given or {}, values, step)

        timeout = float(spec.get("timeout_seconds", 3600))
        try:
            if step.step_type == "wait":
                condition = spec["condition"]
                outcome = await run_executor(ExecutorCall(executor=condition["executor"], params=params(
                    condition.get("params")), idempotency_key=key, timeout_seconds=60.0), self._executors)
                return condition_move(spec, outcome, now())
            if step.step_type == "automated":
                return await run_executor(ExecutorCall(executor=spec["executor"], params=params(spec.get("params")),
                                                       idempotency_key=key, timeout_seconds=timeout), self._executors)
            checks = spec.get("checks") or []
            results = []
            for check in checks:
                results.append((check, await run_executor(ExecutorCall(
                    executor=check["executor"], params=params(check.get("params")), idempotency_key=key,
                    timeout_seconds=min(timeout, 300.0)), self._executors)))
            outcome, findings = checks_outcome(step.step_type, spec, results)
            return after_outcome(step.step_type, spec, flight.attempts, outcome, now(), findings)
        except (PlaceholderError, BadExecutorConfig) as err:  # the step or the operator must fix it: no retry
            return Move("failed", error=str(err)[:500], notify="step_failed")
        except Exception as err:  # noqa: BLE001 - an executor's own fault fails this run, never the whole wave
            activity.logger.error("executor %s of step %s failed unexpectedly: %s: %s", spec.get("executor"),
                                  step.key, type(err).__name__, err)
            return Move("failed", error=f"internal error in the executor: {type(err).__name__}: {err}"[:500],
                        notify="step_failed")

    def _after(self, flight: _Flight, result: ExecutorOutcome | Move, now: datetime) -> Move:
        if isinstance(result, Move):
            return result
        return after_outcome(flight.step.step_type, flight.spec, flight.attempts, result, now)

    async def _write(self, inp: AdvanceInput, moves: list[tuple[RunState, str, Move]], now: datetime,
                     steps: dict[UUID, StepDef]) -> dict[UUID, tuple[str, datetime | None]]:
        """Write moves (each only from the status it was decided in) and their notifications, in one transaction;
        returns the runs moved with their new status and due time."""
        if not moves:
            return {}
        async with self._tx(inp.step) as conn:
            moved = set(r["id"] for r in await conn.fetch(
                sql("step_runs_update_batch"), inp.runbook_id, now, [e for _, e, _ in moves],
                [r.id for r, _, _ in moves], [m.status for _, _, m in moves],
                [m.next_attempt_at for _, _, m in moves], [m.output for _, _, m in moves],
                [m.error for _, _, m in moves],
                [json.dumps(m.findings) if m.findings is not None else None for _, _, m in moves],
                [0] * len(moves)))
            notes = [(r, m) for r, _, m in moves if m.notify and r.id in moved]
            if notes:
                await conn.execute(
                    sql("execution_notifications_add"), inp.runbook_id, [m.notify for _, m in notes],
                    [f"{r.id}/{m.notify}/{now.isoformat()}" for r, m in notes],
                    [{"step": steps[r.step_id].key, "strategy": steps[r.step_id].strategy, "step_run": str(r.id),
                      "workload": r.workload_key, "status": m.status, "error": m.error, **m.extra}
                     for r, m in notes])
        return {r.id: (m.status, m.next_attempt_at) for r, _, m in moves if r.id in moved}

    async def _result(self, inp: AdvanceInput, steps: dict[UUID, StepDef], book: Runbook) -> AdvanceResult:
        """What this look leaves (`book`: the runs as it wrote them), closing the run when all are done (as the
        database holds them: a person may have moved one meanwhile)."""
        if book.done(inp.direction):
            head, book = await self._look(inp, steps)
        else:
            head = await self._head(inp)
        counts = book.counts(inp.direction)
        done = book.done(inp.direction)
        closed = None
        if done:
            async with self._tx(inp.step) as conn:
                closed = await close_run(conn, inp.runbook_id, inp.step.phase_flow_id, inp.direction)
        unsent = 0
        if self._webhook:  # without a webhook the outbox is only read (execution status, the report)
            async with self._tx(inp.step) as conn:  # the wave's own notification included
                unsent = await conn.fetchval(sql("execution_notifications_unsent"), inp.runbook_id)
        return AdvanceResult(counts=counts, done=done, next_wake_at=book.next_wake(inp.direction),
                             waiting_for_people=counts.get("awaiting_person", 0) + counts.get("pending_approval", 0),
                             failed=counts.get("failed", 0), notifications=unsent,
                             status=closed.status if closed else head["status"], closed=closed)

    @activity.defn(name="execution.send_notifications")
    async def send_notifications(self, inp: AdvanceInput) -> int:
        """Post the runbook's unsent notifications to the configured webhook (its Idempotency-Key: the
        notification's id, so a receiver that honours it sees each once); returns how many were delivered.
        Raises (retried) while some could not be."""
        async with self._tx(inp.step) as conn:
            rows = await conn.fetch(sql("execution_notifications_next"), inp.runbook_id)
        sent, failures = 0, []
        for row in rows:
            body = {"kind": row["kind"], "engagement": row["engagement_name"], "engagement_id": str(row["engagement_id"]),
                    "wave": row["wave_number"], "run": row["run_number"], "at": row["created_at"].isoformat(),
                    **row["payload"]}
            try:
                outcome = await run_executor(ExecutorCall(
                    executor="http", params={"endpoint": WEBHOOK_ENDPOINT, "body": body},
                    idempotency_key=str(row["id"]), timeout_seconds=30.0), self._executors)
            except BadExecutorConfig as err:
                outcome = ExecutorOutcome(status="failed", error=str(err))
            async with self._tx(inp.step) as conn:
                await conn.execute(sql("execution_notification_sent"), row["id"], outcome.status == "completed",
                                   outcome.error)
            if outcome.status == "completed":
                sent += 1
            else:
                failures.append(outcome.error or outcome.status)
        if failures:
            raise RuntimeError(f"{len(failures)} notification(s) not delivered: {failures[0]}")
        return sent

    async def _contexts(self, inp: AdvanceInput, ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
        if not ids:
            return {}
        async with self._tx(inp.step) as conn:
            return {r["id"]: r for r in await conn.fetch(sql("step_runs_context"), inp.runbook_id, ids)}


def step_def(row: asyncpg.Record) -> StepDef:
    return StepDef(id=row["id"], strategy=row["strategy"], key=row["step_key"], step_type=row["step_type"],
                   group_index=row["group_index"], scope=row["scope"], position=row["position"],
                   needs=tuple(row["needs"]), direction=row["direction"])


def _dry(step_type: str, spec: dict[str, Any]) -> bool:
    """Whether every executor of the step is the dry run."""
    if step_type == "automated":
        return spec.get("executor") == "dry_run"
    return all(c.get("executor") == "dry_run" for c in spec.get("checks") or [])


def _parse_until(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not within_reach(moment):
        raise ValueError(f"until {text[:60]!r} is beyond the year {LATEST_YEAR}")
    return moment


URL_PARAMETERS = ("url", "path")  # values filled into these are percent-encoded: they cannot add a path or query


def filled_params(params: dict[str, Any], values: dict[str, str | None], step: StepDef) -> dict[str, Any]:
    """A step's parameters with its placeholders filled from the workload's values; inventory text is untrusted:
    a value that is unsafe where it goes fails the run (PlaceholderError), and values filled into a URL or path
    are percent-encoded."""
    allowed = PLACEHOLDERS_BY_SCOPE[step.scope]
    for name, why in unsafe_values(values, placeholders(params) & allowed).items():
        raise PlaceholderError(name, f"{name} {values[name]!r:.80} {why}: not used for ${{{name}}}")
    encoded = {k: quote(v, safe=":") if v is not None else None for k, v in values.items()}
    return {key: fill(value, encoded if key in URL_PARAMETERS else values, allowed) for key, value in params.items()}


def cutover_window(planned_end: date | None, settings: ExecutionSettings) -> tuple[datetime | None, datetime | None]:
    """The wave's cutover window: from the configured hour of its planned end date, for the configured hours;
    none when planned dates are not honoured (the wait for the window then proceeds at once, saying so)."""
    if planned_end is None or not settings.honour_planned_dates:
        return None, None
    start = datetime.combine(planned_end, day_time(settings.cutover_hour_utc), tzinfo=UTC)
    return start, start + timedelta(hours=settings.cutover_window_hours)


def placeholder_values(context: asyncpg.Record, step: StepDef) -> dict[str, str | None]:
    """What placeholders are filled from, for one run."""
    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    values = {
        "wave.number": text(context["wave_number"]), "wave.name": text(context["wave_name"]),
        "wave.planned_start": text(context["planned_start"]), "wave.planned_end": text(context["planned_end"]),
        "engagement.name": text(context["engagement_name"]), "engagement.id": text(context["engagement_id"]),
        "step.key": step.key, "idempotency_key": context["idempotency_key"],
        "application.name": text(context["application_name"]),
    }
    if step.scope == "asset":
        values.update({
            "asset.name": text(context["asset_name"]), "asset.hostname": text(context["hostname"]),
            "asset.ip_address": text(context["ip_address"]), "asset.fqdn": text(context["fqdn"]),
            "asset.os": text(context["operating_system"]), "asset.environment": text(context["environment"]),
            "asset.target_platform": text(context["target_platform"]), "asset.id": text(context["asset_id"]),
        })
    return values


def step_rows(template: RunbookTemplate) -> list[dict[str, Any]]:
    """The rows of runbook_steps for a template: each forward step, and the compensation of those that have one
    (same group and position: compensations run in reverse order of them)."""
    rows = []
    for ordered in ordered_steps(template):
        spec = ordered.step.model_dump(mode="json", exclude_none=True)
        rollback = spec.pop("rollback", None)
        base = {"strategy": template.strategy, "group_index": ordered.group_index, "group_name": ordered.group,
                "scope": ordered.scope, "position": ordered.position}
        rows.append({**base, "direction": "forward", "step_key": ordered.key, "title": ordered.step.title,
                     "step_type": ordered.step.type, "needs": list(ordered.needs), "spec": spec})
        if rollback:
            rows.append({**base, "direction": "rollback", "step_key": ordered.key, "title": rollback["title"],
                         "step_type": rollback["type"], "needs": [], "spec": rollback})
    return rows


# ---------------------------------------------------------------------------------------- people's actions
STEP_ACTIONS = frozenset({"complete", "approve", "reject", "retry", "skip", "abandon"})
WAVE_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {  # action: (statuses it applies in, status it sets)
    "pause": (("running",), "paused"),
    "resume": (("paused",), "running"),
    "abort": (("running", "paused"), "aborting"),
}


class RunbookActionActivities:
    """A person's verified action on a wave runbook, applied in one transaction under their identity."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="execution.apply_action")
    async def apply_action(self, inp: ActionInput) -> ActionResult:
        """Verify the person's recorded request (what it asks, their role now) and apply it as them, in one
        transaction: the claim of the request commits with its effect."""
        step = inp.step
        async with tenant_transaction(self._pool, step.tenant.client_account_id, step.tenant.engagement_id) as conn:
            verified = await verified_in(conn, RequestCheck(
                tenant=step.tenant, request_id=inp.request_id, kind=ACTION_REQUEST_KINDS[inp.action],
                claimant=inp.claimant))
            try:  # whoever wrote the request, whatever client sent it: its shape is checked before it acts
                checked = ActionPayload.model_validate(verified.payload)
            except ValidationError as err:
                problem = err.errors()[0]
                raise bad_input(f"request {inp.request_id} is malformed: {'.'.join(map(str, problem['loc']))}: "
                                f"{problem['msg']}") from None
            if verified.person is None or checked.action != inp.action or checked.wave != inp.wave_number:
                raise bad_input(f"request {inp.request_id} does not ask to {inp.action} in wave {inp.wave_number}")
            payload = checked.model_dump()
            # the audit names the person from here on
            await conn.execute(sql("set_tenant_context"), str(step.tenant.client_account_id),
                               str(step.tenant.engagement_id), str(verified.person))
            act = Act(action=inp.action, person=verified.person, role=verified.role, payload=payload, now=inp.now)
            found = await conn.fetchrow(sql("wave_runbook_of_flow"), step.phase_flow_id, inp.wave_number)
            if found is None:
                raise bad_input(f"wave {inp.wave_number} is still opening its runbook; try again shortly")
            runbook_id = found["id"]
            if inp.action in WAVE_ACTIONS:
                return await _wave_action(conn, runbook_id, act)
            head = await conn.fetchrow(sql("wave_runbook_status"), runbook_id)
            if head["status"] not in ("running", "paused", "rolling_back"):
                raise bad_input(f"wave {head['wave_number']} is {head['status']}: its steps take no actions")
            # a wave rolling back takes actions on its compensations only
            direction = "rollback" if head["status"] == "rolling_back" else "forward"
            rows = [r for r in await conn.fetch(sql("step_runs_for_action"), runbook_id, payload.get("step"))
                    if r["direction"] == direction]
            if not rows:
                raise bad_input(f"wave {head['wave_number']} has no {'compensation' if direction == 'rollback' else 'step'}"
                                f" {payload.get('step')!r}")
            assets = {a["id"]: a for a in await conn.fetch(
                sql("execution_status_asset_facts"), list({r["asset_id"] for r in rows if r["asset_id"]}))}
            selected = [r for r in rows if _selected(payload.get("selection") or {}, r, assets.get(r["asset_id"]))]
            if not selected:
                raise bad_input("nothing in the wave matches the selection")
            changes = plan_action(act, selected)
            if not changes:
                statuses = sorted({r["status"] for r in selected})
                raise bad_input(f"no selected run allows {inp.action} (they are {', '.join(statuses)}); "
                                "see `execution status`")
            evidence = {k: v for k, v in (payload.get("evidence") or {}).items() if v is not None}
            moved = await conn.fetch(
                sql("step_runs_person_update"), runbook_id, act.person, payload.get("note"),
                evidence or None, payload.get("change_reference"),
                [c["id"] for c in changes], [c["expected"] for c in changes], [c["status"] for c in changes],
                [json.dumps(c["approvals"]) for c in changes], [c["error"] for c in changes],
                [c["attempts"] for c in changes], [c["generation"] for c in changes],
                [c["idempotency_key"] for c in changes])
        done = [c for c in changes if c["status"] != c["expected"] or c["approvals"] != c["before"]]
        return ActionResult(affected=len(moved), message=_said(inp.action, payload, len(moved), done, len(selected)))


def _selected(selection: dict[str, Any], run: asyncpg.Record, asset: asyncpg.Record | None) -> bool:
    """Whether a run belongs to the person's selection (by its asset's name and facts, or its application)."""
    facts = {"environment": asset["environment"], "os_family": asset["os_family"],
             "criticality": asset["business_criticality"], "hostname": asset["hostname"],
             "application": run["application_name"]} if asset else {}
    return selection_matches(selection, run["scope"], run["workload_key"], run["application_name"],
                             asset["name"] if asset else None, facts)


@dataclass(frozen=True)
class Act:
    """A verified action: what the person recorded, as them, with their role now."""

    action: str
    person: UUID
    role: str | None
    payload: dict[str, Any]
    now: datetime


async def _wave_action(conn: asyncpg.Connection, runbook_id: UUID, act: Act) -> ActionResult:
    applies_in, target = WAVE_ACTIONS[act.action]
    reason = act.payload.get("note") if act.action == "abort" else None
    row = await conn.fetchrow(sql("wave_runbook_set_status"), runbook_id, target, list(applies_in), reason,
                              act.person if act.action == "abort" else None)
    head = await conn.fetchrow(sql("wave_runbook_status"), runbook_id)
    if row is None:
        raise bad_input(f"wave {head['wave_number']} is {head['status']}: it cannot {act.action}")
    what = {"pause": "paused: no step starts until it is resumed (steps in flight finish)",
            "resume": "resumed", "abort": "aborted: its completed steps are being rolled back in reverse order"}
    return ActionResult(affected=1, message=f"wave {head['wave_number']} {what[act.action]}")


def plan_action(inp: Act, rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """The change each selected run gets from the action, for runs whose status allows it (pure but for the
    records it reads)."""
    payload, changes = inp.payload, []
    for r in rows:
        if inp.action not in allowed_operations(r["status"], r["step_type"], r["direction"]):
            continue
        if inp.action == "retry" and r["status"] == "completed" and not payload.get("force"):
            continue
        if inp.action == "complete" and r["step_type"] != "manual":
            continue
        change = {"id": r["id"], "expected": r["status"], "status": r["status"], "before": r["approvals"],
                  "approvals": r["approvals"], "error": None, "attempts": r["attempts"],
                  "generation": r["generation"], "idempotency_key": r["idempotency_key"]}
        if inp.action == "complete":
            change["status"] = "completed"
        if inp.action in ("approve", "reject") and inp.role not in r["spec"].get("approving_roles",
                                                                                  ("owner", "approver")):
            raise bad_input(f"step {r['step_key']} is decided by {', '.join(r['spec'].get('approving_roles'))}; "
                            f"your role is {inp.role}")
        if inp.action == "approve":
            spec = r["spec"]
            if spec.get("change_reference_required") and not (payload.get("change_reference") or "").strip():
                raise bad_input(f"step {r['step_key']} needs a change reference: add --change-ref")
            approvals = list(r["approvals"])
            if any(a.get("person") == str(inp.person) for a in approvals):
                continue  # one approval per person
            approvals.append({"person": str(inp.person), "role": inp.role, "decision": "approved",
                              "at": inp.now.isoformat(), "note": payload.get("note")})
            change["approvals"] = approvals
            if len(approvals) >= int(spec.get("quorum", 1)):
                change["status"] = "completed"
        elif inp.action == "reject":
            change["status"] = "failed"
            change["approvals"] = [*r["approvals"], {"person": str(inp.person), "role": inp.role,
                                                     "decision": "rejected", "at": inp.now.isoformat(),
                                                     "note": payload.get("note")}]
            change["error"] = f"rejected: {payload.get('note') or 'no reason given'}"[:2000]
        elif inp.action == "retry":
            change["status"], change["attempts"], change["approvals"] = "not_started", 0, []
            if r["status"] == "completed":  # run again on request: a new generation of its idempotency key
                change["generation"] = r["generation"] + 1
                change["idempotency_key"] = r["idempotency_key"].rsplit("/", 1)[0] + f"/{r['generation'] + 1}"
        elif inp.action == "skip":
            change["status"] = "skipped"
        elif inp.action == "abandon":
            if r["scope"] == "wave":
                continue  # the wave itself is aborted, not abandoned
            change["status"] = "abandoned"
        changes.append(change)
    return changes


def _said(action: str, payload: dict[str, Any], moved: int, changes: list[dict[str, Any]], selected: int) -> str:
    step = f" of step {payload['step']}" if payload.get("step") else ""
    if action == "approve":
        completed = sum(1 for c in changes if c["status"] == "completed")
        waiting = moved - completed
        return (f"approved {moved} run{'s' if moved != 1 else ''}{step}: {completed} complete"
                + (f", {waiting} still need more approvals" if waiting else ""))
    verb = {"complete": "completed", "reject": "rejected", "retry": "queued again", "skip": "skipped",
            "abandon": "abandoned"}[action]
    skipped = selected - moved
    return (f"{verb} {moved} run{'s' if moved != 1 else ''}{step}"
            + (f" ({skipped} selected run{'s' if skipped != 1 else ''} did not allow it)" if skipped else ""))


# ------------------------------------------------------------------------------------- rollback and close
async def close_run(conn: asyncpg.Connection, runbook_id: UUID, flow_id: UUID, direction: str) -> WaveRunResult:
    """Record the end of a wave run: forward done → completed (assets migrated, those a person abandoned
    skipped); rollback done → rolled back (its assets too). Idempotent."""
    status = "completed" if direction == "forward" else "rolled_back"
    head = await conn.fetchrow(sql("wave_runbook_status"), runbook_id)
    await conn.fetchrow(sql("wave_runbook_set_status"), runbook_id, status,
                        ["running", "paused", "aborting", "rolling_back"], None, None)
    await conn.execute(sql("execution_wave_close"), head["wave_number"], status)
    assets = [r["migration_status"] for r in await conn.fetch(sql("execution_assets_close"), runbook_id, flow_id,
                                                             status)]
    await conn.execute(sql("execution_notification_wave"), runbook_id,
                       "wave_completed" if status == "completed" else "wave_rolled_back",
                       {"wave": head["wave_number"], "run": head["run_number"], "status": status,
                        "assets": len(assets)})
    return WaveRunResult(wave_number=head["wave_number"], status=status, assets_migrated=assets.count("migrated"),
                         assets_rolled_back=assets.count("rolled_back"), assets_abandoned=assets.count("skipped"))


class RunbookCloseActivities:
    """Start a wave's rollback, or record that its workflow was cancelled."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def _tx(self, inp: StepInput):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id)

    @activity.defn(name="execution.begin_rollback")
    async def begin_rollback(self, inp: AdvanceInput) -> int:
        """A compensation is queued for every forward run that completed, or was in progress (it may have acted),
        whose step has one; then the open forward runs are abandoned. Returns how many compensations are queued.
        Idempotent."""
        async with self._tx(inp.step) as conn:
            await conn.execute(sql("step_runs_create_rollbacks"), inp.runbook_id)  # before the open ones are abandoned
            await conn.execute(sql("step_runs_abort_open"), inp.runbook_id)
            await conn.fetchrow(sql("wave_runbook_set_status"), inp.runbook_id, "rolling_back",
                                ["aborting", "running", "paused"], None, None)
            return await conn.fetchval(sql("step_runs_rollback_count"), inp.runbook_id)

    @activity.defn(name="execution.cancel_runbook")
    async def cancel_runbook(self, inp: WaveRunInput) -> None:
        """The wave's workflow was cancelled (the engagement's execution was): its runbook (found by flow and
        wave: it may have been cancelled while opening) and the wave say so."""
        async with self._tx(inp.step) as conn:
            found = await conn.fetchrow(sql("wave_runbook_of_flow"), inp.step.phase_flow_id, inp.wave_number)
            if found is not None:
                await conn.fetchrow(sql("wave_runbook_set_status"), found["id"], "cancelled",
                                    ["running", "paused", "aborting", "rolling_back"], None, None)
            await conn.execute(sql("execution_wave_close"), inp.wave_number, "cancelled")
