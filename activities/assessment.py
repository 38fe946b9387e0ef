"""Assessment steps: strategy per asset and per application, complexity, risk/readiness and cost.

Each step rewrites the engagement's assets in batches through the pure rules of `domain/`
(activities.asset_batches) and stores how every number was made:
- strategy: `strategy_rationale` holds the deciding rule, score, score components, reasons, scored
  runner-ups, alternatives and the business goals used; a person's override is never replaced. The
  assets of each application then vote (`recommend_application`) into `application_assessments`.
- complexity, risk, readiness: the scores in columns, their components (and the readiness blockers
  with their points) in `scoring_details`.
- cost: projected cost, savings, instance type, region and price date in columns, the sizing, the
  current and projected components (total cost of ownership) and reasons in `scoring_details.cost`, from
  the bundled price table or `MIGRATION_PRICE_TABLE`, the configured comfort factor and the engagement's
  business-case assumptions (bundled table with the overrides in `settings.business_case`). A modelled
  current cost goes to `modelled_monthly_cost`, never over the input's own figure.
Summaries and roll-ups are read back from the database after the batches, so a step resumed after a
retry still accounts for every asset. Invalid engagement goals or asset facts fail the step for good
(retrying cannot fix them) with a message naming the fault.
"""

from __future__ import annotations

import asyncio
from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import ValidationError
from temporalio import activity

from activities.asset_batches import rewrite_assets
from activities.errors import bad_input
from activities.heartbeat import heartbeating
from db.pool import tenant_transaction
from db.queries import sql
from domain.assessment.assumptions import TcoAssumptions, resolve
from domain.assessment.cost_model import COMFORT_FACTOR, estimate_cost
from domain.assessment.database_catalogue import identify_database
from domain.assessment.price_table import PriceTable, bundled_price_table, parse_price_table
from domain.assessment.risk import assess_risk
from domain.assessment.strategy_rules import GOALS, AssetFacts, BusinessGoals, recommend_application, recommend_strategy
from domain.assessment.strategy_rules import score_complexity as complexity_of
from domain.flow_contracts import StepInput, StepResult, Tenant
from runtime.settings import get_settings

Rows = list[asyncpg.Record]
LOW_CONFIDENCE = 0.5
TOP_APPLICATIONS = 10
_FIRST_ID = UUID(int=0)
_RATIONALE_FIELDS = {"rule", "score", "components", "reasons", "runner_ups", "alternatives"}
_COST_DETAILS = {"current_source", "current_components", "components", "pricing_term", "needed_vcpu",
                 "needed_memory_gb", "comfort_factor", "price_provider", "price_region", "currency", "reasons"}


def _faults(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors())


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def asset_facts(row: asyncpg.Record) -> AssetFacts:
    """The facts of one asset row; a value outside the rules' vocabularies is bad input naming the asset."""
    try:
        return AssetFacts(
            name=row["name"], asset_type=row["asset_type"], os_family=row["os_family"],
            operating_system=row["operating_system"], os_version=row["os_version"], environment=row["environment"],
            business_criticality=row["business_criticality"], cpu_utilization_avg=row["cpu_utilization_avg"],
            cpu_utilization_peak=row["cpu_utilization_peak"], network_throughput_mbps=row["network_throughput_mbps"],
            power_state=row["power_state"], lifecycle_state=row["lifecycle_state"],
            operational_state=row["operational_state"], is_template=row["is_template"],
            is_virtual=row["is_virtual"], hypervisor=row["hypervisor"],
            storage_gb=_float(row["storage_gb"]), memory_gb=_float(row["memory_gb"]), cpu_cores=row["cpu_cores"],
            database_engine=row["database_engine"], data_classification=row["data_classification"],
            dependency_count=row["dependency_count"], dependent_count=row["dependent_count"],
            application_name=row["application_name"],
        )
    except ValidationError as error:
        raise bad_input(f"asset {row['name']!r} ({row['id']}) cannot be assessed: {_faults(error)}") from None


def business_goals(raw: Any) -> BusinessGoals:
    """An engagement's `business_goals` jsonb as BusinessGoals (empty: neutral); bad goals are bad input."""
    try:
        return BusinessGoals.model_validate(raw or {})
    except ValidationError as error:
        raise bad_input(f"the engagement's business goals are not valid ({_faults(error)}); give an object with "
                        f"any of {', '.join(GOALS)}, each 1..5 (3 is neutral)") from None


def engagement_assumptions(settings: Any) -> TcoAssumptions:
    """The business-case assumptions of an engagement (`settings.business_case` over the bundled table);
    bad overrides are bad input."""
    try:
        return resolve((settings or {}).get("business_case"))
    except ValueError as error:
        raise bad_input(f"the engagement's business-case assumptions are not valid ({error}); "
                        "`costs assumptions set` corrects them") from None


