"""Recommend a 6R strategy for one asset, and score its migration complexity, by documented rules.

Strategy rules are tried top to bottom. The first that applies decides; later ones that also apply
are named as runner-ups and their strategies become alternatives.

| # | rule                     | applies when                          | strategy   | alternatives   | strength      |
|---|--------------------------|---------------------------------------|------------|----------------|---------------|
| 1 | powered_off_idle         | off; avg CPU < 5% or unknown; not DR  | retire     | retain         | .90 / .75 (a) |
| 2 | low_utilisation          | avg CPU < 5%, peak < 15%; not DR      | retire     | rehost         | .60 / .45 (b) |
| 3 | infrastructure_appliance | type network, storage, load_balancer  | repurchase | retain         | .70           |
| 4 | container_workload       | type container                        | replatform | rehost         | .75           |
| 5 | managed_database         | type database                         | replatform | rehost, retain | .70 / .55 (c) |
| 6 | proprietary_platform     | OS AIX, Solaris, HP-UX, z/OS, IBM i   | retain     | refactor       | .75           |
| 7 | end_of_support_os        | OS past vendor support (os_catalogue) | replatform | rehost         | .75           |
|   |                          | ... and the asset is an application   | refactor   | replatform     | .75           |
| 8 | standard_server          | Windows/Linux within vendor support   | rehost     | replatform     | .85 / .60 (d) |
| 9 | insufficient_evidence    | no rule above applies                 | rehost     | -              | .35           |

The lower strength applies (a) without utilisation data, (b) in production or at criticality
critical/high (confirm with the owner), (c) on a proprietary platform (cross-platform data
migration), (d) when the OS version is unknown (vendor support not checked).

Target platforms: none for retire; "current platform (on premises)" for retain; the cloud
provider's managed network / storage / load-balancer service; "managed container platform";
"managed database service"; "cloud VM with a supported OS" or "cloud application platform" for
rule 7; "cloud VM (IaaS)" for rehost.

Confidence = strength x (0.5 + 0.5 x completeness), where completeness is the share of the
evidence facts that are known (`EVIDENCE_FACTS`). The same rule is therefore less sure about an
asset it knows less about, and rule 9 (the honest "cannot decide") is never confident. Reasons
list the deciding rule, the runner-ups and the missing facts.

Complexity (0..100) is a weighted average of component scores (each 0..1) with the weights of
`COMPLEXITY_WEIGHTS`: OS (1.0 proprietary platform, 0.7 past support, 0.6 unrecognised, 0.4
Windows/Linux of unknown version, 0.2 supported Windows/Linux), storage (0 up to 100 GB, 0.5 at
1 TB, 1 from 10 TB, logarithmic), database (1 for a database, else 0) and dependencies (count / 10,
at most 1). A component whose facts are unknown is left out and the weights of the others are
rescaled; `components` holds each known component's points, which add up to the score. Levels:
low below 35, medium below 65, high from 65.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.os_catalogue import OS_FAMILIES, OsIdentity, identify_os
from domain.value_aliases import POWER_STATE_ALIASES, canonical_value
from domain.vocabulary import ASSET_TYPES, CRITICALITIES, ENVIRONMENTS, SIX_R_STRATEGIES

EVIDENCE_FACTS: tuple[str, ...] = (
    "asset_type",
    "operating_system",
    "os_version",
    "environment",
    "business_criticality",
    "cpu_utilization_avg",
    "cpu_utilization_peak",
    "power_state",
)

COMPLEXITY_WEIGHTS: dict[str, float] = {"os": 30.0, "storage": 20.0, "database": 25.0, "dependencies": 25.0}

_IDLE_AVG_CPU = 5.0
_IDLE_PEAK_CPU = 15.0
_CLOUD_VM = "cloud VM (IaaS)"
_VOCABULARY_OF_FACT: dict[str, tuple[str, ...]] = {
    "asset_type": ASSET_TYPES,
    "os_family": OS_FAMILIES,
    "environment": ENVIRONMENTS,
    "business_criticality": CRITICALITIES,
}


class AssetFacts(BaseModel):
    """What is known about one asset; every fact may be missing. Values use the canonical vocabularies."""

    model_config = ConfigDict(frozen=True)

    asset_type: str | None = None
    os_family: str | None = None
    operating_system: str | None = None
    os_version: str | None = None
    environment: str | None = None
    business_criticality: str | None = None
    cpu_utilization_avg: float | None = Field(default=None, ge=0, le=100)
    cpu_utilization_peak: float | None = Field(default=None, ge=0, le=100)
    power_state: str | None = None
    storage_gb: float | None = Field(default=None, ge=0)
    memory_gb: float | None = Field(default=None, ge=0)
    cpu_cores: int | None = Field(default=None, ge=0)
    dependency_count: int = Field(default=0, ge=0)
    application_name: str | None = None

    @field_validator("asset_type", "os_family", "environment", "business_criticality")
    @classmethod
    def _canonical(cls, value: str | None, info: ValidationInfo) -> str | None:
        allowed = _VOCABULARY_OF_FACT[str(info.field_name)]
        if value is not None and value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed}")
        return value

    @field_validator("power_state")
    @classmethod
    def _power_state(cls, value: str | None) -> str | None:
        return None if value is None else canonical_value(POWER_STATE_ALIASES, value) or value


class StrategyRecommendation(BaseModel):
    """A 6R strategy with the rule behind it, how sure it is, and the runner-ups."""

    model_config = ConfigDict(frozen=True)

    strategy: str
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: list[str]
    alternatives: list[str]
    target_platform: str | None
    source: Literal["rule"] = "rule"

    @field_validator("strategy")
    @classmethod
    def _six_r(cls, value: str) -> str:
        if value not in SIX_R_STRATEGIES:
            raise ValueError(f"{value!r} is not one of {SIX_R_STRATEGIES}")
        return value


class ComplexityScore(BaseModel):
    """Migration complexity 0..100, its level, and the points each known component contributes."""

    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=0.0, le=100.0)
    level: Literal["low", "medium", "high"]
    components: dict[str, float]


@dataclass(frozen=True)
class _Evidence:
    facts: AssetFacts
    os: OsIdentity | None
    missing: tuple[str, ...]


@dataclass(frozen=True)
class _Verdict:
    strategy: str
    strength: float
    reason: str
    alternatives: tuple[str, ...] = ()
    target_platform: str | None = None


def _gather(facts: AssetFacts) -> _Evidence:
    os = identify_os(facts.operating_system, facts.os_version) if facts.operating_system else None
    known = {
        **{name: getattr(facts, name) is not None for name in EVIDENCE_FACTS},
        "os_version": facts.os_version is not None or (os is not None and os.version is not None),
    }
    return _Evidence(facts, os, tuple(name for name in EVIDENCE_FACTS if not known[name]))


def _is_dr(facts: AssetFacts) -> bool:
    return facts.environment == "disaster_recovery"


def _powered_off_idle(ev: _Evidence) -> _Verdict | None:
    avg = ev.facts.cpu_utilization_avg
    if ev.facts.power_state != "powered_off" or _is_dr(ev.facts) or (avg is not None and avg >= _IDLE_AVG_CPU):
        return None
    if avg is None:
        return _Verdict("retire", 0.75, "powered off; no utilisation data to confirm it is idle", ("retain",))
    return _Verdict("retire", 0.9, f"powered off and idle (average CPU {avg:g}%)", ("retain",))


def _low_utilisation(ev: _Evidence) -> _Verdict | None:
    avg, peak = ev.facts.cpu_utilization_avg, ev.facts.cpu_utilization_peak
    if avg is None or peak is None or avg >= _IDLE_AVG_CPU or peak >= _IDLE_PEAK_CPU or _is_dr(ev.facts):
        return None
    reason = f"average CPU {avg:g}% < {_IDLE_AVG_CPU:g}% and peak {peak:g}% < {_IDLE_PEAK_CPU:g}%: retire candidate"
    if ev.facts.environment == "production" or ev.facts.business_criticality in ("critical", "high"):
        return _Verdict("retire", 0.45, reason + "; production or critical, so confirm with its owner", ("rehost",))
    return _Verdict("retire", 0.6, reason, ("rehost",))


def _infrastructure_appliance(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type not in ("network", "storage", "load_balancer"):
        return None
    return _Verdict(
        "repurchase",
        0.7,
        f"a {ev.facts.asset_type.replace('_', ' ')} appliance is replaced by the cloud provider's managed service",
        ("retain",),
        f"managed cloud {ev.facts.asset_type.replace('_', ' ')} service",
    )


def _container_workload(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type != "container":
        return None
    return _Verdict("replatform", 0.75, "containers move to a managed container platform", ("rehost",),
                    "managed container platform")


def _managed_database(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type != "database":
        return None
    reason = "databases move to a managed database service; confirm the engine has a managed equivalent"
    if ev.os is not None and ev.os.product is not None and ev.os.product.proprietary_platform:
        return _Verdict("replatform", 0.55, reason + f"; leaving {ev.os.name} needs a cross-platform data migration",
                        ("retain", "rehost"), "managed database service")
    return _Verdict("replatform", 0.7, reason, ("rehost", "retain"), "managed database service")


def _proprietary_platform(ev: _Evidence) -> _Verdict | None:
    if ev.os is None or ev.os.product is None or not ev.os.product.proprietary_platform:
        return None
    return _Verdict("retain", 0.75, f"{ev.os.name} runs only on its vendor's hardware", ("refactor",),
                    "current platform (on premises)")


def _end_of_support_os(ev: _Evidence) -> _Verdict | None:
    if ev.os is None or not ev.os.end_of_support:
        return None
    reason = f"{ev.os.name} is past vendor support"
    if ev.facts.asset_type == "application":
        return _Verdict("refactor", 0.75, reason + ": modernise the application", ("replatform",),
                        "cloud application platform")
    return _Verdict("replatform", 0.75, reason + ": move to a supported OS", ("rehost",),
                    "cloud VM with a supported OS")


def _standard_server(ev: _Evidence) -> _Verdict | None:
    family = ev.os.family if ev.os is not None else ev.facts.os_family
    if family not in ("windows", "linux") or (ev.os is not None and ev.os.end_of_support):
        return None
    if ev.os is not None and ev.os.end_of_support is False:
        return _Verdict("rehost", 0.85, f"{ev.os.name} is within vendor support", ("replatform",), _CLOUD_VM)
    described = ev.os.name if ev.os is not None else family.capitalize()
    return _Verdict("rehost", 0.6, f"{described}: version unknown, so vendor support was not checked",
                    ("replatform",), _CLOUD_VM)


_RULES: tuple[tuple[str, Callable[[_Evidence], _Verdict | None]], ...] = (
    ("powered_off_idle", _powered_off_idle),
    ("low_utilisation", _low_utilisation),
    ("infrastructure_appliance", _infrastructure_appliance),
    ("container_workload", _container_workload),
    ("managed_database", _managed_database),
    ("proprietary_platform", _proprietary_platform),
    ("end_of_support_os", _end_of_support_os),
    ("standard_server", _standard_server),
)


def _insufficient_evidence(ev: _Evidence) -> _Verdict:
    if ev.os is not None:
        why = f"operating system {ev.os.name!r} is not recognised"
    elif ev.facts.os_family is not None:
        why = f"no rule covers OS family {ev.facts.os_family!r} without a named OS"
    else:
        why = "the operating system is unknown"
    return _Verdict("rehost", 0.35, f"no rule could decide ({why}); rehost is the default", (), _CLOUD_VM)


def recommend_strategy(facts: AssetFacts) -> StrategyRecommendation:
    """The strategy of the first applicable rule, with confidence from rule strength and evidence."""
    evidence = _gather(facts)
    applicable = [(rule_id, verdict) for rule_id, rule in _RULES if (verdict := rule(evidence)) is not None]
    rule_id, chosen = applicable[0] if applicable else ("insufficient_evidence", _insufficient_evidence(evidence))
    runner_ups = applicable[1:]
    reasons = [f"{rule_id}: {chosen.reason}"]
    reasons += [f"runner-up {other_id}: {other.reason}" for other_id, other in runner_ups]
    if evidence.missing:
        reasons.append(f"missing facts: {', '.join(evidence.missing)}")
    alternatives = [
        strategy
        for strategy in dict.fromkeys([*chosen.alternatives, *(other.strategy for _, other in runner_ups)])
        if strategy != chosen.strategy
    ]
    completeness = 1 - len(evidence.missing) / len(EVIDENCE_FACTS)
    return StrategyRecommendation(
        strategy=chosen.strategy,
        confidence=round(chosen.strength * (0.5 + 0.5 * completeness), 2),
        reasons=reasons,
        alternatives=alternatives,
        target_platform=chosen.target_platform,
    )


def _os_component(ev: _Evidence) -> float | None:
    if ev.os is None:
        family = ev.facts.os_family
        if family is None:
            return None
        return 0.4 if family in ("windows", "linux") else 1.0 if family == "unix" else 0.6
    if ev.os.product is None:
        return 0.6
    if ev.os.product.proprietary_platform:
        return 1.0
    return {True: 0.7, False: 0.2, None: 0.4}[ev.os.end_of_support]


def _storage_component(facts: AssetFacts) -> float | None:
    if facts.storage_gb is None:
        return None
    return min(1.0, max(0.0, math.log10(max(facts.storage_gb, 1.0) / 100) / 2))


def score_complexity(facts: AssetFacts) -> ComplexityScore:
    """Complexity 0..100 from OS, storage size, database-ness and dependency count (weights above)."""
    evidence = _gather(facts)
    parts = {
        "os": _os_component(evidence),
        "storage": _storage_component(facts),
        "database": None if facts.asset_type is None else float(facts.asset_type == "database"),
        "dependencies": min(facts.dependency_count, 10) / 10,
    }
    known = {name: value for name, value in parts.items() if value is not None}
    total_weight = sum(COMPLEXITY_WEIGHTS[name] for name in known)
    components = {
        name: round(COMPLEXITY_WEIGHTS[name] * value / total_weight * 100, 2) for name, value in known.items()
    }
    score = round(min(100.0, sum(components.values())), 2)
    level: Literal["low", "medium", "high"] = "low" if score < 35 else "medium" if score < 65 else "high"
    return ComplexityScore(score=score, level=level, components=components)
