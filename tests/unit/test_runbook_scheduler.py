"""Which step runs of a wave runbook may start, what a person may do with each, and what a run becomes after its
executor, its checks or its wait: pure decisions of domain/execution/scheduler.py and steps.py."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.execution.executor_specs import ExecutorOutcome
from domain.execution.scheduler import (
    Runbook,
    RunState,
    StepDef,
    allowed_operations,
    application_key,
    retry_delay,
    selection_matches,
    wave_operations,
)
from domain.execution.steps import (
    after_outcome,
    checks_outcome,
    condition_move,
    on_ready,
    retry_policy,
    wait_move,
    wait_over,
)

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
LONE = uuid.uuid4()  # an asset without an application
LONE_APP = application_key(None, LONE)
ASSETS = {"a1": "shop", "a2": "shop", "a4": "crm", str(LONE): LONE_APP}  # asset workload -> application workload


class Book:
    """A runbook under construction: steps of one strategy (or more), a run per step and workload."""

    def __init__(self) -> None:
        self.steps: list[StepDef] = []
        self.runs: dict[tuple[str, str, str, str], RunState] = {}  # (strategy, key, direction, workload) -> run

    def step(self, key: str, group: int, scope: str, position: int, needs: tuple[str, ...] = (),
             strategy: str = "rehost", direction: str = "forward", step_type: str = "automated") -> StepDef:
        step = StepDef(uuid.uuid4(), strategy, key, step_type, group, scope, position, needs, direction)
        self.steps.append(step)
        for workload, app in self._workloads(scope):
            self.runs[(strategy, key, direction, workload)] = RunState(uuid.uuid4(), step.id, workload, app,
                                                                       "not_started")
        return step

    @staticmethod
    def _workloads(scope: str) -> list[tuple[str, str | None]]:
        if scope == "wave":
            return [("wave", None)]
        if scope == "application":
            return [(app, app) for app in sorted(set(ASSETS.values()))]
        return list(ASSETS.items())

    def set(self, key: str, status: str, *workloads: str, strategy: str = "rehost", direction: str = "forward",
            **extra: Any) -> None:
        """Give runs of `key` a status (all of its workloads when none is named)."""
        for (s, k, d, w), run in list(self.runs.items()):
            if (s, k, d) == (strategy, key, direction) and (not workloads or w in workloads):
                self.runs[(s, k, d, w)] = replace(run, status=status, **extra)

    def book(self) -> Runbook:
        return Runbook(self.steps, self.runs.values())

    def startable(self, direction: str = "forward") -> set[tuple[str, str]]:
        names = {s.id: s.key for s in self.steps}
        return {(names[r.step_id], r.workload_key) for r in self.book().startable(direction)}


@pytest.fixture
def book() -> Book:
    """A wave-scope readiness check, per-asset copy and launch, per-application acceptance, a wave-scope close."""
    b = Book()
    b.step("ready", 0, "wave", 0)
    b.step("copy", 1, "asset", 1)
    b.step("launch", 1, "asset", 2, needs=("copy",))
    b.step("accept", 2, "application", 3, step_type="manual")
    b.step("close", 3, "wave", 4)
    return b


# ----------------------------------------------------------------------------------------------- readiness
def test_only_the_first_group_starts_a_fresh_runbook(book: Book) -> None:
    assert book.startable() == {("ready", "wave")}


def test_a_later_group_waits_for_the_waves_earlier_run(book: Book) -> None:
    book.set("ready", "in_progress")
    assert book.startable() == set()
    book.set("ready", "completed")
    assert book.startable() == {("copy", w) for w in ASSETS}


def test_a_step_waits_for_what_it_needs_for_the_same_workload_only(book: Book) -> None:
    book.set("ready", "completed")
    book.set("copy", "completed", "a1")
    book.set("copy", "in_progress", "a2", "a4", str(LONE))
    assert book.startable() == {("launch", "a1")}


def test_an_application_waits_for_its_own_assets_only(book: Book) -> None:
    book.set("ready", "completed")
    book.set("copy", "completed")
    book.set("launch", "completed", "a4")
    book.set("launch", "completed", "a1")
    assert book.startable() == {("launch", "a2"), ("launch", str(LONE)), ("accept", "crm")}
    book.set("launch", "completed", str(LONE))
    assert ("accept", LONE_APP) in book.startable()  # an asset without an application stands for itself
    assert ("accept", "shop") not in book.startable()


def test_a_wave_group_waits_for_every_run_of_the_groups_before(book: Book) -> None:
    for key in ("ready", "copy", "launch"):
        book.set(key, "completed")
    book.set("accept", "completed", "shop", "crm")
    assert ("close", "wave") not in book.startable()
    book.set("accept", "completed", LONE_APP)
    assert book.startable() == {("close", "wave")}


@pytest.mark.parametrize("status", ["skipped", "abandoned"])
def test_a_skipped_or_abandoned_predecessor_lets_its_successors_proceed(book: Book, status: str) -> None:
    book.set("ready", status)
    book.set("copy", status, "a2")
    book.set("copy", "completed", "a1")
    assert {("launch", "a1"), ("launch", "a2")} <= book.startable()
    book.set("launch", "completed", "a1")
    book.set("launch", status, "a2")
    assert ("accept", "shop") in book.startable()


@pytest.mark.parametrize("status", ["failed", "waiting", "awaiting_person", "pending_approval", "in_progress"])
def test_an_open_predecessor_holds_its_successors(book: Book, status: str) -> None:
    book.set("ready", "completed")
    book.set("copy", "completed")
    book.set("launch", "completed")
    book.set("launch", status, "a2")
    assert ("accept", "shop") not in book.startable()
    assert ("accept", "crm") in book.startable()


def test_an_asset_waits_for_its_applications_earlier_run_not_another_applications() -> None:
    b = Book()
    b.step("plan", 0, "application", 0, step_type="manual")
    b.step("copy", 1, "asset", 1)
    b.set("plan", "completed", "crm")
    assert b.startable() == {("plan", "shop"), ("plan", LONE_APP), ("copy", "a4")}


def test_strategies_do_not_wait_for_each_other(book: Book) -> None:
    book.step("ready", 0, "wave", 0, strategy="replatform")
    book.step("copy", 1, "asset", 1, strategy="replatform")
    book.set("ready", "completed", strategy="replatform")
    names = {s.id: (s.strategy, s.key) for s in book.steps}
    started = {(names[r.step_id], r.workload_key) for r in book.book().startable()}
    assert started == {(("rehost", "ready"), "wave")} | {(("replatform", "copy"), w) for w in ASSETS}


def test_only_runs_not_started_are_started(book: Book) -> None:
    book.set("ready", "failed")
    assert book.startable() == set()


def test_a_runbook_moved_answers_as_if_read_again_and_the_original_is_unchanged(book: Book) -> None:
    runbook = book.book()
    assert runbook.moved({}) is runbook
    ready = next(r for r in runbook.runs if r.workload_key == "wave")
    later = NOW + timedelta(minutes=5)
    moved = runbook.moved({ready.id: ("completed", None)})
    assert {r.workload_key for r in moved.startable()} == set(ASSETS)
    assert [r.id for r in runbook.startable()] == [ready.id]
    waiting = moved.moved({r.id: ("waiting", later) for r in moved.startable()})
    assert waiting.startable() == [] and waiting.next_wake() == later and waiting.due(NOW) == []
    assert waiting.counts() == {"completed": 1, "waiting": 4, "not_started": 4 + 3 + 1}


# ------------------------------------------------------------------------------------------------- rollback
@pytest.fixture
def rolling(book: Book) -> Book:
    """The book's forward steps completed; compensations of ready (wave), copy and launch (each asset) queued."""
    for key in ("ready", "copy", "launch", "accept", "close"):
        book.set(key, "completed")
    book.step("ready", 0, "wave", 0, direction="rollback")
    book.step("copy", 1, "asset", 1, direction="rollback")
    book.step("launch", 1, "asset", 2, direction="rollback")
    return book


