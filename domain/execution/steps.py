"""What a step run becomes: when it may start, after an executor's outcome, after its checks. Pure.

The execution activity asks these functions and writes the answer (DESIGN contract 1: decisions are code,
the database records them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.execution.executor_specs import ExecutorOutcome
from domain.execution.scheduler import retry_delay

EXECUTOR_TYPES = frozenset({"automated", "validation", "smoke_test"})  # run by executors, within the in-flight cap
DEFAULT_RETRY = {"max_attempts": 3, "initial_interval_seconds": 30.0, "backoff": 2.0, "max_interval_seconds": 3600.0}
CHECK_RETRY = {"max_attempts": 1, "initial_interval_seconds": 30.0, "backoff": 2.0, "max_interval_seconds": 3600.0}


@dataclass(frozen=True)
class Move:
    """A run's next status and what goes with it."""

    status: str
    next_attempt_at: datetime | None = None
    output: str | None = None
    error: str | None = None
    findings: list[dict[str, Any]] | None = None
    notify: str | None = None  # a notification kind to announce it
    extra: dict[str, Any] = field(default_factory=dict)  # what the notification says besides the run


def on_ready(step_type: str, spec: dict[str, Any], now: datetime, ready_at: datetime | None,
             cutover: tuple[datetime | None, datetime | None], until: datetime | None = None) -> Move | None:
    """The move of a run whose predecessors are done, or None when an executor must run it. `until` is a wait
    step's date-time already filled from its placeholders."""
    if step_type == "manual":
        return Move("awaiting_person", notify="waiting_for_person", extra={"owner": spec.get("owner")})
    if step_type == "approval":
        hours = spec.get("expires_after_hours")
        expiry = now + timedelta(hours=hours) if hours else None
        return Move("pending_approval", next_attempt_at=expiry, notify="waiting_for_person",
                    extra={"approving_roles": spec.get("approving_roles"), "quorum": spec.get("quorum", 1)})
    if step_type == "notify":
        return Move("completed", output="notification queued", notify="notify_step")
    if step_type == "wait":
        return wait_move(spec, now, ready_at or now, cutover, until)
    return None


def wait_move(spec: dict[str, Any], now: datetime, ready_at: datetime,
              cutover: tuple[datetime | None, datetime | None], until: datetime | None) -> Move | None:
    """A wait step's move: completed once its moment came, waiting until then; None: its condition is checked
    by an executor. A cutover window that closed before the step got there fails it (a person moves the window
    and retries, or skips)."""
    if spec.get("condition"):
        return None
    if spec.get("delay_hours") is not None:
        target: datetime | None = ready_at + timedelta(hours=float(spec["delay_hours"]))
        what = f"the {spec['delay_hours']} hour wait"
    elif spec.get("until") == "cutover_window":
        start, end = cutover
        if start is None:
            return Move("completed", output="no cutover window is set for this wave: proceeded at once")
        if end is not None and now >= end:
            return Move("failed", error=f"the cutover window closed at {end.isoformat()} before this step got "
                                        "there; set a new window and retry, or skip", notify="step_failed")
        target, what = start, "the cutover window"
    else:
        target, what = until, f"{until.isoformat() if until else 'its time'}"
    if target is None or now >= target:
        return Move("completed", output=f"waited for {what}")
    return Move("waiting", next_attempt_at=target, output=f"waiting until {target.isoformat()} ({what})")


def wait_over(spec: dict[str, Any], now: datetime, cutover: tuple[datetime | None, datetime | None]) -> Move:
    """A wait step whose timer fired: completed, unless it waited for a cutover window that closed meanwhile
    (the workers were down through it)."""
    end = cutover[1]
    if spec.get("until") == "cutover_window" and end is not None and now >= end:
        return Move("failed", error=f"the cutover window closed at {end.isoformat()} before this step got there; "
                                    "set a new window and retry, or skip", notify="step_failed")
    return Move("completed", output=f"waited until {now.isoformat(timespec='seconds')}")


def retry_policy(spec: dict[str, Any], step_type: str) -> dict[str, float]:
    return {**(DEFAULT_RETRY if step_type == "automated" else CHECK_RETRY), **(spec.get("retry") or {})}


def after_outcome(step_type: str, spec: dict[str, Any], attempts: int, outcome: ExecutorOutcome, now: datetime,
                  findings: list[dict[str, Any]] | None = None) -> Move:
    """A run's move after its executor (or its checks) answered; `attempts` counts the one just made."""
    if outcome.status == "completed":
        return Move("completed", output=outcome.output, findings=findings)
    policy = retry_policy(spec, step_type)
    error = outcome.error or ("asked to be tried again later" if outcome.status == "retry_later" else "failed")
    if attempts < int(policy["max_attempts"]):
        delay = retry_delay(attempts, float(policy["initial_interval_seconds"]), float(policy["backoff"]),
                            float(policy["max_interval_seconds"]), outcome.retry_after_seconds)
        return Move("waiting", next_attempt_at=now + timedelta(seconds=delay), output=outcome.output,
                    error=f"attempt {attempts} of {int(policy['max_attempts'])}: {error}", findings=findings)
    return Move("failed", output=outcome.output, findings=findings, notify="step_failed",
                error=f"failed after {attempts} attempt{'s' if attempts != 1 else ''}: {error}")


def condition_move(spec: dict[str, Any], outcome: ExecutorOutcome, now: datetime) -> Move:
    """A wait step's condition probed: completed when it holds, else waiting for the next check."""
    if outcome.status == "completed":
        return Move("completed", output=f"condition holds: {_target(condition_params(spec))}")
    every = int((spec.get("condition") or {}).get("every_minutes", 15))
    return Move("waiting", next_attempt_at=now + timedelta(minutes=every),
                error=f"condition not yet met: {outcome.error or 'probe failed'}")


def condition_params(spec: dict[str, Any]) -> dict[str, Any]:
    return (spec.get("condition") or {}).get("params") or {}


def checks_outcome(step_type: str, spec: dict[str, Any],
                   results: list[tuple[dict[str, Any], ExecutorOutcome]]) -> tuple[ExecutorOutcome, list[dict]]:
    """A validation or smoke-test step's outcome from its checks' outcomes, and its findings. A failed blocker
    fails it; a smoke test that must succeed for cutover fails on any failed check."""
    findings: list[dict[str, Any]] = []
    failing: list[str] = []
    strict = step_type == "smoke_test" and spec.get("must_succeed_for_cutover", True)
    for check, outcome in results:
        name = f"{check.get('executor')} {_target(check.get('params') or {})}".strip()
        severity = check.get("severity", "blocker")
        if outcome.status == "completed":  # what a probe's target answered is not kept (it may hold anything)
            findings.append({"severity": "info", "check": name, "message": "passed"})
            continue
        message = outcome.error or "failed"
        findings.append({"severity": severity, "check": name, "message": message[:300]})
        if severity == "blocker" or strict:
            failing.append(f"{name}: {message}")
    if failing:
        more = f" (+{len(failing) - 1} more)" if len(failing) > 1 else ""
        return ExecutorOutcome(status="failed", error=f"{failing[0]}{more}"), findings
    passed = sum(1 for _, outcome in results if outcome.status == "completed")  # a failed info check did not pass
    return ExecutorOutcome(status="completed", output=f"{passed} of {len(results)} checks passed"), findings


def _target(params: dict[str, Any]) -> str:
    for key in ("url", "name", "endpoint", "program"):
        if params.get(key):
            return str(params[key])[:100]
    if params.get("host"):
        return f"{params['host']}:{params.get('port', '')}"[:100]
    return ""
