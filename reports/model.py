"""What the engagement report shows, as plain frozen data: loaded from the database by
`db.report_data`, drawn and written by `reports.render`. No I/O here.

Large portfolios are summarised before they reach this model: every list that can grow with the
portfolio is a `Shown` (the first rows and how many more there are), and the dependency graph holds
only the move groups chosen by `pick_graph`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from domain.agent_advice import Finding, StrategyAdvice
from domain.assessment.business_case import BusinessCase
from domain.planning.shared_services import SHARED_SERVICE_GROUP_PREFIX
from domain.wording import group_label, listed

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReportLimits:
    """How much of a large portfolio the report lists."""

    rows: int = 25  # rows of each table that grows with the portfolio
    graph_groups: int = 60  # move groups drawn in the dependency graph
    members: int = 3  # asset names listed per move group
    failures: int = 50  # execution failures listed
    alternatives: int = 50  # the strategy crew's alternatives listed (those that differ from the decided strategy)

    def __post_init__(self) -> None:
        for name in ("rows", "graph_groups", "members", "failures", "alternatives"):
            if getattr(self, name) < 1:
                raise ValueError(f"report limit {name} must be at least 1, not {getattr(self, name)!r}")


@dataclass(frozen=True, slots=True)
class Shown(Generic[T]):
    """The rows a table shows, and how many more rows were left out."""

    rows: tuple[T, ...]
    rest: int = 0


def first(rows: Sequence[T], limit: int) -> Shown[T]:
    """The first `limit` rows (rows come already in the order to show)."""
    return Shown(tuple(rows[:limit]), max(len(rows) - limit, 0))


@dataclass(frozen=True, slots=True)
class Count:
    label: str | None  # None: the value is not recorded
    count: int


@dataclass(frozen=True, slots=True)
class Portfolio:
    assets: int
    by_type: Shown[Count]
    by_environment: Shown[Count]
    by_os_family: Shown[Count]
    by_criticality: Shown[Count]
    tech_debt: Shown[Count]  # assets per tech-debt flag
    assets_with_tech_debt: int


@dataclass(frozen=True, slots=True)
class StrategyShare:
    strategy: str  # "undecided" for assets without one
    applications: int
    assets: int


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    name: str
    strategy: str
    source: str
    confidence: float
    assets: int
    current_monthly: float | None
    projected_monthly: float | None
    savings_monthly: float | None


@dataclass(frozen=True, slots=True)
class WaveCost:
    """Monthly run cost of the assets of one wave (wave None: the assets in no wave)."""

    wave: int | None
    assets: int
    current_monthly: float
    projected_monthly: float
    savings_monthly: float
    without_current: int
    without_projection: int


@dataclass(frozen=True, slots=True)
class Costs:
    currencies: tuple[str, ...]
    by_wave: tuple[WaveCost, ...]

    def total(self) -> WaveCost:
        """The engagement's totals: the sum over every wave and the assets in none."""
        rows = self.by_wave
        return WaveCost(
            wave=None,
            assets=sum(r.assets for r in rows),
            current_monthly=sum(r.current_monthly for r in rows),
            projected_monthly=sum(r.projected_monthly for r in rows),
            savings_monthly=sum(r.savings_monthly for r in rows),
            without_current=sum(r.without_current for r in rows),
            without_projection=sum(r.without_projection for r in rows),
        )


@dataclass(frozen=True, slots=True)
class WaveRow:
    number: int
    name: str | None
    kind: str | None  # pilot, non_production, production; None when the plan recorded none
    status: str
    start: date | None
    end: date | None  # inclusive
    assets: int
    move_groups: int
    storage_gb: float
    effort_days: float | None
    labour_cost: float | None
    undecided_assets: int  # assets without a strategy: their effort is the table's middle estimate


@dataclass(frozen=True, slots=True)
class GroupNode:
    id: str
    assets: int
    wave: int | None
    members: tuple[str, ...]  # a few asset names, for the table
    name: str = ""  # what it holds as people say it: its applications, else its first assets (domain.wording)
    environments: tuple[str, ...] = ()

    @property
    def shared_service(self) -> bool:
        return self.id.startswith(SHARED_SERVICE_GROUP_PREFIX)

    @property
    def label(self) -> str:
        """'MG-0001 Billing (production)'."""
        return group_label(self.id, self.name, self.environments)


@dataclass(frozen=True, slots=True)
class GroupEdge:
    """`source` has `dependencies` dependencies on assets of `target`."""

    source: str
    target: str
    dependencies: int
    hard: bool


@dataclass(frozen=True, slots=True)
class DependencyGraph:
    nodes: tuple[GroupNode, ...]
    edges: tuple[GroupEdge, ...]  # only between shown nodes
    total_groups: int
    total_edges: int


