"""MasterFlowWorkflow: one per engagement; runs the phases as children and waits for approvals.

Deterministic: every effect (database writes, clock, ids) goes through activities or Temporal APIs.
Every flow-state change is one `record_transition` activity with this workflow's next sequence
number, so retries and replays never apply a change twice (DESIGN contracts 1-3).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ApplicationErrorCategory,
    CancelledError,
    ChildWorkflowError,
)

with workflow.unsafe.imports_passed_through():
    from activities.engagement_context import EngagementActivities
    from activities.planning import PlanningActivities
    from activities.transitions import TransitionActivities
    from domain.agent_advice import phase_agent_lines
    from domain.flow_contracts import (
        ApprovalRecord,
        ApproveRequest,
        ControlRequest,
        EngagementContext,
        MasterFlowInput,
        MasterStatus,
        Phase,
        PhaseInput,
        PhaseProgress,
        PhaseResult,
        RejectRequest,
        RollbackRequest,
        TransitionEvent,
        TransitionRequest,
        VerifiedRequest,
    )
    from domain.status_highlights import phase_highlights
    from domain.vocabulary import APPROVING_ROLES, PHASES
    from workflows import search_attributes as sa
    from workflows.activity_options import REVIEW_OPTIONS, TRANSITION_OPTIONS
    from workflows.cancellation import raise_if_cancel_requested, signal_then_check_cancel
    from workflows.failures import root_message
    from workflows.ids import phase_workflow_id
    from workflows.person_requests import this_run, verification_applies, verified_request
    from workflows.phase_flows import PHASE_WORKFLOWS

@workflow.defn(name="MasterFlowWorkflow")
class MasterFlowWorkflow:
    @workflow.init
    def __init__(self, inp: MasterFlowInput) -> None:
        self._input = inp
        self._seq = 0
        self._status = "initialized"
        self._phase: Phase | None = None
        self._step: str | None = None
        self._waiting_for: str | None = None
        self._progress = 0.0
        self._awaiting: Phase | None = None
        self._phase_failed = False
        self._decision: ApproveRequest | RejectRequest | RollbackRequest | None = None
        self._decisions_applied = 0
        self._used_requests: set[UUID] = set()
        self._verifying = False  # a decision's request is being verified: it holds the phase like a decision
        self._paused = False
        self._completed: list[Phase] = []
        self._phase_flow_ids: dict[str, UUID] = {}
        self._asset_count: int | None = None
        self._summaries: dict[str, dict[str, Any]] = {}
        self._context: EngagementContext | None = None
        self._child: workflow.ChildWorkflowHandle | None = None

    # ---------------------------------------------------------------------------------- run
    @workflow.run
    async def run(self, inp: MasterFlowInput) -> MasterStatus:
        self._context = await self._load_context()
        policy = self._context.approval_policy
        requested = inp.auto_approve
        if verification_applies():  # launched as the person (or the service) the database says, as recorded
            launch = await verified_request(inp.tenant, inp.request_id, "launch", None, self._used_requests,
                                            this_run())
            requested = tuple(launch.payload.get("auto_approve", ()))
        auto_approve = set(requested) | set(policy.auto_approve)
        reminder = inp.reminder_interval or policy.reminder_interval
        await self._transition("flow_started", master_status="running")
        index = 0
        try:
            while index < len(PHASES):
                phase: Phase = PHASES[index]  # type: ignore[assignment]
                await self._wait_while_paused()
                failed = await self._run_phase(phase)
                if not failed and phase in auto_approve:
                    await self._transition(
                        "approved", phase=phase, approval=ApprovalRecord(decision="auto_approved")
                    )
                    self._completed.append(phase)
                    index += 1
                    continue
                decision = await self._await_decision(phase, reminder)
                index = await self._apply_decision(phase, index, decision)
                self._decision = None  # held until now: no second decision while this one is applied
                self._decisions_applied += 1
            await self._transition("flow_completed", master_status="completed", progress=100.0)
            return self.status()
        except asyncio.CancelledError:
            self._status = "cancelled"  # at once: update handlers waiting for their decision answer now
            running = self._phase_flow_ids.get(self._phase) if self._child is not None and self._phase else None
            await self._transition(
                "cancelled", master_status="cancelled", phase=self._phase, phase_flow_id=running,
                phase_status="cancelled" if running else None,
            )
            raise
        finally:
            await workflow.wait_condition(workflow.all_handlers_finished)

    async def _run_phase(self, phase: Phase) -> bool:
        """Run one phase as a child workflow; return True if it failed (the person decides what next)."""
        phase_flow_id = workflow.uuid4()
        self._phase, self._step, self._waiting_for, self._phase_failed = phase, None, None, False
        self._phase_flow_ids[phase] = phase_flow_id
        await self._transition("phase_started", phase=phase, phase_flow_id=phase_flow_id, master_status="running")
        inp = self._input
        child_input = PhaseInput(
            tenant=inp.tenant,
            master_flow_id=inp.master_flow_id,
            phase=phase,
            phase_flow_id=phase_flow_id,
            data_import_ids=inp.data_import_ids,
            master_workflow_id=workflow.info().workflow_id,
        )
        self._child = await workflow.start_child_workflow(
            PHASE_WORKFLOWS[phase].run,
            child_input,
            id=phase_workflow_id(inp.tenant.engagement_id, phase),
            static_summary=f"{phase} of engagement {self._context.name if self._context else ''}",
            static_details=f"Phase flow {phase_flow_id} of master flow {inp.master_flow_id}",
        )
        if self._paused:
            await signal_then_check_cancel(self._child, "pause")
        try:
            result: PhaseResult = await self._child
        except ChildWorkflowError as err:
            if isinstance(err.cause, CancelledError):
                raise asyncio.CancelledError() from err  # this engagement is being cancelled
            self._child = None
            self._phase_failed = True
            self._awaiting = phase  # a person decides now: reject (re-run) or roll back
            cause = root_message(err)
            self._summaries[phase] = {"error": cause}
            await self._transition(
                "failed", phase=phase, phase_flow_id=phase_flow_id, master_status="failed", phase_status="failed",
                state={"error": cause},
            )
            return True
        self._child = None
        raise_if_cancel_requested()  # the phase completed although this engagement's cancellation reached it
        self._summaries[phase] = {name: summary for name, summary in result.steps.items()}
        if result.asset_count is not None:
            self._asset_count = result.asset_count
        self._progress = 100.0 * (PHASES.index(phase) + 1) / len(PHASES)
        await self._transition("phase_completed", phase=phase, phase_flow_id=phase_flow_id, progress=self._progress)
        return False

    async def _await_decision(
        self, phase: Phase, reminder: timedelta
    ) -> ApproveRequest | RejectRequest | RollbackRequest:
        self._awaiting = phase
        if not self._phase_failed:
            await self._transition("awaiting_approval", phase=phase, master_status="awaiting_approval")
        while True:
            try:
                await workflow.wait_condition(
                    lambda: self._decision is not None, timeout=reminder, timeout_summary="approval reminder"
                )
                break
            except asyncio.TimeoutError:
                waiting_for = "a re-run (reject) or rollback" if self._phase_failed else "approval"
                workflow.logger.warning(
                    "Reminder: engagement %s phase %s is waiting for %s",
                    self._input.tenant.engagement_id, phase, waiting_for,
                )
        decision = self._decision
        assert decision is not None
        self._awaiting = None
        return decision

    async def _decide(self, req: ApproveRequest | RejectRequest | RollbackRequest) -> MasterStatus:
        """Hand a validated decision to the main loop; answer once it has been applied.

        The decision acts only as the person whose recorded request it names (verified by the database), so an
        update sent straight to Temporal, naming anyone, changes nothing."""
        applied_before = self._decisions_applied
        if self._decision is not None and workflow.patched("one-decision-at-a-time"):
            raise self._decision_pending()  # two decisions validated in the same workflow task: the first wins
        if verification_applies():
            kind = {ApproveRequest: "approve", RejectRequest: "reject", RollbackRequest: "rollback"}[type(req)]
            self._verifying = True
            try:
                verified = await verified_request(self._input.tenant, req.request_id, kind, req.phase,
                                                  self._used_requests, this_run())
            finally:
                self._verifying = False
            req = self._as_recorded(req, verified)
        self._decision = req
        await workflow.wait_condition(
            lambda: self._decisions_applied > applied_before or self._status in ("cancelled", "completed")
        )
        return self.status()

    def _as_recorded(
        self, req: ApproveRequest | RejectRequest | RollbackRequest, verified: VerifiedRequest
    ) -> ApproveRequest | RejectRequest | RollbackRequest:
        """The decision as the verified person recorded it (their comment or reason, not the update's), validated
        again as theirs (their role, the phase still waiting)."""
        note = verified.payload.get("note")
        if isinstance(req, RollbackRequest):
            req = req.model_copy(update={"requested_by": verified.person, "reason": note})
            self._validate_rollback(req)
            return req
        if isinstance(req, RejectRequest):
            req = req.model_copy(update={"approver": verified.person, "reason": note or ""})
            self._validate_reject(req)
            return req
        self._check_decision(req.client_account_id, req.phase, verified.person,  # type: ignore[arg-type]
                             for_approval=True)
        return req.model_copy(update={"approver": verified.person, "comment": note})

    async def _apply_decision(
        self, phase: Phase, index: int, decision: ApproveRequest | RejectRequest | RollbackRequest
    ) -> int:
        if isinstance(decision, ApproveRequest):
            await self._transition(
                "approved", phase=phase, master_status="running",
                approval=ApprovalRecord(decision="approved", user_id=decision.approver, comment=decision.comment),
            )
            self._completed.append(phase)
            return index + 1
        if isinstance(decision, RejectRequest):
            await self._transition(
                "rejected", phase=phase, master_status="running",
                approval=ApprovalRecord(decision="rejected", user_id=decision.approver, comment=decision.reason),
            )
            return index
        target = PHASES.index(decision.phase)
        self._completed = self._completed[:target]
        await self._transition(
            "rolled_back", phase=phase, rollback_to=decision.phase, master_status="running",
            approval=ApprovalRecord(decision="rolled_back", user_id=decision.requested_by, comment=decision.reason),
        )
        return target

    async def _wait_while_paused(self) -> None:
        if not self._paused:
            return
        await self._transition("paused", master_status="paused", phase=self._phase)
        await workflow.wait_condition(lambda: not self._paused)
        await self._transition("resumed", master_status="running", phase=self._phase)

    async def _load_context(self) -> EngagementContext:
        return await workflow.execute_activity_method(
            EngagementActivities.load_engagement_context, self._input.tenant, **TRANSITION_OPTIONS
        )

    async def _transition(self, event: TransitionEvent, **fields: Any) -> None:
        """Record one flow-state change (one activity, one transaction) and mirror it to the UI.

        The status changes once the transition is in the database, so whoever reads the database
        after `status` reported a state finds that state there too.
        """
        self._seq += 1
        info = workflow.info()
        request = TransitionRequest(
            tenant=self._input.tenant,
            master_flow_id=self._input.master_flow_id,
            flow_id=self._input.master_flow_id,
            seq=self._seq,
            event=event,
            occurred_at=workflow.now(),
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            **fields,
        )
        await workflow.execute_activity_method(TransitionActivities.record_transition, request, **TRANSITION_OPTIONS)
        if fields.get("master_status"):
            self._status = fields["master_status"]
        self._publish()

    def _publish(self) -> None:
        updates = [sa.AWAITING_APPROVAL.value_set(self._awaiting is not None and not self._phase_failed)]
        if self._phase is not None:
            updates.append(sa.MIGRATION_PHASE.value_set(self._phase))
        if self._asset_count is not None:
            updates.append(sa.ASSET_COUNT.value_set(self._asset_count))
        workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self._details())

    def _details(self) -> str:
        lines = [
            f"**Status:** {self._status}" + (" (paused)" if self._paused and self._status != "paused" else ""),
            f"**Phase:** {self._phase or '-'}" + (f" / step {self._step}" if self._step else ""),
            f"**Progress:** {self._progress:.0f}%",
            f"**Completed phases:** {', '.join(self._completed) or 'none'}",
        ]
        if self._awaiting:
            what = "re-run or rollback after failure" if self._phase_failed else "approval"
            lines.append(f"**Waiting for:** {what} of {self._awaiting}")
        if self._waiting_for:
            lines.append(f"**Waiting for:** {self._waiting_for}")
        if self._asset_count is not None:
            lines.append(f"**Assets:** {self._asset_count}")
        for phase, steps in self._summaries.items():
            highlights = phase_highlights(phase, steps)
            if highlights:
                lines.append(f"**{phase.capitalize()}:** {highlights}")
            lines.extend(f"**{phase.capitalize()} {line.replace(':', ':**', 1)}" for line in phase_agent_lines(steps))
        return "\n\n".join(lines)

    # ------------------------------------------------------------------------ validation
    def _check_decision(self, client_account_id: UUID, phase: Phase, user: UUID, *, for_approval: bool) -> None:
        if client_account_id != self._input.tenant.client_account_id:
            raise ApplicationError("this engagement belongs to another client account", type="TenantMismatch")
        if self._decision is not None or self._verifying:
            raise self._decision_pending()
        if self._awaiting != phase:
            raise ApplicationError(f"phase {phase} is not awaiting a decision; {situation(self.status())}",
                                   type="NotAwaiting")
        if for_approval and self._phase_failed:
            raise ApplicationError(f"phase {phase} failed; reject it to re-run it or roll back", type="PhaseFailed")
        role = (self._context.member_roles if self._context else {}).get(str(user))
        if role is None:
            raise ApplicationError(f"user {user} is not a member of this engagement", type="NotMember")
        if role not in APPROVING_ROLES:
            raise ApplicationError(f"user {user} has role {role}, which cannot approve", type="NotApprover")

    def _decision_pending(self) -> ApplicationError:
        """The refusal of a decision while another one is accepted but not yet applied."""
        return ApplicationError(f"another decision for phase {self._phase} is being applied; see `status`",
                                type="DecisionPending", non_retryable=True, category=ApplicationErrorCategory.BENIGN)

    # --------------------------------------------------------------------- updates/signals
    @workflow.update(name="approve_phase")
    async def approve_phase_update(self, req: ApproveRequest) -> MasterStatus:
        return await self._decide(req)

    @approve_phase_update.validator
    def _validate_approve(self, req: ApproveRequest) -> None:
        self._check_decision(req.client_account_id, req.phase, req.approver, for_approval=True)

    @workflow.update(name="reject_phase")
    async def reject_phase_update(self, req: RejectRequest) -> MasterStatus:
        return await self._decide(req)

    @reject_phase_update.validator
    def _validate_reject(self, req: RejectRequest) -> None:
        self._check_decision(req.client_account_id, req.phase, req.approver, for_approval=False)
        if not req.reason.strip():
            raise ApplicationError("a rejection needs a reason", type="BadRequest")

    @workflow.update(name="rollback_to")
    async def rollback_to(self, req: RollbackRequest) -> MasterStatus:
        return await self._decide(req)

    @rollback_to.validator
    def _validate_rollback(self, req: RollbackRequest) -> None:
        if self._decision is not None or self._verifying:
            raise self._decision_pending()
        current = self._awaiting
        if current is None:
            raise ApplicationError(
                f"rollback is possible only while a phase awaits a decision; {situation(self.status())}",
                type="NotAwaiting")
        self._check_decision(req.client_account_id, current, req.requested_by, for_approval=False)
        if PHASES.index(req.phase) >= PHASES.index(current):
            where = f"to {current}, the phase awaiting a decision" if req.phase == current else f"forward to {req.phase} from {current}"
            raise ApplicationError(
                f"cannot roll back {where}: a rollback returns to an earlier phase; `reject --reason` runs "
                f"{current} again", type="BadRequest")

    @workflow.signal(name="approve_phase")
    def approve_phase_signal(self, req: ApproveRequest) -> None:
        self._accept_signal(req, lambda: self._validate_approve(req))

    @workflow.signal(name="reject_phase")
    def reject_phase_signal(self, req: RejectRequest) -> None:
        self._accept_signal(req, lambda: self._validate_reject(req))

    def _accept_signal(self, req: ApproveRequest | RejectRequest, validate: Any) -> None:
        """Signals cannot answer the caller: an invalid one is logged and ignored. Since decisions are verified
        against recorded requests, only updates carry them (a signal cannot wait for the database's answer)."""
        if verification_applies():
            workflow.logger.warning("Ignored %s signal: decisions arrive as updates (the CLI's approve/reject)",
                                    type(req).__name__)
            return
        try:
            validate()
        except ApplicationError as err:
            workflow.logger.warning("Ignored %s signal: %s", type(req).__name__, err.message)
            return
        self._decision = req

    @workflow.signal
    async def pause(self, req: ControlRequest | None = None) -> None:
        """Hold before the next step (the running phase) or the next phase; recorded where it holds."""
        if not await self._control_verified(req, "pause"):
            return
        self._paused = True
        if self._child is not None:
            await self._child.signal("pause", *([req] if verification_applies() else []))

    @workflow.signal
    async def resume(self, req: ControlRequest | None = None) -> None:
        if not await self._control_verified(req, "resume"):
            return
        self._paused = False
        if self._child is not None:
            await self._child.signal("resume", *([req] if verification_applies() else []))

    async def _control_verified(self, req: ControlRequest | None, kind: str) -> bool:
        """Whether a pause or resume names a request the database confirms (logged and ignored if not)."""
        if not verification_applies():
            return True
        try:
            await verified_request(self._input.tenant, req.request_id if req else None, kind, None,
                                   self._used_requests, this_run())
        except ApplicationError as err:
            workflow.logger.warning("Ignored %s signal: %s", kind, err.message)
            return False
        return True

    @workflow.signal
    async def plan_rewritten(self) -> None:
        """A person changed the written plan (`plan import`, `plan replan`): while planning awaits approval, read the
        planning steps' summaries again, so `status` and the approver see the plan as it now is. It only reads the
        database, so whoever sends it changes nothing."""
        if self._awaiting != "planning" or self._phase_failed:
            return
        try:
            summaries = await workflow.execute_activity_method(
                PlanningActivities.summarise_written_plan, self._input.tenant, **REVIEW_OPTIONS)
        except ActivityError as err:
            workflow.logger.warning("Planning summaries not refreshed: %s", root_message(err))
            return
        before = self._summaries.get("planning", {})
        for step, summary in summaries.items():  # a crew's advice stays, said to be about the plan before
            if "agents" in before.get(step, {}):
                summary["agents"] = {**before[step]["agents"], "note": "about the plan before a person rewrote it"}
        self._summaries["planning"] = {**before, **summaries}
        self._publish()

    @workflow.signal
    async def members_changed(self) -> None:
        """The engagement's members or approval policy changed: reload them for validation."""
        self._context = await self._load_context()

    @workflow.signal
    def phase_progress(self, progress: PhaseProgress) -> None:
        if progress.phase == self._phase:
            self._step = progress.step
            self._waiting_for = progress.waiting_for
            if progress.asset_count is not None:
                self._asset_count = progress.asset_count
            base = 100.0 * PHASES.index(progress.phase) / len(PHASES)
            self._progress = base + progress.progress / len(PHASES)
            self._publish()

    @workflow.query
    def status(self) -> MasterStatus:
        return MasterStatus(
            engagement_id=self._input.tenant.engagement_id,
            master_flow_id=self._input.master_flow_id,
            status=self._status,  # type: ignore[arg-type]
            phase=self._phase,
            step=self._step,
            progress=round(self._progress, 1),
            # As recorded, unless a decision about it is being applied (its transition is not recorded yet).
            awaiting_approval=(self._phase if self._status == "awaiting_approval" and self._decision is None
                               and not self._verifying else None),
            paused=self._paused,
            phases_completed=tuple(self._completed),
            phase_flow_ids=dict(self._phase_flow_ids),
            asset_count=self._asset_count,
            phase_summaries=dict(self._summaries),
            waiting_for=self._waiting_for,
        )


def situation(st: MasterStatus) -> str:
    """What an engagement's flow is doing, in words, and the command that moves it on when it waits for a person."""
    if st.status == "completed":
        return "the engagement has completed"
    if st.status == "cancelled":
        return "the engagement was cancelled; `launch` starts it again"
    if st.status == "failed":
        return f"phase {st.phase} failed; reject it to re-run it or roll back"
    if st.awaiting_approval:
        return f"phase {st.awaiting_approval} awaits approval: `approve` or `reject` it"
    if st.waiting_for:
        return f"{st.phase} waits for a {st.waiting_for} (see `mappings show`, then `mappings set` or `mappings approve`)"
    if st.paused:
        return f"the engagement is paused{f' in {st.phase}' if st.phase else ''}; `resume` lets it go on"
    if st.phase:
        return f"phase {st.phase} is running" + (f" (last step done: {st.step})" if st.step else "")
    return "the engagement is starting"
