"""What the agents advised, in words: a crew's summary of a phase step, the plan critic's findings and the
strategy crew's alternatives, as `status`, `strategy show` and the report say them.

Pure and tolerant: every value a model wrote is untrusted text, shown as it is (the CLI's console escapes control
characters, the report's template escapes HTML); a summary without a figure leaves it out. The agents advise;
nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.wording import counted

NOT_CONFIGURED = "not configured"
FINDINGS_SHOWN = 5  # the plan critic's findings `status` and the planning approval list
CREW_NAMES = {"mapping": "mapping", "strategy": "strategy", "plan_critic": "plan critic"}
NOTHING_ADVISED = "Agents were not configured for this engagement; every result comes from the rules and people."


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def usage_text(calls: int, tokens: int, cost_usd: float) -> str:
    """'3 calls, 4,210 tokens, 0.0021 USD'."""
    return f"{counted(calls, 'call')}, {counted(tokens, 'token')}, {cost_usd:,.4f} USD"


def agents_line(agents: Mapping[str, Any]) -> str:
    """A crew's summary of one step in one line: 'agents: not configured', 'agents (mapping): 12 suggestions,
    3 calls, 4,210 tokens, 0.0021 USD', 'agents (strategy): failed — <reason>'; its `note` (e.g. that it is about
    the plan before a person rewrote it) in brackets at the end."""
    status = str(agents.get("status") or "no status recorded")
    if status == NOT_CONFIGURED:
        return f"agents: {NOT_CONFIGURED}"
    note = f" ({agents['note']})" if agents.get("note") else ""
    return _crew_line(agents, status) + note


def _crew_line(agents: Mapping[str, Any], status: str) -> str:
    crew = agents.get("crew")
    label = f"agents ({CREW_NAMES.get(crew, crew)})" if crew else "agents"
    figures = []
    for key, noun in (("suggestions", "suggestion"), ("findings", "finding")):
        if (count := _number(agents.get(key))) is not None:
            figures.append(counted(int(count), noun))
    tasks, failed = _number(agents.get("tasks")), _number(agents.get("failed_tasks"))
    if failed:
        figures.append(f"{int(failed)} of {counted(int(tasks or failed), 'task')} failed")
    calls = _number(agents.get("calls"))
    if calls:
        figures.append(usage_text(int(calls), int(_number(agents.get("tokens")) or 0),
                                  float(_number(agents.get("cost_usd")) or 0)))
    if status in ("failed", "budget_exceeded"):
        reason = agents.get("reason") or "no reason recorded"
        head = f"{status.replace('_', ' ')} — {reason}"
        return f"{label}: {head}" + (f"; {', '.join(figures)}" if figures else "")
    if status == "completed":
        return f"{label}: {', '.join(figures) or 'completed'}"
    return f"{label}: {status}" + (f"; {', '.join(figures)}" if figures else "")


def phase_agent_lines(steps: Mapping[str, Any]) -> list[str]:
    """One line per step summary of a phase that carries an `agents` summary, in the steps' order."""
    return [agents_line(summary["agents"]) for summary in steps.values()
            if isinstance(summary, Mapping) and isinstance(summary.get("agents"), Mapping)]


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool)) if isinstance(value, list) else ()


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One of the plan critic's findings: a risk, an optimisation or an anomaly it sees in the plan."""

    insight_type: str  # risk_pattern, optimization_opportunity, anomaly_detection
    title: str
    detail: str
    confidence: float
    waves: tuple[int, ...]
    assets: tuple[str, ...]
    model: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Finding:
        return cls(row["insight_type"], row["title"] or "untitled finding", row["detail"] or "",
                   float(row["confidence"]), _ints(row["waves"]), _texts(row["assets"]), row["model"])

    @property
    def kind(self) -> str:
        """'risk pattern'."""
        return self.insight_type.replace("_", " ")

    @property
    def waves_text(self) -> str:
        """'waves 2, 3', 'wave 1', or '' when it names none."""
        if not self.waves:
            return ""
        return f"{'wave' if len(self.waves) == 1 else 'waves'} {', '.join(map(str, self.waves))}"

    def line(self) -> str:
        """'risk pattern (0.80): Wave 2 holds every database — waves 2, 3'."""
        return f"{self.kind} ({self.confidence:.2f}): {self.title}" + (
            f" — {self.waves_text}" if self.waves else "")

    def as_json(self) -> dict[str, Any]:
        return {"insight_type": self.insight_type, "title": self.title, "detail": self.detail,
                "confidence": self.confidence, "waves": list(self.waves), "assets": list(self.assets),
                "model": self.model}


