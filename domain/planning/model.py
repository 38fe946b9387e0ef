"""Inputs and outputs of the wave planner (`domain.planning.planner.plan_waves`).

Inputs are validated pydantic models, so bad input ends in one clear message; outputs are frozen
dataclasses (100k placements must stay cheap to build).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

from domain.assessment.effort import DEFAULT_WAVE_LENGTH_DAYS, DEFAULT_WAVE_SIZE, EFFORT_DAYS
from domain.vocabulary import (
    ASSET_TYPES,
    CRITICALITIES,
    DEPENDENCY_STRENGTHS,
    DEPENDENCY_TYPES,
    ENVIRONMENTS,
    LIFECYCLE_STATES,
    SIX_R_STRATEGIES,
)

WaveKind = Literal["foundation", "pilot", "non_production", "production"]
Phase = Literal["non_production", "production"]
SharedServicesRule = Literal["foundation", "with_dependents"]
MAX_BLACKOUT_PERIODS = 200  # a decade of holidays; more is a mistake, not a calendar


def _one_of(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


class PlanAsset(BaseModel):
    """One asset as the planner sees it; unknown facts are None. Strategy None means undecided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    asset_type: str | None = None
    application: str | None = None
    environment: str | None = None
    criticality: str | None = None
    complexity_score: float | None = Field(default=None, ge=0, le=100)
    risk_score: float | None = Field(default=None, ge=0, le=100)
    storage_gb: float = Field(default=0.0, ge=0)
    strategy: str | None = None
    effort_days: float | None = Field(default=None, ge=0)  # None: from the strategy's effort table
    tags: tuple[str, ...] = ()
    lifecycle_state: str | None = None  # install status (ADR-0015)
    operational_state: str | None = None
    is_template: bool = False
    requested_wave: str | None = None  # the wave an intake asked for (`Wave 2`): a preference of the ordering

    @field_validator("application")
    @classmethod
    def _blank_application_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("asset_type")
    @classmethod
    def _asset_type(cls, value: str | None) -> str | None:
        return _one_of(value, ASSET_TYPES, "asset type")

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        return _one_of(value, ENVIRONMENTS, "environment")

    @field_validator("criticality")
    @classmethod
    def _criticality(cls, value: str | None) -> str | None:
        return _one_of(value, CRITICALITIES, "criticality")

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, value: str | None) -> str | None:
        return _one_of(value, SIX_R_STRATEGIES, "strategy")

    @field_validator("lifecycle_state", "operational_state")
    @classmethod
    def _lifecycle(cls, value: str | None) -> str | None:
        return _one_of(value, LIFECYCLE_STATES, "lifecycle state")

    @model_validator(mode="after")
    def _effort_known(self) -> PlanAsset:
        if self.effort_days is None and (self.strategy or "undecided") not in EFFORT_DAYS:
            raise ValueError(f"asset {self.id!r}: strategy {self.strategy!r} has no row in the effort table "
                             "(domain.assessment.effort.EFFORT_DAYS); give its effort_days")
        return self


