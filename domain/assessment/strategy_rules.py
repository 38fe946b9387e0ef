"""Recommend a migration strategy for one asset and for one application, and score migration
complexity, by documented rules. Strategies are the canonical `vocabulary.SIX_R_STRATEGIES`.

## Rules
Rules are tried top to bottom. The first that applies is the deciding rule: it names its strategy
and the close alternatives it accepts, each with a strength (0..1). Only these candidates compete;
later rules that also apply are reported as runner-up reasons and their strategies as further
alternatives (they lost on priority, not on score).

| #  | rule                     | applies when                              | candidates (strength)                |
|----|--------------------------|-------------------------------------------|--------------------------------------|
| 1  | out_of_service           | install or operational status retired,    | retire .95 (retired) / .90 (absent)  |
|    |                          | absent, non-operational or in stock       | / .80, retain .40 (non-operational)  |
|    |                          |                                           | / .75, retain .40 (in stock)         |
| 2  | vm_template              | a VM template (is_template)               | retire .80                           |
| 3  | network_device           | type network (switch, router, firewall)   | retain .70, repurchase .50           |
| 4  | logical_record           | type service or cluster; type application | retain .70                           |
|    |                          | with no OS, OS family or database engine  |                                      |
| 5  | unrecognised_type        | type other                                | retain .40                           |
| 6  | zombie                   | on; avg CPU < 2%, peak < 5%; no           | retire .85 / .65 (b), rehost .40     |
|    |                          | dependency in or out; network < 1 Mbit/s  |                                      |
|    |                          | or unknown; not DR                        |                                      |
| 7  | powered_off_idle         | off; avg CPU < 5% or unknown; not DR      | retire .90 / .75 (a), retain .50     |
| 8  | low_utilisation          | avg CPU < 5%, peak < 15%; not DR          | retire .60 / .45 (b), rehost .45 /   |
|    |                          |                                           | .40, replatform .35                  |
| 9  | infrastructure_appliance | type storage, load_balancer               | repurchase .70, retain .50           |
| 10 | container_workload       | type container                            | replatform .75, rehost .55           |
| 11 | managed_database         | type database, or a database engine named | by engine, see (c)                   |
| 12 | proprietary_platform     | OS AIX, Solaris, HP-UX, z/OS, IBM i       | retain .75, refactor .55, rewrite    |
|    |                          |                                           | .50 (rewrite for applications only)  |
| 13 | end_of_support_os        | OS past vendor support (os_catalogue)     | replatform .75, relocate .60 (e),    |
|    |                          |                                           | rehost .55                           |
|    |                          | ... and the asset is an application       | refactor .75, replatform .60, rehost |
|    |                          |                                           | .50, rewrite .45                     |
| 14 | standard_server          | Windows/Linux within vendor support       | rehost .85 / .60 (d), replatform .65 |
|    |                          |                                           | / .45 (d), relocate .60 / .40 (d)(e) |
| 15 | insufficient_evidence    | no rule above applies                     | rehost .35                           |

Rules 1-2 say whether there is a workload at all (ADR-0015): an asset whose install or operational
status says it is retired (decommissioned, disposed), absent (stolen, missing), non-operational or in
stock runs nothing to migrate, whatever its type; the strongest of its two statuses decides, and a
non-operational or in-stock asset keeps retain as the alternative a person may confirm. A VM template
is an image, not a workload: it is rebuilt as a cloud image, not migrated. A powered-off VM is left to
rule 7 (a retire candidate that is weaker without utilisation data, so a person confirms it).
A person's decision (`strategy set`) replaces any of these.

Rules 3-5 say what the asset is before any rule says how a workload moves (ADR-0014): a network
device is not migrated, the landing zone's cloud network takes over what it does (a managed cloud
network service, such as a cloud firewall, is the alternative); a service, a cluster or an
application record without a platform of its own is a logical record with nothing of its own to
move: the servers, databases and applications it ties together are assessed and planned one by one
(the wave planner still groups them by its ties); an asset of no recognised type moves nowhere until a
person decides, so its recommendation is deliberately weak.

Thresholds: idle is average CPU below 5% with peak below 15%; a zombie is a running machine that
does no work for anyone: average CPU below 2%, peak below 5%, no recorded dependency in either
direction and network traffic below 1 Mbit/s (or not measured). Disaster-recovery standbys are idle
by design and never retired for it.

(a) without utilisation data. (b) in production, at criticality critical/high, or (rule 8) when
other assets depend on it: confirm with the owner. (c) Engines with a managed equivalent
(PostgreSQL, MySQL, MariaDB, SQL Server, Oracle, Db2, MongoDB, Redis): replatform .75 to a managed
service of the engine, rehost .55. Engines without one (SAP ASE/Sybase, Informix, Teradata,
Progress OpenEdge, Ingres): rehost .65 onto a self-managed cloud VM, refactor .50 (move to an engine
that has one), retain .40. Engine not named or not recognised: replatform .60, rehost .55. On a
proprietary platform (cross-platform data migration): replatform .55, retain .50, rehost .45.
(d) the lower strengths when the OS version is unknown (vendor support not checked). (e) relocate
(a hypervisor-level move to a cloud VMware service) is offered only for VMware virtual machines.

## Scores
A candidate's score = strength + evidence adjustments + goal adjustment, clipped to 0..1; each
term is kept in its `components`. The highest score wins; a tie goes to the earlier candidate.

Evidence adjustments: high complexity (score >= 65): refactor, rewrite, replatform -0.10 (changing
more of a complex asset is riskier); restricted data: repurchase -0.10 (a SaaS vendor would hold the
data), retain +0.10; physical server (not virtual): rehost -0.10 (needs a physical-to-virtual
conversion).

Business goals (1..5 each, 3 neutral) tip the decision between close candidates: goal adjustment =
0.15 x sum over goals of ((level - 3) / 2) x affinity, clipped to +-0.20, with `GOAL_AFFINITY`:

| goal             | rehost | relocate | replatform | refactor | rewrite | repurchase | retire | retain |
|------------------|--------|----------|------------|----------|---------|------------|--------|--------|
| speed            | +0.5   | +1       | -0.5       | -1       | -1      | -0.5       | +0.5   | +0.5   |
| cost_reduction   | +0.5   | 0        | 0          | -0.5     | -1      | 0          | +1     | -1     |
| modernisation    | -1     | -1       | +1         | +1       | +1      | +0.5       | 0      | -1     |
| managed_services | -0.5   | -0.5     | +1         | +0.5     | +0.5    | +1         | 0      | -1     |

So a cost-reduction-5 engagement keeps a supported server on (right-sized) rehost and retires an
idle production server, where a modernisation-5 engagement replatforms both; a speed-5 engagement
relocates an end-of-support VMware VM instead of replatforming it.

Confidence = (strength + evidence adjustments, clipped 0..1) x (0.5 + 0.5 x completeness), where
completeness is the share of `EVIDENCE_FACTS` that are known. Goals express preference, not
evidence, so they never change confidence; rule 15 (the honest "cannot decide") is never confident.

Reasons, in order: the deciding rule, the adjustments that moved the chosen candidate, what the goals
did, the runner-up rules, the missing facts.

## Applications
`recommend_application` recommends each asset, then lets the assets vote with their confidence:
logical records (rule logical_record: the application's own record, nothing of its own to move) and
then retire candidates (decommissioned with the move) are set aside unless every asset is one;
the strategy with the largest summed confidence wins, a tie going to the strongest single vote, then
to canonical order. Confidence = summed confidence of the winner / number of voting assets, so
disagreement and uncertainty both lower it. The target platform is the winners' most common one.
An asset whose strategy a person decided votes for that strategy with weight 1.0 (and names no
target platform).

## Complexity
Complexity (0..100) is a weighted average of component scores (each 0..1) with the weights of
`COMPLEXITY_WEIGHTS`: OS (1.0 proprietary platform, 0.7 past support, 0.6 unrecognised, 0.4
Windows/Linux of unknown version, 0.2 supported Windows/Linux), storage (0 up to 100 GB, 0.5 at
1 TB, 1 from 10 TB, logarithmic), database (1 for a database type or a named engine, else 0) and
dependencies (fan-out + fan-in, / 10, at most 1). A component whose facts are unknown is left out
and the weights of the others are rescaled; `components` holds each known component's points,
which add up to the score. Levels: low below 35, medium below 65, high from 65.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.os_catalogue import OS_FAMILIES, OsIdentity, identify_os
from domain.value_aliases import POWER_STATE_ALIASES, alias_key, alias_table, canonical_value, is_placeholder
from domain.vocabulary import ASSET_TYPES, CRITICALITIES, ENVIRONMENTS, LIFECYCLE_STATES, SIX_R_STRATEGIES

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
HIGH_COMPLEXITY = 65.0

IDLE_AVG_CPU = 5.0
IDLE_PEAK_CPU = 15.0
ZOMBIE_AVG_CPU = 2.0
ZOMBIE_PEAK_CPU = 5.0
ZOMBIE_NETWORK_MBPS = 1.0

GOALS: tuple[str, ...] = ("speed", "cost_reduction", "modernisation", "managed_services")
GOAL_STEP = 0.15
GOAL_LIMIT = 0.20
GOAL_AFFINITY: dict[str, dict[str, float]] = {
    "speed": {"rehost": 0.5, "relocate": 1, "replatform": -0.5, "refactor": -1, "rewrite": -1, "repurchase": -0.5,
              "retire": 0.5, "retain": 0.5},
    "cost_reduction": {"rehost": 0.5, "relocate": 0, "replatform": 0, "refactor": -0.5, "rewrite": -1,
                       "repurchase": 0, "retire": 1, "retain": -1},
    "modernisation": {"rehost": -1, "relocate": -1, "replatform": 1, "refactor": 1, "rewrite": 1, "repurchase": 0.5,
                      "retire": 0, "retain": -1},
    "managed_services": {"rehost": -0.5, "relocate": -0.5, "replatform": 1, "refactor": 0.5, "rewrite": 0.5,
                         "repurchase": 1, "retire": 0, "retain": -1},
}

DATA_CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
DATA_CLASSIFICATION_ALIASES: dict[str, str] = alias_table(
    DATA_CLASSIFICATIONS,
    {
        "public": ("unrestricted", "open", "unclassified", "c0"),
        "internal": ("internal use", "internal only", "company internal", "official", "c1"),
        "confidential": ("sensitive", "company confidential", "private", "c2"),
        "restricted": ("highly confidential", "strictly confidential", "secret", "top secret", "highly restricted",
                       "regulated", "pii", "pci", "phi", "c3"),
    },
)

DEFAULT_TARGETS: dict[str, str | None] = {
    "rehost": "cloud VM (IaaS)",
    "relocate": "cloud VMware service",
    "replatform": "managed cloud platform (PaaS)",
    "refactor": "cloud application platform",
    "rewrite": "cloud-native platform",
    "repurchase": "SaaS product",
    "retire": None,
    "retain": "current platform (on premises)",
}


@dataclass(frozen=True)
class DatabaseEngine:
    name: str
    keywords: tuple[str, ...]  # alias_key() words, any of which names the engine
    managed: bool  # the major clouds offer a managed service of it


DATABASE_ENGINES: tuple[DatabaseEngine, ...] = (
    DatabaseEngine("PostgreSQL", ("postgresql", "postgres", "pgsql"), True),
    DatabaseEngine("MariaDB", ("mariadb",), True),
    DatabaseEngine("MySQL", ("mysql",), True),
    DatabaseEngine("SQL Server", ("mssql", "sqlserver", "sql server"), True),
    DatabaseEngine("Oracle", ("oracle",), True),
    DatabaseEngine("Db2", ("db2",), True),
    DatabaseEngine("MongoDB", ("mongodb", "mongo"), True),
    DatabaseEngine("Redis", ("redis",), True),
    DatabaseEngine("SAP ASE", ("sybase", "sap ase", "adaptive server"), False),
    DatabaseEngine("Informix", ("informix",), False),
    DatabaseEngine("Teradata", ("teradata",), False),
    DatabaseEngine("Progress OpenEdge", ("openedge", "progress"), False),
    DatabaseEngine("Ingres", ("ingres",), False),
)

_VOCABULARY_OF_FACT: dict[str, tuple[str, ...]] = {
    "asset_type": ASSET_TYPES,
    "os_family": OS_FAMILIES,
    "environment": ENVIRONMENTS,
    "business_criticality": CRITICALITIES,
    "lifecycle_state": LIFECYCLE_STATES,
    "operational_state": LIFECYCLE_STATES,
}


def database_engine(text: str) -> DatabaseEngine | None:
    """The engine `text` names (`'Microsoft SQL Server 2016'` -> SQL Server), or None."""
    key = f" {alias_key(text)} "
    return next((e for e in DATABASE_ENGINES if any(f" {word} " in key for word in e.keywords)), None)


class BusinessGoals(BaseModel):
    """An engagement's business goals, each 1 (unimportant) .. 5 (paramount); 3 is neutral."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    speed: int = Field(3, ge=1, le=5, validation_alias=AliasChoices("speed", "speed_of_migration"))
    cost_reduction: int = Field(3, ge=1, le=5)
    modernisation: int = Field(3, ge=1, le=5, validation_alias=AliasChoices("modernisation", "modernization"))
    managed_services: int = Field(3, ge=1, le=5)

    def adjustment(self, strategy: str) -> float:
        """The goal adjustment of one strategy's score (module docstring)."""
        raw = sum(GOAL_STEP * (getattr(self, goal) - 3) / 2 * GOAL_AFFINITY[goal][strategy] for goal in GOALS)
        return round(max(-GOAL_LIMIT, min(GOAL_LIMIT, raw)), 4)

    def described(self) -> str:
        """The non-neutral goals as text: `'modernisation 5, speed 2'`."""
        return ", ".join(f"{goal.replace('_', ' ')} {getattr(self, goal)}" for goal in GOALS
                         if getattr(self, goal) != 3)