def findings_heading(total: int, shown: int, steps: Mapping[str, Any] | None = None) -> str:
    """'plan critic: 7 findings (the 5 most confident below); advice only, the plan is approved by a person', with
    the note of the planning `steps`' crew summary when it has one (about the plan before a person rewrote it)."""
    if not total:
        return "plan critic: no findings"
    notes = [summary["agents"]["note"] for summary in (steps or {}).values() if isinstance(summary, Mapping)
             and isinstance(summary.get("agents"), Mapping) and summary["agents"].get("note")]
    said = [f"the {shown} most confident below"] if shown < total else []
    said += notes[:1]
    return (f"plan critic: {counted(total, 'finding')}" + (f" ({'; '.join(said)})" if said else "")
            + "; advice only, the plan is approved by a person")


@dataclass(frozen=True, slots=True)
class Alternative:
    """The strategy crew's alternative for an asset or application (source always 'llm')."""

    strategy: str
    confidence: float
    rationale: str
    model: str

    def line(self) -> str:
        """'agent (llm, gpt-4o-mini): replatform 0.62 — <rationale>'."""
        return f"agent (llm, {self.model}): {self.strategy} {self.confidence:.2f} — {self.rationale}"


@dataclass(frozen=True, slots=True)
class StrategyAdvice:
    """An asset's or application's decided strategy (the rule's, or a person's over the rule's recommendation)
    beside the strategy crew's alternative."""

    subject_type: str  # asset, application
    asset_id: UUID | None
    name: str
    strategy: str | None  # None: not assessed yet
    source: str | None  # rule, learned, user
    confidence: float | None
    rationale: Mapping[str, Any]
    decided_by: str | None  # the person's e-mail, when a person decided
    alternative: Alternative | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StrategyAdvice:
        alternative = None if row["agent_strategy"] is None else Alternative(
            row["agent_strategy"], float(row["agent_confidence"]), row["agent_rationale"], row["agent_model"])
        rationale = row["strategy_rationale"]
        return cls(row["subject_type"], row["asset_id"], row["name"], row["strategy"], row["strategy_source"],
                   row["strategy_confidence"], rationale if isinstance(rationale, Mapping) else {},
                   row["decided_by_email"], alternative)

    @property
    def rule_recommendation(self) -> Mapping[str, Any] | None:
        """What the rules recommended: the decided strategy unless a person decided, else what their decision
        recorded of the rules' last recommendation (None: the rules never recommended one)."""
        if self.source == "user":
            recommended = self.rationale.get("recommended")
            return recommended if isinstance(recommended, Mapping) else None
        if self.strategy is None:
            return None
        return {"strategy": self.strategy, "source": self.source, "confidence": self.confidence,
                "rule": self.rationale.get("rule")}

    def decided_line(self) -> str:
        """'decided: rehost (user, by a@b.c): the vendor ships a cloud edition' or 'decided: replatform (rule, 0.75)'."""
        if self.strategy is None:
            return "decided: none yet (not assessed)"
        if self.source == "user":
            who = f", by {self.decided_by}" if self.decided_by else ""
            reason = self.rationale.get("reason")
            return f"decided: {self.strategy} (a person{who})" + (f": {reason}" if reason else "")
        confidence = "" if self.confidence is None else f", {self.confidence:.2f}"
        return f"decided: {self.strategy} ({self.source or 'source not recorded'}{confidence})" + _rule_text(
            self.rationale.get("rule"))

    def rule_line(self) -> str | None:
        """The rules' recommendation a person's decision replaced ('rules recommended: replatform 0.75 …');
        None when the decided strategy is the rules' own or they never recommended one."""
        recommended = self.rule_recommendation
        if self.source != "user" or recommended is None:
            return None
        confidence = _number(recommended.get("confidence"))
        return (f"rules recommended: {recommended.get('strategy')}"
                + ("" if confidence is None else f" {confidence:.2f}") + _rule_text(recommended.get("rule")))

    def alternative_line(self) -> str:
        if self.alternative is None:
            return "agent: no alternative"
        agrees = " (agrees with the decided strategy)" if self.alternative.strategy == self.strategy else ""
        return f"{self.alternative.line()}{agrees} [an alternative only: it decides nothing]"

    def as_json(self) -> dict[str, Any]:
        alternative = None if self.alternative is None else {
            "strategy": self.alternative.strategy, "confidence": self.alternative.confidence,
            "rationale": self.alternative.rationale, "model": self.alternative.model, "source": "llm",
            "role": "alternative"}
        return {"subject_type": self.subject_type, "asset_id": None if self.asset_id is None else str(self.asset_id),
                "name": self.name,
                "decided": {"strategy": self.strategy, "source": self.source, "confidence": self.confidence,
                            "decided_by": self.decided_by,
                            "reason": self.rationale.get("reason") if self.source == "user" else None},
                "rule_recommendation": None if self.rule_recommendation is None else dict(self.rule_recommendation),
                "agent_alternative": alternative}


def _rule_text(rule: Any) -> str:
    return f" by rule {rule}" if rule else ""