def test_compensations_start_with_the_latest_step(rolling: Book) -> None:
    assert rolling.startable("rollback") == {("launch", w) for w in ASSETS}
    assert rolling.startable() == set()  # forward runs are all done: nothing forward starts


def test_a_compensation_waits_for_the_later_ones_of_its_workload(rolling: Book) -> None:
    rolling.set("launch", "completed", "a1", direction="rollback")
    rolling.set("launch", "in_progress", "a2", "a4", direction="rollback")
    assert rolling.startable("rollback") == {("copy", "a1"), ("launch", str(LONE))}


@pytest.mark.parametrize("status", ["completed", "skipped"])
def test_the_waves_compensation_comes_last(rolling: Book, status: str) -> None:
    rolling.set("launch", status, direction="rollback")
    rolling.set("copy", status, "a1", "a2", "a4", direction="rollback")
    assert ("ready", "wave") not in rolling.startable("rollback")
    rolling.set("copy", status, str(LONE), direction="rollback")
    assert rolling.startable("rollback") == {("ready", "wave")}


def test_rollback_runs_in_reverse_group_and_position_order_to_the_end(rolling: Book) -> None:
    """Starting and completing whatever may start until nothing is left gives the reverse of the forward order."""
    order: list[str] = []
    while started := rolling.startable("rollback"):
        for key, workload in sorted(started):
            order.append(key)
            rolling.set(key, "completed", workload, direction="rollback")
    assert order == ["launch"] * 4 + ["copy"] * 4 + ["ready"]
    assert rolling.book().done("rollback")