def database_engine_of(row: asyncpg.Record) -> str | None:
    """The database engine an asset runs: as imported, else the one its name or description names."""
    named = identify_database(row["name"], row["description"])
    return row["database_engine"] or (named.engine if named else None)


def load_price_table(path: Path | None) -> PriceTable:
    """The price table in the JSON file `path`, or the bundled one; ValueError naming the file otherwise."""
    if path is None:
        return bundled_price_table()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"price table {path}: cannot be read ({error})") from None
    return parse_price_table(text, str(path))


def _application_rows(rows: Rows, goals: BusinessGoals) -> list[tuple[str, int, dict[str, Any]]]:
    """(application, asset count, recommendation) of each application, `rows` sorted by application."""
    out = []
    for name, group in groupby(rows, key=lambda r: r["application_name"]):
        members = list(group)
        decided = {i: r["six_r_strategy"] for i, r in enumerate(members) if r["strategy_source"] == "user"}
        rec = recommend_application([asset_facts(r) for r in members], goals, decided)
        rationale = rec.model_dump(mode="json", include={"votes", "reasons", "runner_ups", "asset_strategies"})
        rationale["user_overrides"] = {r["name"]: r["six_r_strategy"] for r in members if r["strategy_source"] == "user"}
        rationale["goals"] = goals.model_dump()
        out.append((name, len(members), {"strategy": rec.strategy, "confidence": rec.confidence,
                                         "target_platform": rec.target_platform, "rationale": rationale}))
    return out


