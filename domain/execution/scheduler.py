"""Which step runs of a wave runbook may start now, what a person may do with each, and when a wave is done.

Pure: the execution activity loads a runbook's steps and runs, asks this module, and writes what follows.

A runbook holds, per strategy, the groups of its template in order; a step runs once per workload of its
group's scope: the wave itself, each application of the wave, or each asset. A run may start when
* every step it `needs` (same group, so the same workload) is done for its workload, and
* every run of an earlier group of the same strategy that concerns its workload is done: for a wave-scope run
  every run; for an application, the wave's runs, its own and its assets'; for an asset, the wave's runs, its
  application's and its own.
Done means completed, skipped or abandoned (a successor proceeds past a step a person skipped or a workload a
person abandoned). Rollback runs go the other way: a compensation starts once the compensations of every later
forward step (by group, then position) concerning its workload are done, so they run in reverse order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

DONE = frozenset({"completed", "skipped", "abandoned"})
NO_APPLICATION = "asset:"  # an asset without an application stands for itself at application scope


@dataclass(frozen=True)
class StepDef:
    id: UUID
    strategy: str
    key: str
    step_type: str
    group_index: int
    scope: str  # wave | application | asset
    position: int
    needs: tuple[str, ...]
    direction: str = "forward"


@dataclass(frozen=True)
class RunState:
    id: UUID
    step_id: UUID
    workload_key: str  # 'wave', an application key, or an asset id
    application_key: str | None  # asset runs: the application the asset belongs to (see application_key())
    status: str
    next_attempt_at: datetime | None = None


def application_key(application_name: str | None, asset_id: UUID) -> str:
    """The application workload an asset belongs to: its application's name, or the asset alone."""
    name = (application_name or "").strip()
    return name if name else f"{NO_APPLICATION}{asset_id}"


@dataclass
class _OpenRuns:
    """The runs of one step not yet done, counted the ways a later run asks about them."""

    wave: int = 0
    by_application: dict[str, int] | None = None  # application-scope runs by application
    assets_by_application: dict[str, int] | None = None  # asset-scope runs by their asset's application
    by_asset: dict[str, int] | None = None

    def add(self, scope: str, run: RunState) -> None:
        if scope == "wave":
            self.wave += 1
        elif scope == "application":
            self.by_application = self.by_application or defaultdict(int)
            self.by_application[run.workload_key] += 1
        else:
            self.assets_by_application = self.assets_by_application or defaultdict(int)
            self.by_asset = self.by_asset or defaultdict(int)
            self.assets_by_application[run.application_key or ""] += 1
            self.by_asset[run.workload_key] += 1

    def concern(self, scope: str, run: RunState) -> bool:
        """Whether any of these runs concerns the workload of `run` (of a step of `scope`)."""
        if self.wave:
            return True
        apps, assets_by_app, assets = self.by_application or {}, self.assets_by_application or {}, self.by_asset or {}
        if scope == "wave":
            return bool(apps) or bool(assets)
        if scope == "application":
            return apps.get(run.workload_key, 0) > 0 or assets_by_app.get(run.workload_key, 0) > 0
        return apps.get(run.application_key or "", 0) > 0 or assets.get(run.workload_key, 0) > 0