def test_an_applications_compensation_comes_before_its_own_assets_only(rolling: Book) -> None:
    rolling.step("accept", 2, "application", 3, direction="rollback", step_type="manual")
    assert rolling.startable("rollback") == {("accept", app) for app in ("shop", "crm", LONE_APP)}
    rolling.set("accept", "completed", "crm", direction="rollback")
    assert rolling.startable("rollback") == {("accept", "shop"), ("accept", LONE_APP), ("launch", "a4")}


def test_done_and_counts_are_per_direction(rolling: Book) -> None:
    runbook = rolling.book()
    assert runbook.done("forward") and not runbook.done("rollback")
    assert runbook.counts("rollback") == {"not_started": 9}
    assert runbook.counts("forward") == {"completed": 4 + 4 + 3 + 1 + 1}
    assert sum(runbook.counts().values()) == 13 + 9


# ----------------------------------------------------------------------------------------------------- time
def test_due_runs_are_the_waiting_ones_whose_time_has_come(book: Book) -> None:
    book.set("copy", "waiting", "a1", next_attempt_at=NOW - timedelta(seconds=1))
    book.set("copy", "waiting", "a2", next_attempt_at=NOW)
    book.set("copy", "waiting", "a4", next_attempt_at=None)
    book.set("copy", "waiting", str(LONE), next_attempt_at=NOW + timedelta(seconds=1))
    book.set("ready", "pending_approval", next_attempt_at=NOW - timedelta(hours=1))  # an expiry, not a due run
    names = {s.id: s.key for s in book.steps}
    assert {(names[r.step_id], r.workload_key) for r in book.book().due(NOW)} == {
        ("copy", "a1"), ("copy", "a2"), ("copy", "a4")}
    assert book.book().due(NOW, "rollback") == []


def test_next_wake_is_the_earliest_retry_wait_or_approval_expiry(book: Book) -> None:
    assert book.book().next_wake() is None
    book.set("copy", "waiting", "a1", next_attempt_at=NOW + timedelta(hours=2))
    book.set("copy", "completed", "a2", next_attempt_at=NOW + timedelta(minutes=1))  # done: no wake
    assert book.book().next_wake() == NOW + timedelta(hours=2)
    book.set("ready", "pending_approval", next_attempt_at=NOW + timedelta(hours=1))
    assert book.book().next_wake() == NOW + timedelta(hours=1)
    assert book.book().next_wake("rollback") is None


def test_retry_delay_backs_off_exponentially_up_to_its_cap() -> None:
    assert [retry_delay(a, 30, 2, 3600) for a in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20, 30, 2, 3600) == 3600
    assert retry_delay(3, 10, 1, 3600) == 10


def test_retry_delay_honours_a_retry_after_longer_than_its_back_off() -> None:
    assert retry_delay(1, 30, 2, 3600, retry_after=90) == 90
    assert retry_delay(1, 30, 2, 3600, retry_after=5) == 30
    assert retry_delay(1, 30, 2, 60, retry_after=7200) == 7200  # the remote side's wish beats the cap
    assert retry_delay(1, 30, 2, 60, retry_after=1e12) == 7 * 24 * 3600  # within a week
    assert retry_delay(10_000, 30, 10, 3600) == 3600  # no overflow
    assert retry_delay(1, 30, 2, 3600, retry_after=None) == 30