class PlanEdge(BaseModel):
    """`source` depends on `target`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    target: str = Field(min_length=1)
    dependency_type: str = "depends_on"
    strength: str = "soft"

    @field_validator("dependency_type")
    @classmethod
    def _dependency_type(cls, value: str) -> str:
        return _one_of(value, DEPENDENCY_TYPES, "dependency_type")

    @field_validator("strength")
    @classmethod
    def _strength(cls, value: str) -> str:
        return _one_of(value, DEPENDENCY_STRENGTHS, "strength")


class Blackout(BaseModel):
    """Days (inclusive) when no wave may run: a change freeze, a holiday, a client's year-end close."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        """`2027-12-20..2028-01-03` (or one day, `2027-12-25`) as a person types it."""
        if isinstance(value, str):
            start, _, end = value.strip().partition("..")
            return {"start": start.strip(), "end": (end or start).strip()}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Blackout:
        if self.end < self.start:
            raise ValueError(f"a blackout ends on or after it starts, not {self.start}..{self.end}")
        return self

    @model_serializer
    def _as_text(self) -> str:
        """As a person types it (`plan settings show` lists it so, to be typed back)."""
        return str(self)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class PlanSettings(BaseModel):
    """An engagement's planning settings (`plan settings show|set`). A cap of None means no cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_date: date = Field(description="The first day of the first wave.")
    max_assets: int = Field(default=DEFAULT_WAVE_SIZE, ge=1, strict=True, description="Most assets in one wave.")
    max_storage_tb: float | None = Field(default=None, gt=0, description="Most storage in one wave, in TB; none: no cap.")
    max_effort_days: float | None = Field(default=None, gt=0,
                                          description="Most effort in one wave, in person-days; none: no cap.")
    pilot_size: int = Field(default=10, ge=0, strict=True, description="Assets in the pilot wave; 0: no pilot.")
    pilot_max_risk: float = Field(default=30.0, ge=0, le=100, description="Highest risk score a pilot asset may have.")
    early_waves_excluding_high: int = Field(
        default=2, ge=0, strict=True,
        description="Waves from wave 1 that hold no critical, high-criticality or highly complex asset.")
    high_complexity_score: float = Field(default=65.0, ge=0, le=100,
                                         description="Complexity score from which an asset counts as highly complex.")
    hub_fan_in_threshold: int | None = Field(
        default=None, ge=1, strict=True,
        description="Dependents that make an asset a shared service; none: max(10, 5% of the migrating assets).")
    shared_services: SharedServicesRule = Field(
        default="foundation",
        description="foundation: shared services (and what they have binding ties on) move first, in wave 0; "
                    "with_dependents: they are planned like other groups and every dependent that moves before them is "
                    "listed.")
    wave_length_days: int = Field(default=DEFAULT_WAVE_LENGTH_DAYS, ge=1, strict=True, description="Days in a wave.")
    overlap_days: int = Field(default=0, ge=0, strict=True,
                              description="Days a wave overlaps the one before it; shorter than a wave.")
    blackout_periods: tuple[Blackout, ...] = Field(
        default=(), max_length=MAX_BLACKOUT_PERIODS,
        description="Days no wave may run, as start..end (inclusive), comma separated; a wave that would touch one "
                    "starts the day after it.")
    finish_by: date | None = Field(default=None, description="The day the last wave should end by; none: no goal.")

    @model_validator(mode="after")
    def _overlap_shorter_than_wave(self) -> PlanSettings:
        if self.overlap_days >= self.wave_length_days:
            raise ValueError(
                f"overlap_days ({self.overlap_days}) must be shorter than wave_length_days ({self.wave_length_days})"
            )
        return self


@dataclass(frozen=True, slots=True)
class MoveGroup:
    """Assets that move in the same wave, and what glued them together."""

    id: str
    asset_ids: tuple[str, ...]
    phase: Phase
    glued_by: tuple[str, ...]  # e.g. "application 'billing'", "3 hard dependencies"; empty: a lone asset
    shared_service: bool
    environment: str  # the non-production environment its assets share, else "production"
    foundation: str | None  # why it moves in the foundation wave (wave 0), else None
    held_back: str | None  # why it is kept out of early waves (high criticality or complexity), else None
    pilot_eligible: bool
    storage_gb: float
    effort_days: float


@dataclass(frozen=True, slots=True)
class SharedService:
    asset_id: str
    fan_in: int
    reason: str


@dataclass(frozen=True, slots=True)
class Wave:
    number: int  # 0: the foundation wave; the others from 1
    kind: WaveKind
    asset_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    start_date: date
    end_date: date  # inclusive
    storage_gb: float
    effort_days: float
    undecided_assets: int  # assets without a strategy: their effort is the table's middle estimate


class Placement(NamedTuple):
    wave: int
    reason: str


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the plan could not meet, with the assets concerned."""

    rule: str
    detail: str
    asset_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WavePlan:
    waves: tuple[Wave, ...]
    placements: dict[str, Placement]
    move_groups: tuple[MoveGroup, ...]
    shared_services: tuple[SharedService, ...]
    ordering_cycles: tuple[tuple[str, ...], ...]  # move-group ids that depend on each other in a circle
    violations: tuple[Violation, ...]
    not_migrated: dict[str, str]  # retired and retained assets: why they get no wave