NEUTRAL_GOALS = BusinessGoals()


class AssetFacts(BaseModel):
    """What is known about one asset; every fact may be missing. Values use the canonical vocabularies.

    `dependency_count` is the fan-out (assets this one depends on), `dependent_count` the fan-in.
    `data_classification` is made canonical when it is a known spelling, else kept as written.
    """

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    asset_type: str | None = None
    os_family: str | None = None
    operating_system: str | None = None
    os_version: str | None = None
    environment: str | None = None
    business_criticality: str | None = None
    cpu_utilization_avg: float | None = Field(default=None, ge=0, le=100)
    cpu_utilization_peak: float | None = Field(default=None, ge=0, le=100)
    network_throughput_mbps: float | None = Field(default=None, ge=0)
    power_state: str | None = None
    lifecycle_state: str | None = None
    operational_state: str | None = None
    is_template: bool | None = None
    is_virtual: bool | None = None
    hypervisor: str | None = None
    storage_gb: float | None = Field(default=None, ge=0)
    memory_gb: float | None = Field(default=None, ge=0)
    cpu_cores: int | None = Field(default=None, ge=0)
    database_engine: str | None = None
    data_classification: str | None = None
    dependency_count: int = Field(default=0, ge=0)
    dependent_count: int = Field(default=0, ge=0)
    application_name: str | None = None

    @field_validator("asset_type", "os_family", "environment", "business_criticality", "lifecycle_state",
                     "operational_state")
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

    @field_validator("data_classification", "database_engine", "hypervisor")
    @classmethod
    def _text(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or is_placeholder(value):
            return None
        if info.field_name == "data_classification":
            return canonical_value(DATA_CLASSIFICATION_ALIASES, value) or value.strip()
        return value.strip()


class Candidate(BaseModel):
    """One strategy that competed (or would compete) for an asset, with how its score was made."""

    model_config = ConfigDict(frozen=True)

    strategy: str
    score: float = Field(ge=0.0, le=1.0)
    components: dict[str, float]
    target_platform: str | None


class StrategyRecommendation(BaseModel):
    """A strategy with the rule behind it, how sure it is, its reasons, and the candidates it beat."""

    model_config = ConfigDict(frozen=True)

    strategy: str
    rule: str
    confidence: float = Field(ge=0.0, le=1.0)
    score: float = Field(ge=0.0, le=1.0)
    components: dict[str, float]
    reasons: list[str]
    runner_ups: list[Candidate]
    alternatives: list[str]
    target_platform: str | None
    source: Literal["rule"] = "rule"

    @field_validator("strategy")
    @classmethod
    def _canonical_strategy(cls, value: str) -> str:
        if value not in SIX_R_STRATEGIES:
            raise ValueError(f"{value!r} is not one of {SIX_R_STRATEGIES}")
        return value


class ApplicationRecommendation(BaseModel):
    """One application's strategy from its assets' votes, with the votes and the assets' own strategies."""

    model_config = ConfigDict(frozen=True)

    application_name: str | None
    strategy: str
    confidence: float = Field(ge=0.0, le=1.0)
    target_platform: str | None
    votes: dict[str, float]
    reasons: list[str]
    runner_ups: list[str]
    asset_strategies: dict[str, str]


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
class _Option:
    strategy: str
    strength: float
    target: str | None = None


@dataclass(frozen=True)
class _Verdict:
    reason: str
    options: tuple[_Option, ...]  # the rule's own strategy first


def _gather(facts: AssetFacts) -> _Evidence:
    os = identify_os(facts.operating_system, facts.os_version) if facts.operating_system else None
    known = {
        **{name: getattr(facts, name) is not None for name in EVIDENCE_FACTS},
        "os_version": facts.os_version is not None or (os is not None and os.version is not None),
    }
    return _Evidence(facts, os, tuple(name for name in EVIDENCE_FACTS if not known[name]))


def _is_dr(facts: AssetFacts) -> bool:
    return facts.environment == "disaster_recovery"


def _needs_owner(facts: AssetFacts) -> bool:
    return facts.environment == "production" or facts.business_criticality in ("critical", "high")


def _on_vmware(facts: AssetFacts) -> bool:
    text = alias_key(facts.hypervisor or "")
    return facts.is_virtual is not False and any(word in text for word in ("vmware", "esx", "vsphere"))


# Lifecycle states with nothing running to migrate, strongest first: (state, what it means, its options).
OUT_OF_SERVICE: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("retired", "decommissioned: nothing runs on it to migrate", (("retire", 0.95),)),
    ("absent", "absent (stolen or missing): there is nothing to migrate", (("retire", 0.9),)),
    ("non_operational", "not running any workload: confirm it is not needed before it is decommissioned",
     (("retire", 0.8), ("retain", 0.4))),
    ("in_stock", "hardware in stock, not deployed: no workload to migrate", (("retire", 0.75), ("retain", 0.4))),
)
_STATUS_COLUMNS = (("lifecycle_state", "install status"), ("operational_state", "operational status"))


