"""The demo's inventory (samples/demo_inventory.csv, 300 rows) through the real discovery and assessment
steps, then the report's business case: the result the bundled, published assumptions give, as it is.

Nothing is tuned for it to come out one way: the demo is a Windows-heavy VMware estate without memory
utilisation (so memory is sized as it is, and the reasons say so) and without costs of its own (so every
sized asset's current cost is the modelled total cost of ownership). At pay-as-you-go, licence-included
prices the cloud costs more a month; with a 1- or 3-year commitment it saves (docs/business-case.md).
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from activities.assessment import AssessmentActivities
from db.report_data import load_report
from tests.conftest import make_engagement
from tests.discovery_harness import rows, run_discovery
from tests.test_assessment_phase import run_assessment
from tests.test_planning_phase import phase_step

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo_inventory.csv"


async def test_the_demo_business_case(app_pool: asyncpg.Pool) -> None:
    engagement = await make_engagement(app_pool)
    discovered = await run_discovery(app_pool, engagement.ref, [DEMO], reviewer=engagement.owner_id)
    step = await phase_step(app_pool, engagement.ref, "assessment", master=discovered.step.master_flow_id)
    await run_assessment(AssessmentActivities(app_pool), step)
    assets = await rows(app_pool, engagement.ref, "SELECT current_monthly_cost, modelled_monthly_cost,"
                        " projected_monthly_cost, cpu_cores, memory_gb, scoring_details -> 'cost' AS cost"
                        " FROM migration.assets")
    sized = [a for a in assets if a["cpu_cores"] and a["memory_gb"]]
    assert all(a["current_monthly_cost"] is None and a["modelled_monthly_cost"] is not None for a in sized)
    sized_in_cloud = [a for a in sized if a["cost"]["needed_memory_gb"] is not None]
    assert all(f"needs {float(a['memory_gb']):g} GB memory: utilisation unknown, so the allocation as it is"
               in a["cost"]["reasons"] for a in sized_in_cloud)
    modelled = [a["cost"]["current_components"] for a in sized]
    for component in ("hardware", "storage", "network", "power", "facilities", "os_licence", "virtualisation",
                      "labour"):
        assert all(c[component] >= 0 for c in modelled) and any(c[component] > 0 for c in modelled), component

    case = (await load_report(app_pool, engagement.ref)).business_case
    assert case.assets == len(sized) and case.migration_cost is None  # not planned here
    per_asset = case.current_monthly / case.assets
    assert 300 < per_asset < 2000, per_asset  # a month per server, all costs in
    assert 0.5 < case.projected_monthly / case.current_monthly < 2
    by_term = dict(case.by_term)
    assert by_term["payg"] < 0 < by_term["1y"] < by_term["3y"], by_term
    assert by_term["payg"] == case.savings_monthly  # the engagement prices at pay-as-you-go
    # the cloud compute price is the biggest lever: 20 % either way moves more than any other driver
    spread = {s.driver: abs(s.higher - s.lower) for s in case.sensitivity}
    assert max(spread, key=spread.get) == "cloud compute price", spread
