"""The four phase workflows: each runs its steps as separate, idempotent, heartbeating activities.

After every step the phase records a `step_completed` transition (its flag and JSONB state in one
transaction) under its own sequence, and tells the master its progress. Pause takes effect between
steps. Execution runs one child workflow per wave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError, ApplicationErrorCategory, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.agents import AgentActivities
    from activities.assessment import AssessmentActivities
    from activities.discovery import DiscoveryActivities
    from activities.execution import ExecutionActivities
    from activities.mapping import MappingActivities, check_targets
    from activities.planning import PlanningActivities
    from activities.transitions import TransitionActivities
    from domain.execution.contracts import PlannedWave, WaveRunInput, WaveRunResult, WaveSchedule, WaveStartRequest
    from domain.flow_contracts import (
        ControlRequest,
        MappingCorrection,
        MappingReviewInput,
        MappingReviewRequest,
        MappingReviewStatus,
        PhaseInput,
        PhaseProgress,
        PhaseResult,
        StepInput,
        StepResult,
        Tenant,
        TransitionEvent,
        TransitionRequest,
        WaveInput,
        WaveResult,
    )
    from domain.vocabulary import PHASE_STEPS
    from workflows import search_attributes as sa
    from workflows.activity_options import AGENT_OPTIONS, REVIEW_OPTIONS, STEP_OPTIONS, TRANSITION_OPTIONS
    from workflows.cancellation import raise_if_cancel_requested, signal_then_check_cancel
    from workflows.failures import root_message
    from workflows.ids import wave_workflow_id
    from workflows.person_requests import parent_run, refused, this_run, verification_applies, verified_request
    from workflows.wave_runbook import WaveRunbookWorkflow

RUNBOOKS_PATCH = "execution-runbooks"  # waves run their runbooks (before: the dry run of WaveExecutionWorkflow)
AGENTS_PATCH = "agent-crews"  # a crew advises after its step (before: no agents)

StepFn = Callable[[Any, StepInput], Awaitable[StepResult]]
# The crew that advises after a step; its summary (`agents`) joins the step's, so the step's transition writes
# it to the phase row's crew_ai_state with the step's flag, in one transaction.
CREW_AFTER_STEP: dict[str, StepFn] = {
    "attribute_mapping": AgentActivities.suggest_mappings,
    "strategy_recommendation": AgentActivities.review_strategies,
    "cost_estimate": AgentActivities.critique_plan,
}
CREW_NAMES = {"attribute_mapping": "mapping", "strategy_recommendation": "strategy", "cost_estimate": "plan_critic"}


class PhaseFlow:
    """Shared machinery of the phase workflows: steps, transitions, pause, progress."""

    phase: str = ""
    steps: Sequence[tuple[str, StepFn]] = ()

    def __init__(self) -> None:
        self._seq = 0
        self._paused = False
        self._step: str | None = None
        self._done: list[str] = []
        self._tenant: Tenant | None = None
        self._used_requests: set[UUID] = set()

    async def _run_steps(self, inp: PhaseInput) -> PhaseResult:
        assert tuple(name for name, _ in self.steps) == PHASE_STEPS[self.phase], "steps drifted from vocabulary"
        self._tenant = inp.tenant
        step_input = StepInput(
            tenant=inp.tenant,
            master_flow_id=inp.master_flow_id,
            phase_flow_id=inp.phase_flow_id,
            data_import_ids=inp.data_import_ids,
        )
        summaries: dict[str, dict[str, Any]] = {}
        asset_count: int | None = None
        for index, (name, fn) in enumerate(self.steps):
            if self._paused:
                workflow.set_current_details(f"**Paused** before step {name}")
                await self._record(inp, "paused", phase_status="paused")
                await workflow.wait_condition(lambda: not self._paused)
                await self._record(inp, "resumed", phase_status="running")
            self._step = name
            workflow.set_current_details(f"**Step:** {name} ({index + 1}/{len(self.steps)})")
            result = await self._execute_step(name, fn, inp, step_input)
            summaries[name] = result.summary
            if result.asset_count is not None:
                asset_count = result.asset_count
            self._done.append(name)
            progress = 100.0 * (index + 1) / len(self.steps)
            await self._record_step(inp, name, progress, result)
            await signal_then_check_cancel(
                workflow.get_external_workflow_handle(inp.master_workflow_id), "phase_progress",
                PhaseProgress(phase=inp.phase, step=name, progress=progress, asset_count=asset_count),
            )
        workflow.set_current_details(f"**Completed** {len(self.steps)} steps")
        return PhaseResult(phase=inp.phase, phase_flow_id=inp.phase_flow_id, steps=summaries, asset_count=asset_count)

    async def _execute_step(self, name: str, fn: StepFn, inp: PhaseInput, step_input: StepInput) -> StepResult:
        result = await workflow.execute_activity_method(fn, step_input, summary=name, **STEP_OPTIONS)
        return await self._advise(name, step_input, result)

    async def _advise(self, name: str, step_input: StepInput, result: StepResult) -> StepResult:
        """The step's result with its crew's advice (agents configured or not, the crew says so)."""
        crew = CREW_AFTER_STEP.get(name)
        if crew is None or not workflow.patched(AGENTS_PATCH):
            return result
        try:
            advice: StepResult = await workflow.execute_activity_method(crew, step_input,
                                                                        summary=f"agents after {name}", **AGENT_OPTIONS)
        except ActivityError as err:  # a crew that could not run leaves its phase standing: the rules' results stand
            summary = {"agents": {"crew": CREW_NAMES[name], "status": "failed", "reason": root_message(err)[:500]}}
            return result.model_copy(update={"summary": {**result.summary, **summary}})
        return result.model_copy(update={"summary": {**result.summary, **advice.summary}})

    async def _record_step(self, inp: PhaseInput, step: str, progress: float, result: StepResult) -> None:
        await self._record(
            inp, "step_completed", step=step, phase_status="completed" if progress >= 100.0 else "running",
            progress=progress, state={step: result.summary},
        )

    async def _record(self, inp: PhaseInput, event: TransitionEvent, **fields: Any) -> None:
        """One transition of this phase flow, under its own sequence numbers."""
        self._seq += 1
        await workflow.execute_activity_method(
            TransitionActivities.record_transition,
            TransitionRequest(
                tenant=inp.tenant,
                master_flow_id=inp.master_flow_id,
                flow_id=inp.phase_flow_id,
                seq=self._seq,
                event=event,
                occurred_at=workflow.now(),
                phase=inp.phase,
                phase_flow_id=inp.phase_flow_id,
                **fields,
            ),
            **TRANSITION_OPTIONS,
        )

    @workflow.signal
    async def pause(self, req: ControlRequest | None = None) -> None:
        if await self._from_master(req, "pause"):
            self._paused = True

    @workflow.signal
    async def resume(self, req: ControlRequest | None = None) -> None:
        if await self._from_master(req, "resume"):
            self._paused = False

    async def _from_master(self, req: ControlRequest | None, kind: str) -> bool:
        """Whether a pause or resume is one its master verified (a request claimed by the master's run), so a
        signal sent straight to a phase holds nothing the master does not know of (logged and ignored)."""
        if not verification_applies():
            return True
        tenant = self._tenant
        try:
            if tenant is None:
                raise refused("the phase has not started")
            await verified_request(tenant, req.request_id if req else None, kind, None, self._used_requests,
                                   parent_run())
        except ApplicationError as err:
            workflow.logger.warning("Ignored %s signal: %s", kind, err.message)
            return False
        return True

    @workflow.query
    def current_step(self) -> str | None:
        return self._step


@workflow.defn(name="DiscoveryFlowWorkflow")
class DiscoveryFlowWorkflow(PhaseFlow):
    """Discovery; after attribute mapping it waits for a person while columns need review.

    Corrections arrive by the `review_mappings` update (CLI `mappings set` / `mappings approve`);
    each is applied by an activity, and the phase goes on once nothing below the confidence
    threshold is left and an identifying column is mapped.
    """

    phase = "discovery"
    steps = (
        ("data_import", DiscoveryActivities.import_records),
        ("attribute_mapping", MappingActivities.map_attributes),
        ("data_cleansing", DiscoveryActivities.cleanse_records),
        ("inventory", DiscoveryActivities.build_inventory),
        ("dependency_analysis", DiscoveryActivities.analyse_dependencies),
        ("tech_debt_analysis", DiscoveryActivities.analyse_tech_debt),
    )

    def __init__(self) -> None:
        super().__init__()
        self._step_input: StepInput | None = None
        self._review: MappingReviewStatus | None = None  # set while waiting for a mapping review
        self._review_lock = asyncio.Lock()

    @workflow.run
    async def run(self, inp: PhaseInput) -> PhaseResult:
        return await self._run_steps(inp)

    async def _execute_step(self, name: str, fn: StepFn, inp: PhaseInput, step_input: StepInput) -> StepResult:
        result = await super()._execute_step(name, fn, inp, step_input)
        if name == "attribute_mapping" and result.summary.get("agents", {}).get("suggestions"):
            refreshed = await workflow.execute_activity_method(  # the crew's suggestions wait for review too
                MappingActivities.map_attributes_summary, step_input, summary="mapping summary", **STEP_OPTIONS)
            result = result.model_copy(update={"summary": {**result.summary, **refreshed.summary}})
        if name != "attribute_mapping" or not (result.summary.get("needs_review") or result.summary.get("blocking")):
            return result
        self._step_input = step_input
        self._review = MappingReviewStatus(
            needs_review=tuple(result.summary.get("needs_review", ())),
            blocking=tuple(result.summary.get("blocking", ())),
            complete=False,
        )
        waiting = "mapping review: " + ", ".join(
            part for part in (f"{len(self._review.needs_review)} column(s) to confirm" if self._review.needs_review
                              else "", "no identifying column" if self._review.blocking else "") if part)
        workflow.set_current_details(
            f"**Waiting for** {waiting}: `starter.py mappings show` / `mappings set` / `mappings approve`"
        )
        await signal_then_check_cancel(
            workflow.get_external_workflow_handle(inp.master_workflow_id), "phase_progress",
            PhaseProgress(phase=inp.phase, step=name, progress=0.0, waiting_for=waiting),
        )
        await workflow.wait_condition(lambda: self._review is not None and self._review.complete)
        reviewed = await workflow.execute_activity_method(
            MappingActivities.map_attributes_summary, step_input, summary="mapping summary", **STEP_OPTIONS
        )
        self._review = None
        if "agents" in result.summary:  # what the crew did stays in the step's summary
            return reviewed.model_copy(update={"summary": {**reviewed.summary, "agents": result.summary["agents"]}})
        return reviewed

    @workflow.update(name="review_mappings")
    async def review_mappings(self, req: MappingReviewRequest) -> MappingReviewStatus:
        if not workflow.patched("serial-mapping-reviews"):  # how reviews ran before: side by side, unchecked
            return await self._apply_review(req)
        async with self._review_lock:  # one review at a time: each applies on top of what the one before wrote
            if self._review is None or self._review.complete:  # a review that waited here came too late
                raise ApplicationError(
                    "discovery is no longer waiting for a mapping review: another review completed it first; "
                    "see `status`", type="NotAwaiting", non_retryable=True, category=ApplicationErrorCategory.BENIGN)
            return await self._apply_review(req)

    async def _apply_review(self, req: MappingReviewRequest) -> MappingReviewStatus:
        if verification_applies():  # the review acts as the person who recorded it, on what they recorded
            verified = await verified_request(self._step_input.tenant, req.request_id,  # type: ignore[union-attr]
                                              "mapping_review", None, self._used_requests, parent_run())
            req = req.model_copy(update={
                "user": verified.person,
                "corrections": tuple(MappingCorrection.model_validate(c)
                                     for c in verified.payload.get("corrections", ())),
                "accept_remaining": bool(verified.payload.get("accept_remaining"))})
        status: MappingReviewStatus = await workflow.execute_activity_method(
            MappingActivities.apply_mapping_review,
            MappingReviewInput(step=self._step_input, request=req),  # type: ignore[arg-type]
            summary="mapping review", **REVIEW_OPTIONS,
        )
        self._review = status
        return status

    @review_mappings.validator
    def _validate_review(self, req: MappingReviewRequest) -> None:
        if self._review is None or self._step_input is None:
            raise ApplicationError("discovery is not waiting for a mapping review", type="NotAwaiting")
        if req.client_account_id != self._step_input.tenant.client_account_id:
            raise ApplicationError("this engagement belongs to another client account", type="TenantMismatch")
        if not req.corrections and not req.accept_remaining:
            raise ApplicationError("nothing to apply: give corrections or accept the remaining suggestions",
                                   type="BadRequest")
        check_targets(req.corrections)  # a mistyped target is refused before any activity runs

    @workflow.query
    def mapping_review(self) -> MappingReviewStatus | None:
        return self._review


@workflow.defn(name="AssessmentFlowWorkflow")
class AssessmentFlowWorkflow(PhaseFlow):
    phase = "assessment"
    steps = (
        ("strategy_recommendation", AssessmentActivities.recommend_strategies),
        ("complexity_scoring", AssessmentActivities.score_complexity),
        ("risk_scoring", AssessmentActivities.score_risk),
        ("cost_projection", AssessmentActivities.project_costs),
    )

    @workflow.run
    async def run(self, inp: PhaseInput) -> PhaseResult:
        return await self._run_steps(inp)


@workflow.defn(name="PlanningFlowWorkflow")
class PlanningFlowWorkflow(PhaseFlow):
    phase = "planning"
    steps = (
        ("move_groups", PlanningActivities.build_move_groups),
        ("wave_planning", PlanningActivities.plan_waves),
        ("timeline", PlanningActivities.schedule_waves),
        ("cost_estimate", PlanningActivities.estimate_costs),
    )

    @workflow.run
    async def run(self, inp: PhaseInput) -> PhaseResult:
        return await self._run_steps(inp)


@workflow.defn(name="ExecutionFlowWorkflow")
class ExecutionFlowWorkflow(PhaseFlow):
    """Checks the runbooks, runs each wave as its own child workflow, then validates.

    Waves run side by side up to the engagement's limit, each no earlier than its planned start (when planned
    dates are honoured) and after the waves holding what its assets depend on; a wave that did not complete
    (rolled back, failed) holds back the waves that depend on it, and the phase says so. Pause holds waves not
    yet started (each running wave is paused on its own: `execution pause`).
    """

    phase = "execution"
    steps = (
        ("runbook_preparation", ExecutionActivities.prepare_runbooks),
        ("wave_execution", ExecutionActivities.list_waves),
        ("validation", ExecutionActivities.validate_migration),
    )

    def __init__(self) -> None:
        super().__init__()
        self._waiting_waves: dict[int, PlannedWave] = {}  # not started yet (while the waves run)
        self._started_early: set[int] = set()  # waves a person started before their planned date

    @workflow.run
    async def run(self, inp: PhaseInput) -> PhaseResult:
        return await self._run_steps(inp)

    @workflow.update(name="start_wave")
    async def start_wave(self, req: WaveStartRequest) -> str:
        """A person starts a wave now rather than on its planned date (still after the waves it depends on)."""
        self._check_start(req)
        verified = await verified_request(self._tenant, req.request_id, "wave_start", None,  # type: ignore[arg-type]
                                          self._used_requests, this_run())
        if verified.payload.get("wave") != req.wave_number:
            raise refused(f"request {req.request_id} does not ask to start wave {req.wave_number}")
        self._check_start(req)
        self._started_early.add(req.wave_number)
        return f"wave {req.wave_number} starts as soon as the waves it depends on have completed"

    @start_wave.validator
    def _check_start(self, req: WaveStartRequest) -> None:
        if self._tenant is None or req.client_account_id != self._tenant.client_account_id:
            raise ApplicationError("this engagement belongs to another client account", type="TenantMismatch")
        if req.wave_number not in self._waiting_waves:
            raise ApplicationError(f"wave {req.wave_number} is not waiting to start (it runs, ended, or execution "
                                   "has not reached its waves); see `execution status`", type="NotWaiting",
                                   category=ApplicationErrorCategory.BENIGN)

    async def _execute_step(self, name: str, fn: StepFn, inp: PhaseInput, step_input: StepInput) -> StepResult:
        if name == "wave_execution" and workflow.patched(RUNBOOKS_PATCH):
            schedule: WaveSchedule = await workflow.execute_activity_method(
                ExecutionActivities.plan_schedule, step_input, summary="wave schedule", **STEP_OPTIONS)
            return await self._run_waves(inp, step_input, schedule)
        result = await super()._execute_step(name, fn, inp, step_input)
        if name != "wave_execution":
            return result
        migrated = 0
        waves: list[int] = result.summary["wave_numbers"]
        for wave_number in waves:
            wave: WaveResult = await workflow.execute_child_workflow(
                WaveExecutionWorkflow.run,
                WaveInput(step=step_input, wave_number=wave_number),
                id=wave_workflow_id(inp.tenant.engagement_id, wave_number),
                static_summary=f"wave {wave_number} (dry run)",
            )
            migrated += wave.assets_migrated
            raise_if_cancel_requested()  # the wave completed although the phase's cancellation reached it
        return StepResult(summary={"waves_executed": len(waves), "assets_migrated": migrated}, asset_count=migrated)

    async def _run_waves(self, inp: PhaseInput, step_input: StepInput, schedule: WaveSchedule) -> StepResult:
        settings = schedule.settings
        pending = self._waiting_waves
        pending.update({w.number: w for w in schedule.waves})
        planned = set(pending)
        ended: dict[int, WaveRunResult | str] = {}  # a wave's result, or why it did not complete
        running: dict[int, asyncio.Task[None]] = {}

        async def run_wave(wave: PlannedWave) -> None:
            try:
                ended[wave.number] = await workflow.execute_child_workflow(
                    WaveRunbookWorkflow.run, WaveRunInput(step=step_input, wave_number=wave.number, settings=settings),
                    id=wave_workflow_id(inp.tenant.engagement_id, wave.number),
                    static_summary=f"wave {wave.number} of execution {inp.phase_flow_id}",
                    search_attributes=TypedSearchAttributes([
                        SearchAttributePair(sa.CLIENT_ACCOUNT_ID, str(inp.tenant.client_account_id)),
                        SearchAttributePair(sa.ENGAGEMENT_ID, str(inp.tenant.engagement_id)),
                        SearchAttributePair(sa.MIGRATION_PHASE, "execution"),
                        SearchAttributePair(sa.AWAITING_PERSON, False),
                    ]))
            except ChildWorkflowError as err:
                ended[wave.number] = f"failed: {err.cause}"
            finally:
                running.pop(wave.number, None)

        def satisfied(wave: PlannedWave) -> bool | None:
            """True: its predecessors completed; None: one did not (it is held back); False: not yet."""
            for number in wave.depends_on:
                if number not in planned:
                    continue  # completed by an earlier execution
                result = ended.get(number)
                if result is None:
                    return False
                if not isinstance(result, WaveRunResult) or result.status != "completed":
                    return None
            return True

        try:
            while pending or running:
                today = workflow.now().date()
                for wave in list(pending.values()):
                    if satisfied(wave) is None:
                        ended[wave.number] = "held back: a wave it depends on did not complete"
                        del pending[wave.number]
                startable = [w for w in pending.values() if satisfied(w) and (w.number in self._started_early or not (
                    settings.honour_planned_dates and w.planned_start and w.planned_start > today))]
                if not self._paused:
                    for wave in startable[:max(0, settings.wave_concurrency - len(running))]:
                        del pending[wave.number]
                        running[wave.number] = asyncio.create_task(run_wave(wave))
                self._show_waves(ended, running, pending)
                dates = [w.planned_start for w in pending.values()
                         if settings.honour_planned_dates and w.planned_start and w.planned_start > today]
                wake = datetime.combine(min(dates), time(), tzinfo=UTC) - workflow.now() if dates else None
                if not running and wake is None and not self._paused:
                    break  # nothing left can start
                count, paused, early = len(running), self._paused, len(self._started_early)
                try:
                    await workflow.wait_condition(lambda: len(running) != count or self._paused != paused
                                                  or len(self._started_early) != early,
                                                  timeout=wake, timeout_summary="next wave's planned start")
                except asyncio.TimeoutError:
                    pass
        except asyncio.CancelledError:
            for task in running.values():
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)
            raise
        raise_if_cancel_requested()
        return self._waves_summary(ended, pending)

    def _show_waves(self, ended: dict[int, WaveRunResult | str], running: dict[int, Any],
                    pending: dict[int, PlannedWave]) -> None:
        done = sum(1 for r in ended.values() if isinstance(r, WaveRunResult) and r.status == "completed")
        workflow.set_current_details(
            f"**Waves:** {done} completed, {len(running)} running ({', '.join(map(str, sorted(running)))}), "
            f"{len(pending)} waiting, {len(ended) - done} ended otherwise" + (" — paused" if self._paused else ""))

    @staticmethod
    def _waves_summary(ended: dict[int, WaveRunResult | str], pending: dict[int, PlannedWave]) -> StepResult:
        results = [r for r in ended.values() if isinstance(r, WaveRunResult)]
        migrated = sum(r.assets_migrated for r in results)
        summary: dict[str, Any] = {
            "waves_executed": sum(1 for r in results if r.status == "completed"),
            "assets_migrated": migrated,
            "assets_abandoned": sum(r.assets_abandoned for r in results),
        }
        if rolled_back := sorted(r.wave_number for r in results if r.status == "rolled_back"):
            summary["waves_rolled_back"] = rolled_back
        if not_run := {str(n): why for n, why in sorted(ended.items()) if isinstance(why, str)}:
            summary["waves_not_completed"] = not_run
        if pending:
            summary["waves_not_started"] = sorted(pending)
        return StepResult(summary=summary, asset_count=migrated)


@workflow.defn(name="WaveExecutionWorkflow")
class WaveExecutionWorkflow:
    """One migration wave of an execution started before runbooks (patch "execution-runbooks"): the dry run
    moves its assets in batches, heartbeating."""

    @workflow.run
    async def run(self, inp: WaveInput) -> WaveResult:
        workflow.set_current_details(f"**Wave {inp.wave_number}:** executing (dry run)")
        result: WaveResult = await workflow.execute_activity_method(
            ExecutionActivities.execute_wave, inp, summary=f"wave {inp.wave_number}", **STEP_OPTIONS
        )
        workflow.set_current_details(f"**Wave {inp.wave_number}:** {result.assets_migrated} assets migrated")
        return result


PHASE_WORKFLOWS = {
    "discovery": DiscoveryFlowWorkflow,
    "assessment": AssessmentFlowWorkflow,
    "planning": PlanningFlowWorkflow,
    "execution": ExecutionFlowWorkflow,
}
