"""Payloads between the CLI, workflows and activities: ids, counts and small summaries only.

Bulk data never travels through Temporal (DESIGN contract 3): assets stay in PostgreSQL and
payloads carry the ids that find them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

Phase = Literal["discovery", "assessment", "planning", "execution"]
FlowStatus = Literal["initialized", "running", "awaiting_approval", "paused", "completed", "failed", "cancelled"]
TransitionEvent = Literal[
    "flow_started",  # master: engagement launched
    "phase_started",  # a phase flow starts (new phase flow id)
    "step_completed",  # one step of a phase finished
    "phase_completed",  # all steps of a phase finished
    "awaiting_approval",
    "approved",
    "rejected",
    "rolled_back",
    "paused",
    "resumed",
    "cancelled",
    "failed",
    "flow_completed",
]
Decision = Literal["approved", "rejected", "auto_approved", "rolled_back"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tenant(Model):
    client_account_id: UUID
    engagement_id: UUID


class ApprovalPolicy(Model):
    """Which phases proceed without a person, and how often to remind while waiting."""

    auto_approve: tuple[Phase, ...] = ()
    reminder_interval: timedelta = timedelta(hours=24)


class EngagementContext(Model):
    """What the master workflow needs to validate approvals deterministically."""

    name: str
    member_roles: dict[str, str] = Field(default_factory=dict)  # user id -> role
    approval_policy: ApprovalPolicy = ApprovalPolicy()


class ImportFiles(Model):
    """The files of one inventory import, uploaded together."""

    data_import_ids: tuple[UUID, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _one_file(cls, data: Any) -> Any:
        """Inputs recorded before multi-file imports name one `data_import_id`: running workflows keep
        decoding their history."""
        if isinstance(data, dict) and "data_import_id" in data:
            data = dict(data)
            single = data.pop("data_import_id")
            if single is not None and not data.get("data_import_ids"):
                data["data_import_ids"] = (single,)
        return data


class MasterFlowInput(ImportFiles):
    tenant: Tenant
    master_flow_id: UUID
    auto_approve: tuple[Phase, ...] = ()
    reminder_interval: timedelta | None = None
    launched_by: UUID | None = None
    request_id: UUID | None = None  # the recorded launch request (its auto-approved phases), verified first


class PhaseInput(ImportFiles):
    tenant: Tenant
    master_flow_id: UUID
    phase: Phase
    phase_flow_id: UUID
    run_number: int = 1
    master_workflow_id: str


class StepInput(ImportFiles):
    tenant: Tenant
    master_flow_id: UUID
    phase_flow_id: UUID


class StepResult(Model):
    """A step's outcome: counts and a small summary a person can read in the UI and CLI."""

    summary: dict[str, Any] = Field(default_factory=dict)
    asset_count: int | None = None


class PhaseResult(Model):
    phase: Phase
    phase_flow_id: UUID
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    asset_count: int | None = None


class ApprovalRecord(Model):
    decision: Decision
    user_id: UUID | None = None
    comment: str | None = None


class TransitionRequest(Model):
    """One flow-state change. Applied once per (flow_id, seq), whatever the retries and replays."""

    tenant: Tenant
    master_flow_id: UUID
    flow_id: UUID  # the flow whose sequence `seq` counts: the master or one phase flow
    seq: int
    event: TransitionEvent
    occurred_at: datetime
    phase: Phase | None = None
    phase_flow_id: UUID | None = None
    step: str | None = None
    master_status: FlowStatus | None = None
    phase_status: FlowStatus | None = None
    progress: float | None = None
    state: dict[str, Any] = Field(default_factory=dict)  # merged into crew_ai_state / persistence data
    approval: ApprovalRecord | None = None
    rollback_to: Phase | None = None
    workflow_id: str | None = None
    run_id: str | None = None


class TransitionResult(Model):
    applied: bool


class ApproveRequest(Model):
    client_account_id: UUID
    phase: Phase
    approver: UUID
    comment: str | None = None
    request_id: UUID | None = None  # the person's recorded request; the workflow acts only once it is verified


class RejectRequest(Model):
    client_account_id: UUID
    phase: Phase
    approver: UUID
    reason: str
    request_id: UUID | None = None


class RollbackRequest(Model):
    client_account_id: UUID
    phase: Phase
    requested_by: UUID
    reason: str | None = None
    request_id: UUID | None = None


class ControlRequest(Model):
    """A pause or resume: only the id of the person's recorded request (the workflow verifies it)."""

    request_id: UUID


class RequestCheck(Model):
    """What a workflow asks the database about a person request before acting on it; `claimant` is the
    workflow run (id/run id) the request acts in: one only."""

    tenant: Tenant
    request_id: UUID
    kind: str
    phase: Phase | None = None
    claimant: str


class VerifiedRequest(Model):
    """A request the database confirmed: who asked (None: the service itself launched) and what exactly they
    asked (the comment, reason, corrections or phases to approve, as recorded, not as an update repeats them)."""

    person: UUID | None
    payload: dict[str, Any] = Field(default_factory=dict)
    role: str | None = None  # the person's role in the engagement when the request was verified


class PhaseProgress(Model):
    """Sent by a phase child to its master after every step."""

    phase: Phase
    step: str | None
    progress: float
    asset_count: int | None = None
    waiting_for: str | None = None  # what the phase waits for from a person (e.g. a mapping review)


class MasterStatus(Model):
    """Answer of the `status` query: where the engagement stands and what it waits for."""

    engagement_id: UUID
    master_flow_id: UUID
    status: FlowStatus
    phase: Phase | None
    step: str | None
    progress: float
    awaiting_approval: Phase | None
    paused: bool
    phases_completed: tuple[Phase, ...]
    phase_flow_ids: dict[str, UUID]
    asset_count: int | None
    phase_summaries: dict[str, dict[str, Any]]
    waiting_for: str | None = None


class MappingCorrection(Model):
    """A person's decision about one source column: its target, or None to leave it unmapped."""

    source_field: str
    target_field: str | None
    file_name: str | None = None  # needed only when several files of the import have the column


class MappingReviewRequest(Model):
    """Corrections to the suggested mappings; `accept_remaining` approves the rest as suggested."""

    client_account_id: UUID
    user: UUID
    corrections: tuple[MappingCorrection, ...] = ()
    accept_remaining: bool = False
    request_id: UUID | None = None


class MappingReviewStatus(Model):
    """What is still waiting for review after a request; `complete` lets discovery go on."""

    needs_review: tuple[str, ...]  # "file: column (suggested target, confidence)"
    blocking: tuple[str, ...] = ()  # problems that keep the review open (no identifying column)
    complete: bool
    applied: int = 0
    learned: int = 0


class MappingReviewInput(Model):
    step: StepInput
    request: MappingReviewRequest | None = None  # None: only report what needs review


class WaveInput(Model):
    step: StepInput
    wave_number: int


class WaveResult(Model):
    wave_number: int
    assets_migrated: int