# ---------------------------------------------------------------------------------------------- operations
@pytest.mark.parametrize(("status", "ops"), [
    ("not_started", ("abandon",)), ("in_progress", ("abandon",)), ("waiting", ("abandon",)),
    ("awaiting_person", ("complete", "abandon")), ("pending_approval", ("approve", "reject", "abandon")),
    ("failed", ("retry", "skip", "abandon")), ("completed", ("retry",)), ("skipped", ()),
    ("abandoned", ()), ("no_such_status", ()),
])
def test_operations_follow_a_forward_runs_status(status: str, ops: tuple[str, ...]) -> None:
    assert allowed_operations(status, "automated") == ops


def test_an_approval_once_given_is_not_asked_again() -> None:
    assert allowed_operations("completed", "approval") == ()
    assert allowed_operations("failed", "approval") == ("retry", "skip", "abandon")  # a rejection is retried


@pytest.mark.parametrize(("status", "ops"), [
    ("failed", ("retry", "skip")), ("completed", ()), ("awaiting_person", ("complete",)), ("not_started", ()),
])
def test_a_compensation_is_never_abandoned_or_run_again(status: str, ops: tuple[str, ...]) -> None:
    assert allowed_operations(status, "automated", "rollback") == ops


@pytest.mark.parametrize(("status", "ops"), [
    ("running", ("pause", "abort")), ("paused", ("resume", "abort")), ("aborting", ()), ("rolling_back", ()),
    ("completed", ()), ("rolled_back", ()), ("cancelled", ()),
])
def test_wave_operations_follow_the_runbooks_status(status: str, ops: tuple[str, ...]) -> None:
    assert wave_operations(status) == ops


# ----------------------------------------------------------------------------------------------- selection
FACTS = {"environment": "Production", "os_family": "linux", "criticality": None, "application": "shop",
         "hostname": "web01"}


@pytest.mark.parametrize(("selection", "scope", "workload", "app", "asset", "expected"), [
    ({"all": True}, "wave", "wave", None, None, True),
    ({"asset": "web01"}, "asset", "id-1", "shop", "web01", True),
    ({"asset": "id-1"}, "asset", "id-1", "shop", "web01", True),
    ({"asset": "web02"}, "asset", "id-1", "shop", "web01", False),
    ({"asset": "web01"}, "application", "shop", "shop", None, False),
    ({"application": "shop"}, "application", "shop", "shop", None, True),
    ({"application": "shop"}, "asset", "id-1", "shop", "web01", True),
    ({"application": "crm"}, "asset", "id-1", "shop", "web01", False),
    ({"application": "shop"}, "wave", "wave", None, None, False),
    ({"where": {"environment": "production"}}, "asset", "id-1", "shop", "web01", True),
    ({"where": {"environment": "production", "os_family": "windows"}}, "asset", "id-1", "shop", "web01", False),
    ({"where": {"criticality": ""}}, "asset", "id-1", "shop", "web01", True),
    ({"where": {"environment": "production"}}, "application", "shop", "shop", None, False),
    ({}, "asset", "id-1", "shop", "web01", False),
    ({"asset": None, "application": None, "where": None, "all": False}, "asset", "id-1", "shop", "web01", False),
])
def test_selection_matches(selection: dict[str, Any], scope: str, workload: str, app: str | None, asset: str | None,
                           expected: bool) -> None:
    assert selection_matches(selection, scope, workload, app, asset, FACTS) is expected


# -------------------------------------------------------------------------------------------- steps: ready
def test_a_person_step_waits_for_its_person() -> None:
    manual = on_ready("manual", {"owner": "application owner"}, NOW, NOW, (None, None))
    assert (manual.status, manual.notify, manual.extra) == ("awaiting_person", "waiting_for_person",
                                                           {"owner": "application owner"})
    approval = on_ready("approval", {"expires_after_hours": 24, "approving_roles": ["approver"], "quorum": 2},
                        NOW, NOW, (None, None))
    assert (approval.status, approval.next_attempt_at) == ("pending_approval", NOW + timedelta(hours=24))
    assert approval.extra == {"approving_roles": ["approver"], "quorum": 2}
    assert on_ready("approval", {}, NOW, NOW, (None, None)).next_attempt_at is None


