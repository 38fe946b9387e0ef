"""WaveRunbookWorkflow: one run of a migration wave's runbook, for days or weeks.

It opens the wave's runbook (and looks at it once), then looks at it whenever something may have changed: a person
acted (the `execution_action` update), or a timer it set fired (a retry's back-off, a wait until the cutover window,
an approval's expiry). Each look is one activity that starts whatever may start and returns once nothing more can,
saying when to look again; the look that finds all runs done closes the run. The step runs stay in PostgreSQL, so
the history holds a few events per look, not per asset (DESIGN contract 3), and continues as new when Temporal
suggests it.

People's actions act as the person the database says recorded them (`person_requests`, verified, claimed by this
run and applied in one activity and transaction), with the role they hold now. An abort rolls the wave back: the
compensations of its completed steps run in reverse order, and the wave ends rolled back.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ApplicationErrorCategory

with workflow.unsafe.imports_passed_through():
    from activities.runbooks import RunbookActionActivities, RunbookActivities, RunbookCloseActivities
    from domain.execution.contracts import (
        ActionInput,
        ActionResult,
        AdvanceInput,
        AdvanceResult,
        Direction,
        ExecutionActionRequest,
        RunbookOpened,
        WaveRunInput,
        WaveRunResult,
    )
    from domain.execution.scheduler import wave_operations
    from workflows import search_attributes as sa
    from workflows.activity_options import REVIEW_OPTIONS, STEP_OPTIONS, TRANSITION_OPTIONS
    from workflows.person_requests import refused, this_run

# A look at the runbook runs executors (a replication may take hours): it heartbeats, and a retried look runs
# what the lost one left in progress again, with the same idempotency keys.
ADVANCE_OPTIONS = {**STEP_OPTIONS, "start_to_close_timeout": timedelta(days=7)}
# Notifications are best effort for the wave: a webhook that stays down never holds a migration up.
NOTIFY_OPTIONS = {
    "start_to_close_timeout": timedelta(minutes=5),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=3),
}


@workflow.defn(name="WaveRunbookWorkflow")
class WaveRunbookWorkflow:
    @workflow.init
    def __init__(self, inp: WaveRunInput) -> None:
        self._inp = inp
        self._runbook: RunbookOpened | None = inp.resume
        self._direction: Direction = inp.direction
        self._status = "paused" if inp.paused else "running"
        self._poked = False
        self._last: AdvanceResult | None = None
        self._used_requests: set[UUID] = set()
        self._actions = asyncio.Lock()

    @workflow.run
    async def run(self, inp: WaveRunInput) -> WaveRunResult:
        try:
            if self._runbook is None:
                opened: RunbookOpened = await workflow.execute_activity_method(
                    RunbookActivities.open_runbook, inp.model_copy(update={"now": workflow.now()}),
                    summary=f"open wave {inp.wave_number}", **ADVANCE_OPTIONS)
                self._runbook, self._last = opened.model_copy(update={"first": None}), opened.first
            while True:
                if self._last is not None:  # what the last look found
                    self._publish()
                    await self._notify()
                    if self._last.closed is not None:
                        break
                    if workflow.info().is_continue_as_new_suggested():
                        await workflow.wait_condition(workflow.all_handlers_finished)
                        workflow.continue_as_new(inp.model_copy(update={
                            "resume": self._runbook, "direction": self._direction,
                            "paused": self._status == "paused"}))
                    await self._wait_for_change()
                await workflow.wait_condition(lambda: self._status != "paused")
                if self._status == "aborting" and self._direction == "forward":
                    await workflow.execute_activity_method(
                        RunbookCloseActivities.begin_rollback, self._advance_input(), summary="begin rollback",
                        **TRANSITION_OPTIONS)
                    self._direction, self._status = "rollback", "rolling_back"
                self._poked = False
                self._last = await workflow.execute_activity_method(
                    RunbookActivities.advance_runbook, self._advance_input(), summary=f"{self._direction} steps",
                    **ADVANCE_OPTIONS)
            result = self._last.closed
            self._status = result.status
            self._publish()
            return result
        except asyncio.CancelledError:
            self._status = "cancelled"
            await workflow.execute_activity_method(
                RunbookCloseActivities.cancel_runbook, self._inp, summary="cancelled", **TRANSITION_OPTIONS)
            raise
        finally:
            await workflow.wait_condition(workflow.all_handlers_finished)

    def _advance_input(self) -> AdvanceInput:
        assert self._runbook is not None
        return AdvanceInput(step=self._inp.step, runbook_id=self._runbook.runbook_id, now=workflow.now(),
                            direction=self._direction)

    async def _wait_for_change(self) -> None:
        """Until a person acts, or the next run falls due."""
        wake = self._last.next_wake_at if self._last else None
        timeout = None if wake is None else max(wake - workflow.now(), timedelta(seconds=1))
        try:
            await workflow.wait_condition(lambda: self._poked, timeout=timeout, timeout_summary="next step due")
        except asyncio.TimeoutError:
            pass

    async def _notify(self) -> None:
        if not self._last or not self._last.notifications:
            return
        try:
            await workflow.execute_activity_method(
                RunbookActivities.send_notifications, self._advance_input(), summary="notify", **NOTIFY_OPTIONS)
        except ActivityError as err:  # kept in the outbox; sent with the next ones
            workflow.logger.warning("Notifications of wave %s not sent: %s", self._inp.wave_number, err.cause)

    # ------------------------------------------------------------------------------------------- people
    @workflow.update(name="execution_action")
    async def execution_action(self, req: ExecutionActionRequest) -> ActionResult:
        async with self._actions:  # one at a time: each applies on top of what the one before wrote
            self._check_action(req)
            if req.request_id in self._used_requests:
                raise refused(f"request {req.request_id} has been acted on already; ask again")
            self._used_requests.add(req.request_id)
            try:  # verified and applied as the person who recorded it, in one transaction
                result: ActionResult = await workflow.execute_activity_method(
                    RunbookActionActivities.apply_action,
                    ActionInput(step=self._inp.step, wave_number=self._inp.wave_number, action=req.action,
                                request_id=req.request_id, claimant=this_run(), now=workflow.now()),
                    summary=f"{req.action} by a person", **REVIEW_OPTIONS)
            except ActivityError as err:
                cause = err.cause
                raise refused(cause.message if isinstance(cause, ApplicationError) else str(err)) from None
            if req.action in ("pause", "resume", "abort"):
                self._status = {"pause": "paused", "resume": "running", "abort": "aborting"}[req.action]
            self._poked = True
            self._publish()
            return result

    @execution_action.validator
    def _validate_action(self, req: ExecutionActionRequest) -> None:
        self._check_action(req)

    def _check_action(self, req: ExecutionActionRequest) -> None:
        if req.client_account_id != self._inp.step.tenant.client_account_id:
            raise ApplicationError("this engagement belongs to another client account", type="TenantMismatch")
        if req.action in ("pause", "resume", "abort") and req.action not in wave_operations(self._status):
            raise ApplicationError(f"wave {self._inp.wave_number} is {self._status.replace('_', ' ')}: it cannot "
                                   f"{req.action}", type="NotAllowed", category=ApplicationErrorCategory.BENIGN)
        if self._status in ("completed", "rolled_back", "cancelled", "aborting", "rolling_back") \
                and req.action not in ("complete", "retry", "skip"):
            raise ApplicationError(f"wave {self._inp.wave_number} is {self._status.replace('_', ' ')}: it takes "
                                   f"no {req.action}", type="NotAllowed", category=ApplicationErrorCategory.BENIGN)

    @workflow.query
    def progress(self) -> AdvanceResult | None:
        return self._last

    # ---------------------------------------------------------------------------------------------- view
    def _publish(self) -> None:
        last = self._last
        waiting = bool(last and last.waiting_for_people)
        workflow.upsert_search_attributes([sa.AWAITING_PERSON.value_set(waiting)])
        lines = [f"**Wave {self._inp.wave_number}:** {self._status.replace('_', ' ')}"
                 + (f" ({self._direction})" if self._direction == "rollback" else "")]
        if self._runbook:
            opened = self._runbook
            lines.append(f"**Runbook:** run {opened.run_number}, {opened.assets} assets, {opened.applications} "
                         f"applications, {opened.steps} steps, {opened.runs} step runs"
                         + (f"; {opened.without_strategy} assets without a strategy left out"
                            if opened.without_strategy else ""))
        if last:
            counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(last.counts.items()))
            lines.append(f"**Step runs:** {counts or 'none'}")
            if last.waiting_for_people:
                lines.append(f"**Waiting for people:** {last.waiting_for_people} (`starter.py execution status`)")
            if last.failed:
                lines.append(f"**Failed:** {last.failed}: retry, skip or abandon (`starter.py execution status`)")
            if last.next_wake_at:
                lines.append(f"**Next due:** {last.next_wake_at.isoformat(timespec='minutes')}")
        workflow.set_current_details("\n\n".join(lines))
