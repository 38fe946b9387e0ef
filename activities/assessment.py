"""Assessment steps: rule-based 6R strategy, complexity, risk/readiness and cost per asset.

Each step rewrites the engagement's assets in batches through pure rules (activities.asset_batches);
a person's strategy override is never replaced.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.asset_batches import rewrite_assets
from activities.heartbeat import heartbeating
from db.pool import tenant_transaction
from db.queries import sql
from domain.cost_model import estimate_cost
from domain.flow_contracts import StepInput, StepResult
from domain.risk import assess_risk
from domain.strategy_rules import AssetFacts, recommend_strategy, score_complexity

Rows = list[asyncpg.Record]


def asset_facts(row: asyncpg.Record) -> AssetFacts:
    return AssetFacts(
        asset_type=row["asset_type"], os_family=row["os_family"], operating_system=row["operating_system"],
        os_version=row["os_version"], environment=row["environment"],
        business_criticality=row["business_criticality"], cpu_utilization_avg=row["cpu_utilization_avg"],
        cpu_utilization_peak=row["cpu_utilization_peak"], power_state=row["power_state"],
        storage_gb=_float(row["storage_gb"]), memory_gb=_float(row["memory_gb"]), cpu_cores=row["cpu_cores"],
        dependency_count=row["dependency_count"], application_name=row["application_name"],
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class AssessmentActivities:
    def __init__(self, pool: asyncpg.Pool, batch_size: int = 5000) -> None:
        self._pool = pool
        self._batch_size = batch_size

    @activity.defn(name="assessment.recommend_strategies")
    @heartbeating
    async def recommend_strategies(self, inp: StepInput) -> StepResult:
        low_confidence = Counter[str]()

        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                rec = recommend_strategy(asset_facts(row))
                if rec.confidence < 0.5:
                    low_confidence[rec.strategy] += 1
                out.append((row["id"], rec.model_dump(mode="json")))
            return out

        assessed = await rewrite_assets(
            self._pool, inp.tenant, compute, "assets_strategy_update", inp.phase_flow_id, batch_size=self._batch_size
        )
        async with tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id) as conn:
            mix = await conn.fetchrow(sql("assessment_summary"))
        return StepResult(
            summary={"assessed": assessed, "strategy_mix": mix["strategy_mix"],
                     "low_confidence": sum(low_confidence.values())},
            asset_count=assessed,
        )

    @activity.defn(name="assessment.score_complexity")
    @heartbeating
    async def score_complexity(self, inp: StepInput) -> StepResult:
        levels = Counter[str]()

        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                score = score_complexity(asset_facts(row))
                levels[score.level] += 1
                out.append((row["id"], score.model_dump(mode="json")))
            return out

        scored = await rewrite_assets(self._pool, inp.tenant, compute, "assets_complexity_update",
                                      batch_size=self._batch_size)
        return StepResult(summary={"scored": scored, "levels": dict(levels)})

    @activity.defn(name="assessment.score_risk")
    @heartbeating
    async def score_risk(self, inp: StepInput) -> StepResult:
        blocked = Counter[str]()

        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            out = []
            for row in rows:
                flags = row["tech_debt_flags"] or []
                result = assess_risk(
                    end_of_life="os_end_of_life" in flags, criticality=row["business_criticality"],
                    dependent_count=row["dependent_count"], environment=row["environment"],
                    powered_off="powered_off" in flags, operating_system=row["operating_system"],
                    has_sizing=bool(row["cpu_cores"] and row["memory_gb"]),
                )
                blocked.update(result.blockers)
                out.append((row["id"], {"risk_score": result.risk_score, "readiness_score": result.readiness_score,
                                        "components": result.components, "blockers": result.blockers}))
            return out

        scored = await rewrite_assets(self._pool, inp.tenant, compute, "assets_risk_update",
                                      batch_size=self._batch_size)
        return StepResult(summary={"scored": scored, "readiness_blockers": dict(blocked)})

    @activity.defn(name="assessment.project_costs")
    @heartbeating
    async def project_costs(self, inp: StepInput) -> StepResult:
        def compute(rows: Rows) -> list[tuple[UUID, dict[str, Any]]]:
            return [
                (row["id"], estimate_cost(
                    strategy=row["six_r_strategy"], cpu_cores=row["cpu_cores"], memory_gb=_float(row["memory_gb"]),
                    storage_gb=_float(row["storage_gb"]), cpu_peak_pct=row["cpu_utilization_peak"],
                    current_monthly_cost=_float(row["current_monthly_cost"]),
                ).__dict__)
                for row in rows
            ]

        await rewrite_assets(self._pool, inp.tenant, compute, "assets_cost_update", batch_size=self._batch_size)
        async with tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id) as conn:
            totals = await conn.fetchrow(sql("cost_summary"))
        return StepResult(summary={
            "current_monthly": float(totals["current_monthly"]),
            "projected_monthly": float(totals["projected_monthly"]),
            "assets_without_projection": totals["without_projection"],
        })