class Runbook:
    """A runbook's steps and runs, indexed for readiness questions."""

    def __init__(self, steps: Iterable[StepDef], runs: Iterable[RunState]) -> None:
        self.steps = {s.id: s for s in steps}
        self.runs = list(runs)
        self._by_step_workload = {(r.step_id, r.workload_key): r for r in self.runs}
        self._step_by_key = {(s.strategy, s.key, s.direction): s for s in self.steps.values()}
        # open runs per (strategy, direction) and step order (group, position)
        self._open: dict[tuple[str, str], dict[tuple[int, int], _OpenRuns]] = defaultdict(dict)
        for run in self.runs:
            if run.status not in DONE:
                step = self.steps[run.step_id]
                by_order = self._open[(step.strategy, step.direction)]
                by_order.setdefault((step.group_index, step.position), _OpenRuns()).add(step.scope, run)

    def moved(self, changes: dict[UUID, tuple[str, datetime | None]]) -> Runbook:
        """This runbook after the runs in `changes` moved to (status, due time)."""
        if not changes:
            return self
        return Runbook(self.steps.values(), [
            replace(r, status=changes[r.id][0], next_attempt_at=changes[r.id][1]) if r.id in changes else r
            for r in self.runs])

    def _needs_done(self, step: StepDef, run: RunState) -> bool:
        for key in step.needs:
            needed = self._step_by_key.get((step.strategy, key, step.direction))
            if needed is None:
                continue
            other = self._by_step_workload.get((needed.id, run.workload_key))
            if other is not None and other.status not in DONE:
                return False
        return True

    def _earlier_groups_done(self, step: StepDef, run: RunState) -> bool:
        return not any(order[0] < step.group_index and open_runs.concern(step.scope, run)
                       for order, open_runs in self._open[(step.strategy, step.direction)].items())

    def _later_compensations_done(self, step: StepDef, run: RunState) -> bool:
        mine = (step.group_index, step.position)
        return not any(order > mine and open_runs.concern(step.scope, run)
                       for order, open_runs in self._open[(step.strategy, "rollback")].items())

    def startable(self, direction: str = "forward") -> list[RunState]:
        """Runs not started whose predecessors are done (forward), or whose later compensations are (rollback)."""
        found = []
        for run in self.runs:
            if run.status != "not_started":
                continue
            step = self.steps[run.step_id]
            if step.direction != direction:
                continue
            if direction == "forward":
                ok = self._needs_done(step, run) and self._earlier_groups_done(step, run)
            else:
                ok = self._later_compensations_done(step, run)
            if ok:
                found.append(run)
        return found

    def due(self, now: datetime, direction: str = "forward") -> list[RunState]:
        """Waiting runs whose time has come: a retry's back-off over, a wait's moment reached, a re-check due."""
        return [r for r in self.runs if r.status == "waiting" and self.steps[r.step_id].direction == direction
                and (r.next_attempt_at is None or r.next_attempt_at <= now)]

    def next_wake(self, direction: str = "forward") -> datetime | None:
        """The earliest moment a waiting run (or an approval's expiry) needs the wave to look again."""
        times = [r.next_attempt_at for r in self.runs
                 if r.next_attempt_at is not None and self.steps[r.step_id].direction == direction
                 and r.status in ("waiting", "pending_approval")]
        return min(times) if times else None

    def done(self, direction: str = "forward") -> bool:
        return all(r.status in DONE for r in self.runs if self.steps[r.step_id].direction == direction)

    def counts(self, direction: str | None = None) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for run in self.runs:
            if direction is None or self.steps[run.step_id].direction == direction:
                found[run.status] += 1
        return dict(found)


# What a person may do with a step run, by its status (the CLI shows it; the activity applies only these).
_RUN_OPERATIONS: dict[str, tuple[str, ...]] = {
    "not_started": ("abandon",),
    "in_progress": ("abandon",),
    "waiting": ("abandon",),
    "awaiting_person": ("complete", "abandon"),
    "pending_approval": ("approve", "reject", "abandon"),
    "failed": ("retry", "skip", "abandon"),
    "completed": ("retry",),  # on request: run it again (a new idempotency key generation); an abort compensates it
    "skipped": (),
    "abandoned": (),
}


def allowed_operations(status: str, step_type: str, direction: str = "forward") -> tuple[str, ...]:
    """The operations a person may ask of a run in `status`: only these are offered and applied."""
    ops = _RUN_OPERATIONS.get(status, ())
    if direction == "rollback":  # a compensation is retried, skipped or completed, never abandoned or re-run
        return tuple(op for op in ops if op not in ("abandon",) and not (status == "completed" and op == "retry"))
    if step_type == "approval" and status == "completed":
        return ()  # an approval once given is not asked again by retry
    return ops


def wave_operations(runbook_status: str) -> tuple[str, ...]:
    """What a person may ask of the wave as a whole."""
    return {
        "running": ("pause", "abort"),
        "paused": ("resume", "abort"),
    }.get(runbook_status, ())


MAX_DELAY_SECONDS = 7 * 24 * 3600.0  # the longest back-off, whatever a remote side asks for


def retry_delay(attempt: int, initial_seconds: float, backoff: float, max_seconds: float,
                retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: exponential back-off, at least what the remote side asked for, at most
    a week (a Retry-After of years is not a wait anyone means)."""
    delay = min(max_seconds, initial_seconds * backoff ** min(max(0, attempt - 1), 64))
    return min(max(delay, retry_after or 0.0), MAX_DELAY_SECONDS)


def selection_matches(selection: dict, run_scope: str, workload_key: str, application_key: str | None,
                      asset_name: str | None, facts: dict[str, str | None]) -> bool:
    """Whether a run belongs to a person's selection: one asset (by name or id), one application, the assets
    matching `where` (field=value, all must hold), or everything (`all`)."""
    if selection.get("all"):
        return True
    if (asset := selection.get("asset")) is not None:
        return run_scope == "asset" and asset in (asset_name, workload_key)
    if (app := selection.get("application")) is not None:
        if run_scope == "application":
            return workload_key == app
        return run_scope == "asset" and application_key == app
    if where := selection.get("where"):
        return run_scope == "asset" and all((facts.get(k) or "").lower() == str(v).lower() for k, v in where.items())
    return False