class AssessmentActivities:
    """The assessment steps, bound to one pool; prices and comfort factor default to the settings."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        batch_size: int = 5000,
        *,
        prices: PriceTable | None = None,
        comfort_factor: float | None = None,
    ) -> None:
        settings = get_settings()
        self._pool = pool
        self._batch_size = batch_size
        self._prices = prices or load_price_table(settings.price_table)
        self._comfort_factor = comfort_factor or settings.comfort_factor or COMFORT_FACTOR

    def _tx(self, tenant: Tenant):
        return tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id)

    async def _summary(self, tenant: Tenant) -> asyncpg.Record:
        async with self._tx(tenant) as conn:
            return await conn.fetchrow(sql("assessment_summary"), LOW_CONFIDENCE)

    @activity.defn(name="assessment.recommend_strategies")
    @heartbeating
    async def recommend_strategies(self, inp: StepInput) -> StepResult:
        async with self._tx(inp.tenant) as conn:
            goals = business_goals(await conn.fetchval(sql("engagement_business_goals"), inp.tenant.engagement_id))

        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                rec = recommend_strategy(asset_facts(row), goals)
                rationale = {"source": "rule", **rec.model_dump(mode="json", include=_RATIONALE_FIELDS),
                             "goals": goals.model_dump()}
                out.append((row["id"], {"strategy": rec.strategy, "confidence": rec.confidence,
                                        "target_platform": rec.target_platform, "rationale": rationale}))
            return out

        assessed = await rewrite_assets(
            self._pool, inp.tenant, compute, "assets_strategy_update", inp.phase_flow_id, batch_size=self._batch_size
        )
        applications = await self._assess_applications(inp, goals)
        summary = await self._summary(inp.tenant)
        async with self._tx(inp.tenant) as conn:
            mix = await conn.fetchrow(sql("application_strategy_mix"))
        return StepResult(
            summary={"assessed": assessed, "strategy_mix": summary["strategy_mix"],
                     "decided_by_people": summary["decided_by_people"], "low_confidence": summary["low_confidence"],
                     "goals": goals.described() or "neutral", "applications": applications,
                     "application_strategy_mix": mix["strategy_mix"]},
            asset_count=assessed,
        )

    async def _assess_applications(self, inp: StepInput, goals: BusinessGoals) -> int:
        """Vote each application's strategy from its assets' facts; keyset batches carry an application
        that continues into the next batch over to it. Returns the number of applications."""
        tenant, last_key, last_name, last_id = inp.tenant, "", "", _FIRST_ID
        pending: Rows = []
        assessed = 0
        while True:
            async with self._tx(tenant) as conn:
                rows = await conn.fetch(sql("application_facts_batch"), last_key, last_id, self._batch_size)
                pending += rows
                finished = len(rows) < self._batch_size
                if rows:
                    last_key, last_name, last_id = rows[-1]["application_key"], rows[-1]["application_name"], rows[-1]["id"]
                complete = pending if finished else [r for r in pending if r["application_name"] != last_name]
                pending = pending[len(complete):]
                values = await asyncio.to_thread(_application_rows, complete, goals)
                await conn.executemany(sql("application_assessment_upsert"), [
                    (tenant.client_account_id, tenant.engagement_id, name, inp.phase_flow_id, count, v["strategy"],
                     v["confidence"], v["target_platform"], v["rationale"])
                    for name, count, v in values
                ])
                assessed += len(values)
                if finished:
                    await conn.execute(sql("application_assessments_prune"))
                    return assessed

    @activity.defn(name="assessment.score_complexity")
    @heartbeating
    async def score_complexity(self, inp: StepInput) -> StepResult:
        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            return [(row["id"], complexity_of(asset_facts(row)).model_dump(mode="json")) for row in rows]

        scored = await rewrite_assets(self._pool, inp.tenant, compute, "assets_complexity_update",
                                      batch_size=self._batch_size)
        summary = await self._summary(inp.tenant)
        return StepResult(summary={"scored": scored, "levels": summary["complexity_levels"]})

    @activity.defn(name="assessment.score_risk")
    @heartbeating
    async def score_risk(self, inp: StepInput) -> StepResult:
        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            return [(row["id"], assess_risk(asset_facts(row)).model_dump(mode="json")) for row in rows]

        scored = await rewrite_assets(self._pool, inp.tenant, compute, "assets_risk_update",
                                      batch_size=self._batch_size)
        summary = await self._summary(inp.tenant)
        return StepResult(summary={"scored": scored, "risk_levels": summary["risk_levels"],
                                   "readiness_blockers": summary["readiness_blockers"]})

    @activity.defn(name="assessment.project_costs")
    @heartbeating
    async def project_costs(self, inp: StepInput) -> StepResult:
        prices, comfort_factor = self._prices, self._comfort_factor
        async with self._tx(inp.tenant) as conn:
            engagement = await conn.fetchrow(sql("engagement_planning_settings"), inp.tenant.engagement_id)
        assumptions = engagement_assumptions(engagement["settings"])

        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                given = _float(row["current_monthly_cost"])
                est = estimate_cost(
                    strategy=row["six_r_strategy"], cpu_cores=row["cpu_cores"], memory_gb=_float(row["memory_gb"]),
                    storage_gb=_float(row["storage_gb"]), storage_used_gb=_float(row["storage_used_gb"]),
                    cpu_p95_pct=row["cpu_utilization_peak"], memory_p95_pct=row["memory_utilization_peak"],
                    os_family=row["os_family"], operating_system=row["operating_system"],
                    is_virtual=row["is_virtual"], hypervisor=row["hypervisor"], asset_type=row["asset_type"],
                    database_engine=database_engine_of(row), current_monthly_cost=given,
                    cost_currency=row["cost_currency"] if given is not None else None,
                    prices=prices, assumptions=assumptions, comfort_factor=comfort_factor,
                )
                sized = est.instance_type is not None
                out.append((row["id"], {
                    "modelled_monthly": est.current_monthly if est.current_source == "model" else None,
                    "projected_monthly": est.projected_monthly, "savings_monthly": est.savings_monthly,
                    "instance_type": est.instance_type, "region": est.price_region if sized else None,
                    "prices_as_of": est.prices_as_of if sized else None,
                    "details": est.model_dump(mode="json", include=_COST_DETAILS),
                }))
            return out

        await rewrite_assets(self._pool, inp.tenant, compute, "assets_cost_update", batch_size=self._batch_size)
        async with self._tx(inp.tenant) as conn:
            await conn.execute(sql("application_costs_rollup"))
            totals = await conn.fetchrow(sql("cost_summary"))
            top = await conn.fetch(sql("application_top_savings"), TOP_APPLICATIONS)
        return StepResult(summary={
            "current_monthly": float(totals["current_monthly"]),
            "projected_monthly": float(totals["projected_monthly"]),
            "savings_monthly": float(totals["savings_monthly"]),
            "assets_current_modelled": totals["current_modelled"],
            "assets_without_current": totals["without_current"],
            "assets_without_projection": totals["without_projection"],
            "currency": prices.currency,
            "prices": prices.label,
            "pricing_term": assumptions.cloud_pricing_term,
            "assumptions_overridden": sorted((engagement["settings"] or {}).get("business_case") or {}),
            "comfort_factor": comfort_factor,
            "top_application_savings": [
                {"application": r["application_name"], "strategy": r["six_r_strategy"],
                 "current_monthly": float(r["current_monthly_cost"]),
                 "projected_monthly": float(r["projected_monthly_cost"]),
                 "savings_monthly": float(r["monthly_savings"]),
                 "assets_without_projection": r["assets_without_projection"]}
                for r in top
            ],
        })