def pick_graph(nodes: Sequence[GroupNode], edges: Sequence[GroupEdge], limit: int) -> DependencyGraph:
    """At most `limit` move groups: shared services first (what everything reaches), then the biggest;
    the edges between the groups kept."""
    ranked = sorted(nodes, key=lambda n: (not n.shared_service, -n.assets, n.id))[:limit]
    kept = {n.id for n in ranked}
    shown = sorted(ranked, key=_graph_order)
    return DependencyGraph(
        nodes=tuple(shown),
        edges=tuple(sorted((e for e in edges if e.source in kept and e.target in kept),
                           key=lambda e: (e.source, e.target))),
        total_groups=len(nodes),
        total_edges=len(edges),
    )


def _graph_order(node: GroupNode) -> tuple[int, int, str]:
    return (node.wave if node.wave is not None else 1 << 30, -node.assets, node.id)


@dataclass(frozen=True, slots=True)
class ViolationRow:
    rule: str
    detail: str  # assets named, never by id
    assets: int
    asset_names: tuple[str, ...] = ()  # the first few, in byte order
    move_groups: tuple[str, ...] = ()  # labelled: 'MG-0001 Billing (production)'

    @property
    def asset_list(self) -> str:
        """'db-01, web-01 and 3 more'."""
        return listed(self.asset_names, self.assets)


@dataclass(frozen=True, slots=True)
class WaveExecution:
    """A planned wave against its latest runbook run (run None: the wave has not started)."""

    number: int
    name: str | None
    wave_status: str  # the plan's status of the wave
    planned_start: date | None
    planned_end: date | None  # inclusive
    run: int | None
    status: str | None  # the run's status
    started_at: datetime | None
    completed_at: datetime | None
    step_runs: tuple[Count, ...]  # forward step runs by status, in the vocabulary's order


@dataclass(frozen=True, slots=True)
class ExecutionIssue:
    """A step run of a wave's latest run that failed, or completed with blocker or warning findings."""

    wave: int
    run: int
    strategy: str
    direction: str  # forward, or rollback (a compensation)
    step: str
    title: str
    scope: str  # wave, application, asset
    asset: str | None  # None: not an asset's run, or the asset has left the inventory
    application: str | None
    status: str  # failed, completed
    reason: str

    @property
    def workload(self) -> str:
        if self.scope == "wave":
            return "the wave"
        if self.asset is not None:
            return self.asset
        if self.scope == "application" and self.application is not None:
            return self.application
        return "an asset no longer in the inventory"


@dataclass(frozen=True, slots=True)
class RollbackRow:
    """A wave run that was aborted: who asked, why, and its compensations."""

    wave: int
    run: int
    status: str  # aborting, rolling_back, rolled_back
    aborted_by: str | None  # name or e-mail; None: not recorded
    reason: str | None
    ended_at: datetime | None
    compensations: int
    compensated: int  # compensations completed


@dataclass(frozen=True, slots=True)
class Undelivered:
    """Notifications of one kind not delivered: how many, how many a delivery was tried for, the last error."""

    kind: str
    notifications: int
    attempted: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Execution:
    waves: tuple[WaveExecution, ...]
    failures: Shown[ExecutionIssue]
    rollbacks: Shown[RollbackRow]
    undelivered: tuple[Undelivered, ...]

    @property
    def started(self) -> bool:
        return any(w.run is not None for w in self.waves)


@dataclass(frozen=True, slots=True)
class CrewRun:
    """What a crew said the last time its phase ran (its `agents` summary, in one line)."""

    phase: str
    summary: str
    configured: bool


@dataclass(frozen=True, slots=True)
class AgentAdvice:
    """What the agents advised: each crew's last word, the mapping crew's suggestions, the strategy crew's
    alternatives that differ from the decided strategy, the plan critic's findings, and what the calls cost."""

    crews: tuple[CrewRun, ...] = ()
    mappings_suggested: int = 0
    mappings_approved: int = 0  # approved by a person as suggested
    alternatives: Shown[StrategyAdvice] = Shown(())
    alternatives_total: int = 0  # every alternative, agreeing or not
    findings: Shown[Finding] = Shown(())  # the plan critic's, most confident first
    calls: int = 0
    failed_calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    models: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        """A crew was configured, or wrote anything at all."""
        return any(c.configured for c in self.crews) or bool(
            self.calls or self.mappings_suggested or self.alternatives_total or self.findings.rows)


@dataclass(frozen=True, slots=True)
class EngagementReport:
    client: str
    engagement: str
    start_date: date | None
    generated_on: date
    portfolio: Portfolio
    strategies: tuple[StrategyShare, ...]
    applications: Shown[ApplicationRow]
    costs: Costs
    waves: tuple[WaveRow, ...]
    graph: DependencyGraph
    violations_by_rule: tuple[Count, ...]
    violations: Shown[ViolationRow]
    execution: Execution
    business_case: BusinessCase | None = None  # None: the assessment has not projected costs yet
    agents: AgentAdvice = AgentAdvice()