def out_of_service(lifecycle_state: str | None, operational_state: str | None) -> tuple[str, str] | None:
    """The strongest out-of-service state either status gives, and which status said it; None when in service
    or unknown."""
    given = {"lifecycle_state": lifecycle_state, "operational_state": operational_state}
    for state, _, _ in OUT_OF_SERVICE:
        for column, label in _STATUS_COLUMNS:
            if given[column] == state:
                return state, label
    return None


def _out_of_service(ev: _Evidence) -> _Verdict | None:
    found = out_of_service(ev.facts.lifecycle_state, ev.facts.operational_state)
    if found is None:
        return None
    state, label = found
    meaning, options = next((m, o) for s, m, o in OUT_OF_SERVICE if s == state)
    return _Verdict(f"{label} {state.replace('_', '-')}: {meaning}",
                    tuple(_Option(strategy, strength) for strategy, strength in options))


def _vm_template(ev: _Evidence) -> _Verdict | None:
    if ev.facts.is_template is not True:
        return None
    return _Verdict("a VM template is an image, not a running workload: rebuild it as a cloud image instead of "
                    "migrating it", (_Option("retire", 0.8),))


def _network_device(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type != "network":
        return None
    return _Verdict("a network device is not migrated: the landing zone's cloud network takes over what it does, "
                    "and it stays until the data centre closes",
                    (_Option("retain", 0.7, "landing-zone network (built before the first wave)"),
                     _Option("repurchase", 0.5, "managed cloud network service")))


_RECORD_KINDS = {
    "service": "a service is a logical record: the servers, databases and applications it depends on move",
    "cluster": "a cluster is a grouping of servers: its members move",
    "application": "an application record without a platform of its own moves with the servers and databases "
                   "it runs on",
}


def _logical_record(ev: _Evidence) -> _Verdict | None:
    f = ev.facts
    platform = f.operating_system or f.os_family or f.database_engine
    if f.asset_type not in ("service", "cluster") and (f.asset_type != "application" or platform):
        return None
    return _Verdict(f"{_RECORD_KINDS[f.asset_type]}; it has nothing of its own to move",
                    (_Option("retain", 0.7, "nothing to move (a logical record)"),))


def _unrecognised_type(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type != "other":
        return None
    return _Verdict("not a recognised kind of asset (its class is kept as source_class): nothing moves until a "
                    "person decides its strategy", (_Option("retain", 0.4),))


def _zombie(ev: _Evidence) -> _Verdict | None:
    f = ev.facts
    avg, peak, network = f.cpu_utilization_avg, f.cpu_utilization_peak, f.network_throughput_mbps
    if (f.power_state == "powered_off" or _is_dr(f) or avg is None or peak is None or avg >= ZOMBIE_AVG_CPU
            or peak >= ZOMBIE_PEAK_CPU or f.dependency_count or f.dependent_count
            or (network is not None and network >= ZOMBIE_NETWORK_MBPS)):
        return None
    reason = f"running but doing no work (average CPU {avg:g}%, peak {peak:g}%, no dependencies)"
    if _needs_owner(f):
        return _Verdict(reason + "; production or critical, so confirm with its owner",
                        (_Option("retire", 0.65), _Option("rehost", 0.4)))
    return _Verdict(reason, (_Option("retire", 0.85), _Option("rehost", 0.4)))


def _powered_off_idle(ev: _Evidence) -> _Verdict | None:
    avg = ev.facts.cpu_utilization_avg
    if ev.facts.power_state != "powered_off" or _is_dr(ev.facts) or (avg is not None and avg >= IDLE_AVG_CPU):
        return None
    if avg is None:
        return _Verdict("powered off; no utilisation data to confirm it is idle",
                        (_Option("retire", 0.75), _Option("retain", 0.5)))
    return _Verdict(f"powered off and idle (average CPU {avg:g}%)", (_Option("retire", 0.9), _Option("retain", 0.5)))


def _low_utilisation(ev: _Evidence) -> _Verdict | None:
    f = ev.facts
    avg, peak = f.cpu_utilization_avg, f.cpu_utilization_peak
    if avg is None or peak is None or avg >= IDLE_AVG_CPU or peak >= IDLE_PEAK_CPU or _is_dr(f):
        return None
    reason = f"average CPU {avg:g}% < {IDLE_AVG_CPU:g}% and peak {peak:g}% < {IDLE_PEAK_CPU:g}%: retire candidate"
    rightsized = "right-sized cloud VM (IaaS)"
    if _needs_owner(f) or f.dependent_count:
        why = "production or critical" if _needs_owner(f) else f"other assets depend on it ({f.dependent_count})"
        return _Verdict(f"{reason}; {why}, so confirm with its owner",
                        (_Option("retire", 0.45), _Option("rehost", 0.4, rightsized), _Option("replatform", 0.35)))
    return _Verdict(reason, (_Option("retire", 0.6), _Option("rehost", 0.45, rightsized), _Option("replatform", 0.35)))


def _infrastructure_appliance(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type not in ("storage", "load_balancer"):
        return None
    kind = ev.facts.asset_type.replace("_", " ")
    return _Verdict(f"a {kind} appliance is replaced by the cloud provider's managed service",
                    (_Option("repurchase", 0.7, f"managed cloud {kind} service"), _Option("retain", 0.5)))


def _container_workload(ev: _Evidence) -> _Verdict | None:
    if ev.facts.asset_type != "container":
        return None
    return _Verdict("containers move to a managed container platform",
                    (_Option("replatform", 0.75, "managed container platform"), _Option("rehost", 0.55)))


def _managed_database(ev: _Evidence) -> _Verdict | None:
    named = ev.facts.database_engine
    if ev.facts.asset_type != "database" and named is None:
        return None
    engine = database_engine(named) if named else None
    if ev.os is not None and ev.os.product is not None and ev.os.product.proprietary_platform:
        return _Verdict(f"a database on {ev.os.name} needs a cross-platform data migration to leave it",
                        (_Option("replatform", 0.55, "managed database service"), _Option("retain", 0.5),
                         _Option("rehost", 0.45)))
    if engine is None:
        what = f"database engine {named!r} is not recognised" if named else "the database engine is not named"
        return _Verdict(f"{what}; confirm it has a managed equivalent",
                        (_Option("replatform", 0.6, "managed database service"), _Option("rehost", 0.55)))
    if engine.managed:
        return _Verdict(f"{engine.name} has a managed cloud service",
                        (_Option("replatform", 0.75, f"managed {engine.name} service"), _Option("rehost", 0.55)))
    return _Verdict(f"{engine.name} has no managed cloud service: run it on a cloud VM or move to another engine",
                    (_Option("rehost", 0.65, f"cloud VM (self-managed {engine.name})"), _Option("refactor", 0.5),
                     _Option("retain", 0.4)))


def _proprietary_platform(ev: _Evidence) -> _Verdict | None:
    if ev.os is None or ev.os.product is None or not ev.os.product.proprietary_platform:
        return None
    options = (_Option("retain", 0.75), _Option("refactor", 0.55))
    if ev.facts.asset_type == "application":
        options += (_Option("rewrite", 0.5),)
    return _Verdict(f"{ev.os.name} runs only on its vendor's hardware", options)


def _end_of_support_os(ev: _Evidence) -> _Verdict | None:
    if ev.os is None or not ev.os.end_of_support:
        return None
    reason = f"{ev.os.name} is past vendor support"
    if ev.facts.asset_type == "application":
        return _Verdict(reason + ": modernise the application",
                        (_Option("refactor", 0.75), _Option("replatform", 0.6), _Option("rehost", 0.5),
                         _Option("rewrite", 0.45)))
    relocate = (_Option("relocate", 0.6),) if _on_vmware(ev.facts) else ()
    return _Verdict(reason + ": move to a supported OS",
                    (_Option("replatform", 0.75, "cloud VM with a supported OS"), *relocate, _Option("rehost", 0.55)))


def _standard_server(ev: _Evidence) -> _Verdict | None:
    family = ev.os.family if ev.os is not None else ev.facts.os_family
    if family not in ("windows", "linux") or (ev.os is not None and ev.os.end_of_support):
        return None
    known = ev.os is not None and ev.os.end_of_support is False
    strengths = (0.85, 0.65, 0.6) if known else (0.6, 0.45, 0.4)
    relocate = (_Option("relocate", strengths[2]),) if _on_vmware(ev.facts) else ()
    options = (_Option("rehost", strengths[0]), _Option("replatform", strengths[1]), *relocate)
    if known:
        return _Verdict(f"{ev.os.name} is within vendor support", options)
    described = ev.os.name if ev.os is not None else family.capitalize()
    return _Verdict(f"{described}: version unknown, so vendor support was not checked", options)


_RULES: tuple[tuple[str, Callable[[_Evidence], _Verdict | None]], ...] = (
    ("out_of_service", _out_of_service),
    ("vm_template", _vm_template),
    ("network_device", _network_device),
    ("logical_record", _logical_record),
    ("unrecognised_type", _unrecognised_type),
    ("zombie", _zombie),
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
    return _Verdict(f"no rule could decide ({why}); rehost is the default", (_Option("rehost", 0.35),))


def _evidence_adjustments(facts: AssetFacts, complexity: ComplexityScore) -> list[tuple[str, str, dict[str, float]]]:
    """(name, reason, strategy -> change) of every evidence adjustment that applies (module docstring)."""
    found = []
    if complexity.score >= HIGH_COMPLEXITY:
        found.append(("high_complexity", f"complexity {complexity.score:g} is high: changing more of it is riskier",
                      {"refactor": -0.1, "rewrite": -0.1, "replatform": -0.1}))
    if facts.data_classification == "restricted":
        found.append(("restricted_data", "restricted data: a SaaS vendor would hold it, and it needs a compliant "
                      "landing zone before it moves", {"repurchase": -0.1, "retain": 0.1}))
    if facts.is_virtual is False:
        found.append(("physical_server", "a physical server needs a physical-to-virtual conversion to rehost",
                      {"rehost": -0.1}))
    return found


def _candidate(option: _Option, adjustments: list[tuple[str, str, dict[str, float]]],
               goals: BusinessGoals) -> Candidate:
    components = {"rule": option.strength}
    components |= {name: change[option.strategy] for name, _, change in adjustments if option.strategy in change}
    goal = goals.adjustment(option.strategy)
    if goal:
        components["goals"] = goal
    return Candidate(
        strategy=option.strategy,
        score=round(max(0.0, min(1.0, sum(components.values()))), 4),
        components=components,
        target_platform=option.target or DEFAULT_TARGETS[option.strategy],
    )


def recommend_strategy(facts: AssetFacts, goals: BusinessGoals = NEUTRAL_GOALS) -> StrategyRecommendation:
    """The best-scoring candidate of the first applicable rule, explained (module docstring)."""
    evidence = _gather(facts)
    applicable = [(rule_id, verdict) for rule_id, rule in _RULES if (verdict := rule(evidence)) is not None]
    rule_id, verdict = applicable[0] if applicable else ("insufficient_evidence", _insufficient_evidence(evidence))
    adjustments = _evidence_adjustments(facts, score_complexity(facts))
    candidates = [_candidate(option, adjustments, goals) for option in verdict.options]
    chosen = max(candidates, key=lambda c: c.score)  # max keeps the first of equal scores
    runner_ups = sorted((c for c in candidates if c is not chosen), key=lambda c: -c.score)

    primary = candidates[0]
    touched = {chosen.strategy, primary.strategy}
    reasons = [f"{rule_id}: {verdict.reason}"]
    reasons += [f"{name}: {reason}" for name, reason, change in adjustments if touched & change.keys()]
    if chosen is not primary:
        by_goals = "goals" in chosen.components or "goals" in primary.components
        reasons.append(f"once adjusted{f' for the goals ({goals.described()})' if by_goals else ''}, "
                       f"{chosen.strategy} ({chosen.score:.2f}) beats {primary.strategy} ({primary.score:.2f})")
    elif "goals" in chosen.components:
        reasons.append(f"goals ({goals.described()}) move {chosen.strategy} by {chosen.components['goals']:+.2f}")
    reasons += [f"runner-up {other_id}: {other.reason}" for other_id, other in applicable[1:]]
    if evidence.missing:
        reasons.append(f"missing facts: {', '.join(evidence.missing)}")

    later = [option.strategy for _, other in applicable[1:] for option in other.options[:1]]
    alternatives = [s for s in dict.fromkeys([*(c.strategy for c in runner_ups), *later]) if s != chosen.strategy]
    strength = max(0.0, min(1.0, sum(v for k, v in chosen.components.items() if k != "goals")))
    completeness = 1 - len(evidence.missing) / len(EVIDENCE_FACTS)
    return StrategyRecommendation(
        strategy=chosen.strategy,
        rule=rule_id,
        confidence=round(strength * (0.5 + 0.5 * completeness), 2),
        score=chosen.score,
        components=chosen.components,
        reasons=reasons,
        runner_ups=runner_ups,
        alternatives=alternatives,
        target_platform=chosen.target_platform,
    )


def recommend_application(
    assets: Sequence[AssetFacts], goals: BusinessGoals = NEUTRAL_GOALS, decided: Mapping[int, str] | None = None
) -> ApplicationRecommendation:
    """One strategy for the assets of one application, by a confidence-weighted vote (module docstring).

    `decided` maps an asset's index to the strategy a person chose for it: that asset votes for it
    with full weight (1.0) instead of for the rules' recommendation.
    """
    if not assets:
        raise ValueError("an application recommendation needs at least one asset")
    names = {facts.application_name for facts in assets}
    if len(names) > 1:
        raise ValueError(f"assets of several applications given: {sorted(str(n) for n in names)}")
    decided = decided or {}
    labels = [facts.name or f"asset {i + 1}" for i, facts in enumerate(assets)]
    recommendations = [recommend_strategy(facts, goals) for facts in assets]
    # (label, strategy, weight, why, target platform) per asset
    ballots = [
        (label, decided[i], 1.0, "decided by a person", None) if i in decided
        else (label, rec.strategy, rec.confidence, rec.rule, rec.target_platform)
        for i, (label, rec) in enumerate(zip(labels, recommendations))
    ]
    reasons = []
    workloads = [b for b in ballots if b[3] != "logical_record"]
    if workloads and len(workloads) < len(ballots):
        records = [b[0] for b in ballots if b[3] == "logical_record"]
        reasons.append(f"{_listed(records)}: records with nothing of their own to move, not voting")
    workloads = workloads or ballots
    voting = [b for b in workloads if b[1] != "retire"]
    if voting:
        retired = [b[0] for b in workloads if b[1] == "retire"]
        if retired:
            reasons.append(f"{_listed(retired)}: retire candidates, decommissioned with the move, not voting")
    else:
        voting = workloads
        reasons.append(f"all {len(workloads)} assets are retire candidates")
    votes: dict[str, float] = {}
    strongest: dict[str, float] = {}
    for _, strategy, weight, _, _ in voting:
        votes[strategy] = round(votes.get(strategy, 0.0) + weight, 4)
        strongest[strategy] = max(strongest.get(strategy, 0.0), weight)
    ranked = sorted(votes, key=lambda s: (-votes[s], -strongest[s], SIX_R_STRATEGIES.index(s)))
    strategy = ranked[0]
    winners = [b for b in voting if b[1] == strategy]
    reasons.insert(0, f"{len(winners)} of {len(voting)} voting assets recommend {strategy} "
                      f"(summed confidence {votes[strategy]:.2f})")
    if decided:
        reasons.append(f"{_listed([labels[i] for i in sorted(decided)])}: decided by a person, voting with full weight")
    for other in ranked[1:]:
        dissent = [f"{label} ({why})" for label, s, _, why, _ in voting if s == other]
        reasons.append(f"{other} (summed confidence {votes[other]:.2f}): {_listed(dissent)}")
    targets = Counter(target for *_, target in winners if target is not None)
    return ApplicationRecommendation(
        application_name=names.pop(),
        strategy=strategy,
        confidence=round(votes[strategy] / len(voting), 2),
        target_platform=targets.most_common(1)[0][0] if targets else None,
        votes=votes,
        reasons=reasons,
        runner_ups=ranked[1:],
        asset_strategies={label: strategy for label, strategy, *_ in ballots},
    )


def _listed(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


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


def _database_component(facts: AssetFacts) -> float | None:
    if facts.database_engine is not None:
        return 1.0
    return None if facts.asset_type is None else float(facts.asset_type == "database")


def score_complexity(facts: AssetFacts) -> ComplexityScore:
    """Complexity 0..100 from OS, storage size, database-ness and dependency count (weights above)."""
    evidence = _gather(facts)
    parts = {
        "os": _os_component(evidence),
        "storage": _storage_component(facts),
        "database": _database_component(facts),
        "dependencies": min(facts.dependency_count + facts.dependent_count, 10) / 10,
    }
    known = {name: value for name, value in parts.items() if value is not None}
    total_weight = sum(COMPLEXITY_WEIGHTS[name] for name in known)
    components = {
        name: round(COMPLEXITY_WEIGHTS[name] * value / total_weight * 100, 2) for name, value in known.items()
    }
    score = round(min(100.0, sum(components.values())), 2)
    level: Literal["low", "medium", "high"] = "low" if score < 35 else "medium" if score < 65 else "high"
    return ComplexityScore(score=score, level=level, components=components)
