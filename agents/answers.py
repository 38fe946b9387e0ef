"""What each crew must answer (pydantic models crewai asks the endpoint for) and how an answer is checked
against what the crew was asked: a proposal for something it was not shown, a target outside the asset schema,
a strategy outside the vocabulary or a confidence out of range is dropped with its reason, never repaired.

Subjects are named by handles the platform made (C1, A1, P1 ...), never by text from a file, so a value in an
inventory cannot name another subject into the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.vocabulary import SIX_R_STRATEGIES
from domain.wording import one_line

REASON_CHARS = 300
RATIONALE_CHARS = 600
TITLE_CHARS = 120
DETAIL_CHARS = 600
MAX_FINDINGS = 10
FINDING_TYPES = ("risk_pattern", "optimization_opportunity", "anomaly_detection")


class ColumnProposal(BaseModel):
    column: str
    target: str | None
    confidence: float
    reason: str


class MappingAnswer(BaseModel):
    proposals: list[ColumnProposal]


class StrategyProposal(BaseModel):
    subject: str
    strategy: str
    confidence: float
    rationale: str


class StrategyAnswer(BaseModel):
    proposals: list[StrategyProposal]


class Finding(BaseModel):
    insight_type: str
    title: str
    detail: str
    waves: list[int]
    assets: list[str]
    confidence: float


class PlanCritique(BaseModel):
    findings: list[Finding]


T = TypeVar("T")


@dataclass(frozen=True)
class Checked(Generic[T]):
    """The proposals kept (by subject handle) and why each other one was dropped."""

    kept: dict[str, T]
    dropped: list[str]




def _confidence(value: float) -> bool:
    return 0.0 <= value <= 1.0


def check_mapping(answer: MappingAnswer, asked: Sequence[str]) -> Checked[ColumnProposal]:
    """Keep one proposal per asked column whose target is an asset column (or None: leave unmapped)."""
    kept: dict[str, ColumnProposal] = {}
    dropped: list[str] = []
    for p in answer.proposals:
        handle = p.column.strip()
        if handle not in asked:
            dropped.append(f"{one_line(handle, 40)!r}: not a column it was asked about")
        elif handle in kept:
            dropped.append(f"{handle}: answered twice")
        elif p.target is not None and p.target not in ASSET_IMPORT_FIELDS:
            dropped.append(f"{handle}: {one_line(p.target, 40)!r} is not an asset column")
        elif not _confidence(p.confidence):
            dropped.append(f"{handle}: confidence {p.confidence} is not between 0 and 1")
        elif not p.reason.strip():
            dropped.append(f"{handle}: no reason given")
        else:
            kept[handle] = p.model_copy(update={"reason": one_line(p.reason, REASON_CHARS)})
    return Checked(kept, dropped)


def check_strategies(answer: StrategyAnswer, asked: Sequence[str]) -> Checked[StrategyProposal]:
    """Keep one proposal per asked subject with a strategy of the vocabulary and a rationale."""
    kept: dict[str, StrategyProposal] = {}
    dropped: list[str] = []
    for p in answer.proposals:
        handle = p.subject.strip()
        strategy = p.strategy.strip().lower()
        if handle not in asked:
            dropped.append(f"{one_line(handle, 40)!r}: not a subject it was asked about")
        elif handle in kept:
            dropped.append(f"{handle}: answered twice")
        elif strategy not in SIX_R_STRATEGIES:
            dropped.append(f"{handle}: {one_line(p.strategy, 40)!r} is not a migration strategy")
        elif not _confidence(p.confidence):
            dropped.append(f"{handle}: confidence {p.confidence} is not between 0 and 1")
        elif not p.rationale.strip():
            dropped.append(f"{handle}: no rationale given")
        else:
            kept[handle] = p.model_copy(update={"strategy": strategy,
                                                "rationale": one_line(p.rationale, RATIONALE_CHARS)})
    return Checked(kept, dropped)


def check_findings(answer: PlanCritique, waves: Sequence[int], assets: Mapping[str, str]) -> Checked[Finding]:
    """Keep up to MAX_FINDINGS findings of a known type that name only the plan's waves and assets (asset names
    are mapped back to the names the plan holds); keyed by their position."""
    kept: dict[str, Finding] = {}
    dropped: list[str] = []
    known_waves = set(waves)
    for index, f in enumerate(answer.findings, start=1):
        unknown_waves = sorted(set(f.waves) - known_waves)
        unknown_assets = [a for a in f.assets if a.casefold() not in assets]
        if len(kept) == MAX_FINDINGS:
            dropped.append(f"finding {index}: more than {MAX_FINDINGS} findings")
        elif f.insight_type not in FINDING_TYPES:
            dropped.append(f"finding {index}: {one_line(f.insight_type, 40)!r} is not one of {', '.join(FINDING_TYPES)}")
        elif not f.title.strip() or not f.detail.strip():
            dropped.append(f"finding {index}: no title or detail")
        elif not _confidence(f.confidence):
            dropped.append(f"finding {index}: confidence {f.confidence} is not between 0 and 1")
        elif unknown_waves:
            dropped.append(f"finding {index}: the plan has no wave {', '.join(map(str, unknown_waves[:5]))}")
        elif unknown_assets:
            dropped.append(f"finding {index}: the plan has no asset {one_line(unknown_assets[0], 60)!r}")
        else:
            kept[str(index)] = f.model_copy(update={
                "title": one_line(f.title, TITLE_CHARS), "detail": one_line(f.detail, DETAIL_CHARS),
                "waves": sorted(set(f.waves))[:50], "assets": [assets[a.casefold()] for a in f.assets][:20]})
    return Checked(kept, dropped)
