"""Inputs and outputs of the wave planner (`domain.planning.planner.plan_waves`).

Inputs are validated pydantic models, so bad input ends in one clear message; outputs are frozen
dataclasses (100k placements must stay cheap to build).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

WaveKind = Literal["pilot", "non_production", "production"]
Phase = Literal["non_production", "production"]


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


class PlanSettings(BaseModel):
    """Caps, pilot and early-wave rules, hub detection and the calendar. A cap of None means no cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_date: date
    max_assets: int = Field(default=DEFAULT_WAVE_SIZE, ge=1, strict=True)
    max_storage_tb: float | None = Field(default=None, gt=0)
    max_effort_days: float | None = Field(default=None, gt=0)
    pilot_size: int = Field(default=10, ge=0, strict=True)  # assets in the pilot wave; 0: no pilot
    pilot_max_risk: float = Field(default=30.0, ge=0, le=100)
    early_waves_excluding_high: int = Field(default=2, ge=0, strict=True)
    high_complexity_score: float = Field(default=65.0, ge=0, le=100)  # strategy_rules' "high" level
    hub_fan_in_threshold: int | None = Field(default=None, ge=1, strict=True)  # None: default_hub_threshold
    wave_length_days: int = Field(default=DEFAULT_WAVE_LENGTH_DAYS, ge=1, strict=True)
    overlap_days: int = Field(default=0, ge=0, strict=True)

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
    mixed_environment: bool
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
    number: int
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