def test_a_notify_step_completes_and_executor_steps_are_left_to_executors() -> None:
    assert on_ready("notify", {"message": "hi"}, NOW, NOW, (None, None)).status == "completed"
    for step_type in ("automated", "validation", "smoke_test"):
        assert on_ready(step_type, {}, NOW, NOW, (None, None)) is None
    assert on_ready("wait", {"condition": {"executor": "tcp_probe"}}, NOW, NOW, (None, None)) is None


WINDOW = (NOW + timedelta(days=14), NOW + timedelta(days=14, hours=12))


def test_a_wait_for_a_future_cutover_window_waits_until_it_opens() -> None:
    move = wait_move({"until": "cutover_window"}, NOW, NOW, WINDOW, None)
    assert (move.status, move.next_attempt_at) == ("waiting", WINDOW[0])


def test_a_wait_for_an_open_cutover_window_proceeds() -> None:
    move = wait_move({"until": "cutover_window"}, WINDOW[0] + timedelta(hours=1), NOW, WINDOW, None)
    assert move.status == "completed"


def test_a_wait_for_a_closed_cutover_window_fails_saying_what_to_do() -> None:
    move = wait_move({"until": "cutover_window"}, WINDOW[1], NOW, WINDOW, None)
    assert (move.status, move.notify) == ("failed", "step_failed")
    assert "closed" in move.error and "retry, or skip" in move.error


def test_a_wait_for_no_cutover_window_proceeds_at_once_saying_so() -> None:
    move = wait_move({"until": "cutover_window"}, NOW, NOW, (None, None), None)
    assert move.status == "completed" and "no cutover window" in move.output


def test_a_delay_counts_from_when_the_step_became_ready() -> None:
    ready = NOW - timedelta(hours=1)
    move = wait_move({"delay_hours": 3}, NOW, ready, (None, None), None)
    assert (move.status, move.next_attempt_at) == ("waiting", ready + timedelta(hours=3))
    assert wait_move({"delay_hours": 0.5}, NOW, ready, (None, None), None).status == "completed"


def test_a_wait_until_a_moment() -> None:
    later = NOW + timedelta(days=2)
    assert wait_move({"until": later.isoformat()}, NOW, NOW, (None, None), later).next_attempt_at == later
    assert wait_move({"until": NOW.isoformat()}, NOW, NOW, (None, None), NOW).status == "completed"


def test_a_fired_wait_completes_unless_its_window_closed_meanwhile() -> None:
    assert wait_over({"until": "cutover_window"}, WINDOW[0], WINDOW).status == "completed"
    assert wait_over({"until": "cutover_window"}, WINDOW[1] + timedelta(hours=1), WINDOW).status == "failed"
    assert wait_over({"delay_hours": 2}, WINDOW[1] + timedelta(hours=1), WINDOW).status == "completed"


def test_a_wait_condition_checks_again_until_it_holds() -> None:
    spec = {"condition": {"executor": "tcp_probe", "every_minutes": 5}}
    move = condition_move(spec, ExecutorOutcome(status="failed", error="refused"), NOW)
    assert (move.status, move.next_attempt_at) == ("waiting", NOW + timedelta(minutes=5))
    assert "refused" in move.error
    assert condition_move(spec, ExecutorOutcome(status="completed", output="open"), NOW).status == "completed"


# ------------------------------------------------------------------------------------------ steps: outcomes
RETRY = {"retry": {"max_attempts": 3, "initial_interval_seconds": 10, "backoff": 2, "max_interval_seconds": 3600}}


def test_a_failed_attempt_is_retried_after_its_back_off_until_attempts_run_out() -> None:
    failed = ExecutorOutcome(status="failed", error="exit code 1")
    first = after_outcome("automated", RETRY, 1, failed, NOW)
    second = after_outcome("automated", RETRY, 2, failed, NOW)
    assert (first.status, first.next_attempt_at) == ("waiting", NOW + timedelta(seconds=10))
    assert second.next_attempt_at == NOW + timedelta(seconds=20)
    assert first.error == "attempt 1 of 3: exit code 1"
    last = after_outcome("automated", RETRY, 3, failed, NOW)
    assert (last.status, last.notify, last.error) == ("failed", "step_failed", "failed after 3 attempts: exit code 1")


