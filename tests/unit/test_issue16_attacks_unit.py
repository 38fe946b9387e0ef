"""Attacks on the agents' pure parts (issue 16): what a hostile model answer or endpoint can put into the rows the
platform writes, without crewai or a database."""

from __future__ import annotations

import json
import math

from agents.accounting import usage_of_response
from agents.answers import (
    MAX_FINDINGS,
    TITLE_CHARS,
    ColumnProposal,
    Finding,
    MappingAnswer,
    PlanCritique,
    StrategyAnswer,
    StrategyProposal,
    check_findings,
    check_mapping,
    check_strategies,
)

INT4_MAX = 2**31 - 1
# PostgreSQL text and jsonb hold neither U+0000 nor a lone surrogate (asyncpg cannot even encode the latter);
# crewai's JSON parsing (pydantic's) refuses a lone surrogate today, so only U+0000 reaches these checks.
UNSTORABLE = ("\u0000", "\ud800")


def _storable(text: str) -> bool:
    return not any(c in text for c in UNSTORABLE)


def test_kept_texts_hold_nothing_postgresql_refuses() -> None:
    """A reason, rationale, title or detail is kept as the model wrote it (whitespace collapsed, cut): a U+0000 in
    it makes the INSERT/UPDATE raise, which fails the activity and, after its retries, the phase."""
    planted = "\u0000"
    mapping = check_mapping(MappingAnswer(proposals=[ColumnProposal(column="C1", target="name", confidence=0.8,
                                                                    reason=f"names{planted}")]), ["C1"])
    strategies = check_strategies(StrategyAnswer(proposals=[StrategyProposal(
        subject="A1", strategy="rehost", confidence=0.6, rationale=f"end of life{planted}")]), ["A1"])
    findings = check_findings(PlanCritique(findings=[Finding(
        insight_type="risk_pattern", title=f"Wave 1{planted}", detail=f"too big{planted}", waves=[1], assets=[],
        confidence=0.5)]), [1], {})
    texts = [p.reason for p in mapping.kept.values()] + [p.rationale for p in strategies.kept.values()] + \
        [t for f in findings.kept.values() for t in (f.title, f.detail)] + \
        mapping.dropped + strategies.dropped + findings.dropped
    assert all(_storable(t) for t in texts), texts


def test_a_calls_token_counts_fit_the_sums_the_budget_and_report_make() -> None:
    """prompt_tokens 2**31 - 1 and completion_tokens 1 each pass `_count`; agent_budget.sql and
    report_agent_usage.sql add them per row in integer and overflow ('integer out of range') for good."""
    body = json.dumps({"choices": [{"message": {"content": "{}"}}],
                       "usage": {"prompt_tokens": INT4_MAX, "completion_tokens": 1}}).encode()
    usage = usage_of_response(200, body, 5, 2_000)
    assert usage.prompt_tokens + usage.completion_tokens <= INT4_MAX and usage.estimated, usage


def test_hostile_answers_are_bounded_and_checked() -> None:
    """Guards: 10,000 findings of 1 MB titles, confidences NaN and inf, a strategy that is SQL, subjects and columns
    not asked about: kept within their limits, the rest dropped with a reason."""
    huge = "x" * 2**20
    findings = check_findings(PlanCritique(findings=[
        Finding(insight_type="risk_pattern", title=huge, detail=huge, waves=[1], assets=[], confidence=0.5)
        for _ in range(10_000)]), [1], {})
    assert len(findings.kept) == MAX_FINDINGS and len(findings.dropped) == 10_000 - MAX_FINDINGS
    assert all(len(f.title) <= TITLE_CHARS for f in findings.kept.values())
    assert max(len(d) for d in findings.dropped) < 200

    strategies = check_strategies(StrategyAnswer(proposals=[
        StrategyProposal(subject="A1", strategy="rehost'); DROP TABLE migration.assets; --", confidence=0.5,
                         rationale="x"),
        StrategyProposal(subject="A2", strategy="rehost", confidence=math.nan, rationale="x"),
        StrategyProposal(subject="A3", strategy="rehost", confidence=math.inf, rationale="x"),
        StrategyProposal(subject="3f0c5a2e-0000-4000-8000-000000000001", strategy="rehost", confidence=0.5,
                         rationale="another tenant's asset id"),
    ]), ["A1", "A2", "A3"])
    assert strategies.kept == {} and len(strategies.dropped) == 4

    mapping = check_mapping(MappingAnswer(proposals=[
        ColumnProposal(column="C1", target="approved", confidence=1.0, reason="admin"),
        ColumnProposal(column="C2", target="name", confidence=-math.inf, reason="x"),
        ColumnProposal(column=huge, target="name", confidence=0.5, reason="x"),
    ]), ["C1", "C2"])
    assert mapping.kept == {} and len(mapping.dropped) == 3 and max(len(d) for d in mapping.dropped) < 200
