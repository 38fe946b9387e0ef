"""Payloads of the execution workflows and activities: ids, counts, times and small summaries only.

Step runs stay in PostgreSQL (thousands per wave); the workflows carry the runbook's id and what the last
look at it found (DESIGN contract 3).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from domain.flow_contracts import Model, StepInput

Direction = Literal["forward", "rollback"]


class ExecutionSettings(Model):
    """How an engagement's execution runs (engagement settings `execution`, defaults below)."""

    wave_concurrency: int = Field(default=2, ge=1, le=50)  # waves running at once
    workload_limit: int = Field(default=10, ge=1, le=1000)  # step runs of one wave in flight at once
    honour_planned_dates: bool = True  # a wave starts no earlier than its planned start
    cutover_hour_utc: int = Field(default=20, ge=0, le=23)  # the cutover window opens on the planned end date
    cutover_window_hours: int = Field(default=12, ge=1, le=168)


class PlannedWave(Model):
    number: int
    planned_start: date | None = None
    depends_on: tuple[int, ...] = ()  # earlier waves holding what this wave's assets depend on


class WaveSchedule(Model):
    waves: tuple[PlannedWave, ...]
    settings: ExecutionSettings


class WaveRunResult(Model):
    wave_number: int
    status: str  # completed | rolled_back
    assets_migrated: int = 0
    assets_rolled_back: int = 0
    assets_abandoned: int = 0


class AdvanceResult(Model):
    """What a look at the runbook found once nothing more could start."""

    counts: dict[str, int] = Field(default_factory=dict)  # step runs by status
    done: bool = False
    next_wake_at: datetime | None = None
    waiting_for_people: int = 0  # manual steps and approvals waiting
    failed: int = 0
    notifications: int = 0  # unsent notifications in the outbox
    status: str = "running"  # the runbook's status as recorded (paused, aborting ...)
    closed: WaveRunResult | None = None  # the run ended with this look (all its runs done)


class RunbookOpened(Model):
    runbook_id: UUID
    run_number: int
    steps: int
    runs: int
    assets: int
    applications: int
    without_strategy: int = 0  # assets of the wave with no strategy decided: left out, said so
    first: AdvanceResult | None = None  # the first look, made with the opening


class WaveRunInput(Model):
    step: StepInput
    wave_number: int
    settings: ExecutionSettings = ExecutionSettings()
    now: datetime | None = None  # the workflow's time when it opens the runbook (its first look judges by it)
    # continued as new: the runbook already open, and where the wave stood
    resume: RunbookOpened | None = None
    direction: Direction = "forward"
    paused: bool = False


class AdvanceInput(Model):
    step: StepInput
    runbook_id: UUID
    now: datetime  # the workflow's time: timers and windows are judged by it (time-skipping tests too)
    direction: Direction = "forward"


ActionName = Literal["complete", "approve", "reject", "retry", "skip", "abandon", "abort", "pause", "resume"]
ACTION_REQUEST_KINDS: dict[str, str] = {
    "complete": "step_complete",
    "retry": "step_retry",
    "approve": "step_approve",
    "reject": "step_reject",
    "skip": "step_skip",
    "abandon": "workload_abandon",
    "abort": "wave_abort",
    "pause": "wave_pause",
    "resume": "wave_resume",
}


class ExecutionActionRequest(Model):
    """A person's execution action: only the id of their recorded request (the wave verifies it)."""

    client_account_id: UUID
    action: ActionName
    request_id: UUID


class WaveStartRequest(Model):
    """A person starts a wave now, before its planned date: only the id of their recorded request."""

    client_account_id: UUID
    wave_number: int
    request_id: UUID


Short = Annotated[str, Field(min_length=1, max_length=200)]
WhereField = Literal["environment", "os_family", "criticality", "application", "hostname"]
STEP_ACTIONS = ("complete", "approve", "reject", "retry", "skip", "abandon")


class ActionSelection(Model):
    """Which workloads a step action concerns: one asset (name or id), one application, the assets matching
    `where`, or all of them."""

    asset: Short | None = None
    application: Short | None = None
    where: dict[WhereField, Short] | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one(self) -> ActionSelection:
        given = [self.asset is not None, self.application is not None, bool(self.where), self.all]
        if sum(given) != 1:
            raise ValueError("a selection is one of: an asset, an application, --where conditions, or all")
        return self


class ActionEvidence(Model):
    link: Annotated[str, Field(max_length=2000)] | None = None
    ticket: Short | None = None


class ActionPayload(Model):
    """A person's execution action as their request records it: checked again by the worker before it acts
    (whoever wrote the row, whatever client sent it)."""

    action: ActionName
    wave: int
    step: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")] | None = None
    selection: ActionSelection | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    evidence: ActionEvidence | None = None
    change_reference: Short | None = None
    force: bool = False

    @model_validator(mode="after")
    def _complete(self) -> ActionPayload:
        if self.action in STEP_ACTIONS:
            if self.step is None and self.action != "abandon":
                raise ValueError(f"{self.action} names a step")
            if self.selection is None:
                raise ValueError(f"{self.action} names the workloads it concerns")
        return self


class ActionInput(Model):
    """A person's action to verify (their recorded request, claimed by `claimant`) and apply, in one transaction."""

    step: StepInput  # its phase flow and the wave number find the wave's runbook (it may still be opening)
    wave_number: int
    action: ActionName
    request_id: UUID
    claimant: str  # the wave's workflow run
    now: datetime


class ActionResult(Model):
    affected: int
    message: str