def test_a_retry_later_honours_the_remote_sides_delay() -> None:
    later = ExecutorOutcome(status="retry_later", retry_after_seconds=600)
    move = after_outcome("automated", RETRY, 1, later, NOW)
    assert (move.status, move.next_attempt_at) == ("waiting", NOW + timedelta(seconds=600))
    assert "tried again later" in move.error


def test_a_steps_retry_policy_overrides_the_default_of_its_type() -> None:
    assert retry_policy({}, "automated")["max_attempts"] == 3
    assert retry_policy({}, "smoke_test")["max_attempts"] == 1
    assert retry_policy({"retry": {"max_attempts": 5}}, "automated") == {
        "max_attempts": 5, "initial_interval_seconds": 30.0, "backoff": 2.0, "max_interval_seconds": 3600.0}


def test_an_automated_step_has_three_attempts_and_a_check_one_by_default() -> None:
    failed = ExecutorOutcome(status="failed")
    assert after_outcome("automated", {}, 2, failed, NOW).status == "waiting"
    assert after_outcome("automated", {}, 3, failed, NOW).status == "failed"
    assert after_outcome("validation", {}, 1, failed, NOW).status == "failed"


def test_a_completed_outcome_completes_with_its_output_and_findings() -> None:
    move = after_outcome("validation", {}, 1, ExecutorOutcome(status="completed", output="ok"), NOW,
                         [{"severity": "info"}])
    assert (move.status, move.output, move.findings) == ("completed", "ok", [{"severity": "info"}])


def outcome(ok: bool) -> ExecutorOutcome:
    return ExecutorOutcome(status="completed", output="open") if ok else ExecutorOutcome(status="failed",
                                                                                       error="refused")


def check(port: int, severity: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"executor": "tcp_probe", "params": {"host": "10.0.0.1", "port": port}}
    return found | ({"severity": severity} if severity else {})


def test_validation_fails_on_a_failed_blocker_naming_it() -> None:
    result, findings = checks_outcome("validation", {}, [(check(22), outcome(True)), (check(443), outcome(False))])
    assert (result.status, result.error) == ("failed", "tcp_probe 10.0.0.1:443: refused")
    assert findings == [{"severity": "info", "check": "tcp_probe 10.0.0.1:22", "message": "passed"},
                        {"severity": "blocker", "check": "tcp_probe 10.0.0.1:443", "message": "refused"}]


def test_validation_records_warning_and_info_failures_as_findings_and_completes() -> None:
    result, findings = checks_outcome("validation", {}, [
        (check(22), outcome(True)), (check(80, "warning"), outcome(False)), (check(8080, "info"), outcome(False))])
    assert (result.status, result.output) == ("completed", "1 of 3 checks passed")
    assert [f["severity"] for f in findings] == ["info", "warning", "info"]


def test_several_failed_blockers_name_the_first_and_count_the_rest() -> None:
    result, _ = checks_outcome("validation", {}, [(check(1), outcome(False)), (check(2), outcome(False)),
                                                 (check(3), outcome(False))])
    assert result.error == "tcp_probe 10.0.0.1:1: refused (+2 more)"


@pytest.mark.parametrize(("spec", "status"), [({}, "failed"), ({"must_succeed_for_cutover": True}, "failed"),
                                              ({"must_succeed_for_cutover": False}, "completed")])
def test_a_smoke_test_that_must_succeed_for_cutover_fails_on_any_failed_check(spec: dict[str, Any],
                                                                            status: str) -> None:
    result, findings = checks_outcome("smoke_test", spec, [(check(22), outcome(True)),
                                                          (check(80, "warning"), outcome(False))])
    assert result.status == status
    assert findings[1] == {"severity": "warning", "check": "tcp_probe 10.0.0.1:80", "message": "refused"}


def test_a_smoke_test_not_needed_for_cutover_still_fails_on_a_blocker() -> None:
    result, _ = checks_outcome("smoke_test", {"must_succeed_for_cutover": False}, [(check(22), outcome(False))])
    assert result.status == "failed"
