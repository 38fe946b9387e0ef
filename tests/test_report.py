"""The engagement report against the real PostgreSQL: a small planned engagement written with plain SQL
(assets, dependencies, application assessments, two waves with move groups, a violation) is loaded
through the report queries and written as files; then headless Chromium opens the page. An engagement run
through execution on the real Temporal dev server shows its wave's run, failures and rollback."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import jinja2
import numpy as np
import pytest
from PIL import Image

from db.pool import tenant_transaction
from db.report_data import load_report
from db.runbook_templates import import_template
from db.tenancy import EngagementRef, TenancyError
from domain.execution.templates import validate_template
from domain.vocabulary import PHASES, RUNBOOK_STRATEGIES
from domain.wording import UUID_TEXT
from reports.engagement_report import write_report
from reports.model import (
    Count,
    EngagementReport,
    GroupEdge,
    GroupNode,
    ReportLimits,
    RollbackRow,
    Shown,
    StrategyShare,
    ViolationRow,
    WaveCost,
)
from reports.render import PICTURES, render_html
from runtime import engagement_control as control
from runtime import execution_control as execution
from tests.conftest import free_port, make_engagement
from tests.flow_helpers import inventory_file, running_worker
from tests.test_planning_phase import EXPECTED_WAVES, SETTINGS, insert_portfolio, phase_step, run_planning

EVIL = "<script>alert(1)</script>"


def _escaped(text: str) -> str:
    """`text` as the report's autoescaping template writes it."""
    return jinja2.Environment(autoescape=True).from_string("{{ text }}").render(text=text)
# name: (type, environment, os family, criticality, strategy, application, current, modelled, projected,
#        tech-debt flags, move group, wave)
ASSETS: dict[str, tuple[Any, ...]] = {
    "web-01": ("server", "production", "linux", "high", "rehost", "shop", 400, None, 300, ["os_end_of_life"],
               "MG-0001", 2),
    "db-01": ("database", "production", "linux", "critical", "replatform", "shop", 600, None, 500, [], "MG-0001", 2),
    EVIL: ("server", "development", "windows", "low", "rehost", "intranet", None, 100, 80,
           ["os_end_of_life", "powered_off"], "MG-0002", 1),
    "dev-02": ("server", "development", "windows", "low", "rehost", "intranet", None, None, None, [], "MG-0002", 1),
    "dns-01": ("server", "production", "linux", "medium", "rehost", None, 50, None, 40, [], "SHARED-0001", 2),
    "aix-01": ("server", "production", "unix", "medium", "retire", None, 200, None, None, [], None, None),
}
DEPENDENCIES = [("web-01", "db-01", "hard"), ("web-01", "dns-01", "soft"), ("db-01", "dns-01", "soft"),
                (EVIL, "web-01", "soft"), ("dev-02", EVIL, "hard")]
# number, kind, start, end, effort, labour cost, assets without strategy
WAVES = [(1, "non_production", date(2027, 1, 4), date(2027, 1, 17), 3.0, 2850, 0),
         (2, "production", date(2027, 1, 18), date(2027, 1, 31), 7.0, 6650, 0)]
VIOLATION = "MG-0001 (criticality critical) is in wave 2, within the first 2: nothing else was ready to migrate"


async def _insert_plan(pool: asyncpg.Pool, ref: EngagementRef) -> None:
    tenant = (ref.client_account_id, ref.id)
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        ids = {}
        for name, (kind, env, os_family, crit, strategy, app, current, modelled, projected, flags, group,
                   wave) in ASSETS.items():
            savings = current - projected if current is not None and projected is not None else (
                modelled - projected if modelled is not None and projected is not None else None)
            ids[name] = await conn.fetchval(
                "INSERT INTO migration.assets (client_account_id, engagement_id, name, asset_type, environment,"
                " os_family, business_criticality, six_r_strategy, application_name, current_monthly_cost,"
                " modelled_monthly_cost, projected_monthly_cost, monthly_savings, tech_debt_flags, move_group,"
                " wave_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                " RETURNING id", *tenant, name, kind, env, os_family, crit, strategy, app, current, modelled,
                projected, savings, flags, group, wave,
            )
        for source, target, strength in DEPENDENCIES:
            await conn.execute(
                "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, source_asset_id,"
                " target_asset_id, strength) VALUES ($1, $2, $3, $4, $5)", *tenant, ids[source], ids[target],
                strength,
            )
        for app, strategy, assets in (("shop", "replatform", 2), ("intranet", "rehost", 2)):
            await conn.execute(
                "INSERT INTO migration.application_assessments (client_account_id, engagement_id, application_name,"
                " asset_count, six_r_strategy, strategy_confidence, strategy_rationale) VALUES ($1, $2, $3, $4, $5,"
                " 0.75, '{}')", *tenant, app, assets, strategy,
            )
        wave_ids = {}
        for number, kind, start, end, effort, cost, undecided in WAVES:
            members = [n for n, a in ASSETS.items() if a[-1] == number]
            wave_ids[number] = await conn.fetchval(
                "INSERT INTO migration.migration_waves (client_account_id, engagement_id, wave_number, name, kind,"
                " status, planned_start, planned_end, asset_count, total_storage_gb, estimated_effort_days,"
                " estimated_cost, undecided_assets) VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $7, $8, 100, $9,"
                " $10, $11) RETURNING id",
                *tenant, number, f"Wave {number}", kind, start, end, len(members), effort, cost, undecided,
            )
        for name, asset in ASSETS.items():
            if asset[-1] is not None:
                await conn.execute(
                    "INSERT INTO migration.migration_wave_assets (client_account_id, engagement_id, wave_id, asset_id,"
                    " move_group) VALUES ($1, $2, $3, $4, $5)", *tenant, wave_ids[asset[-1]], ids[name], asset[-2],
                )
        await conn.execute(
            "INSERT INTO migration.plan_violations (client_account_id, engagement_id, rule, detail, move_groups,"
            " asset_ids) VALUES ($1, $2, 'early_wave', $3, '{MG-0001}', $4)",
            *tenant, VIOLATION, [ids["web-01"], ids["db-01"]],
        )
        await conn.execute(  # as plans were stored before violations named their assets
            "INSERT INTO migration.plan_violations (client_account_id, engagement_id, rule, detail, move_groups,"
            " asset_ids) VALUES ($1, $2, 'left_behind', $3, '{MG-0001}', $4)",
            *tenant, f"{ids['web-01']} is tied to {ids['aix-01']}, which stays", [ids["web-01"], ids["aix-01"]],
        )


@pytest.fixture(scope="module")
async def planned(app_pool: asyncpg.Pool) -> EngagementRef:
    ref = (await make_engagement(app_pool, start_date=date(2027, 1, 4))).ref
    await _insert_plan(app_pool, ref)
    await _insert_plan(app_pool, (await make_engagement(app_pool)).ref)  # another engagement: must not show
    return ref


@pytest.fixture(scope="module")
async def loaded(app_pool: asyncpg.Pool, planned: EngagementRef) -> EngagementReport:
    return await load_report(app_pool, planned, ReportLimits(rows=25, graph_groups=60, members=3))


async def test_portfolio_counts_each_dimension(loaded: EngagementReport, planned: EngagementRef) -> None:
    p = loaded.portfolio
    assert (loaded.engagement, loaded.start_date) == (planned.name, date(2027, 1, 4))
    assert p.assets == 6
    assert p.by_type == Shown((Count("server", 5), Count("database", 1)))
    assert p.by_environment == Shown((Count("production", 4), Count("development", 2)))
    assert p.by_os_family == Shown((Count("linux", 3), Count("windows", 2), Count("unix", 1)))
    assert p.by_criticality.rows[0] == Count("low", 2) and sum(c.count for c in p.by_criticality.rows) == 6
    assert p.tech_debt == Shown((Count("os_end_of_life", 2), Count("powered_off", 1)))
    assert p.assets_with_tech_debt == 2


async def test_the_business_case_compares_the_assets_with_both_costs(loaded: EngagementReport) -> None:
    case = loaded.business_case
    # web-01 400/300, db-01 600/500, EVIL 100 (modelled)/80, dns-01 50/40; dev-02 and aix-01 lack a figure
    assert (case.assets, case.assets_left_out, case.current_monthly, case.projected_monthly) == (4, 2, 1150.0, 920.0)
    assert (case.savings_monthly, case.migration_cost, case.horizon_years, case.pricing_term) == (
        230.0, 9500.0, 3, "payg")  # one-off labour: the waves' 2,850 + 6,650
    assert case.savings_over_horizon == 230.0 * 36 - 9500.0
    # no stored components (the rows were written by hand): every driver leaves the savings as they are
    assert {(s.lower, s.higher) for s in case.sensitivity} == {(230.0, 230.0)}
    assert not any(row.overridden for row in case.assumptions) and len(case.assumptions) == 38


async def test_strategies_and_applications(loaded: EngagementReport) -> None:
    assert loaded.strategies == (StrategyShare("rehost", 1, 4), StrategyShare("replatform", 1, 1),
                                 StrategyShare("retire", 0, 1))
    assert [(a.name, a.strategy, a.assets) for a in loaded.applications.rows] == [
        ("intranet", "rehost", 2), ("shop", "replatform", 2)]
    assert loaded.applications.rest == 0


async def test_costs_per_wave_add_up_to_the_engagement(loaded: EngagementReport) -> None:
    assert loaded.costs.currencies == ("USD",)
    assert loaded.costs.by_wave == (
        WaveCost(1, 2, 100.0, 80.0, 20.0, without_current=1, without_projection=1),
        WaveCost(2, 3, 1050.0, 840.0, 210.0, without_current=0, without_projection=0),
        WaveCost(None, 1, 200.0, 0.0, 0.0, without_current=0, without_projection=1),
    )
    total = loaded.costs.total()
    assert (total.assets, total.current_monthly, total.projected_monthly, total.savings_monthly) == (6, 1350, 920, 230)


async def test_waves_graph_and_violations(loaded: EngagementReport) -> None:
    assert [(w.number, w.kind, w.start, w.end, w.assets, w.move_groups, w.effort_days, w.labour_cost)
            for w in loaded.waves] == [
        (1, "non_production", date(2027, 1, 4), date(2027, 1, 17), 2, 1, 3.0, 2850.0),
        (2, "production", date(2027, 1, 18), date(2027, 1, 31), 3, 2, 7.0, 6650.0),
    ]
    assert loaded.graph.nodes == (  # by wave, then size; names in byte order; named by application, else assets
        GroupNode("MG-0002", 2, 1, (EVIL, "dev-02"), "intranet", ("development",)),
        GroupNode("MG-0001", 2, 2, ("db-01", "web-01"), "shop", ("production",)),
        GroupNode("SHARED-0001", 1, 2, ("dns-01",), "dns-01", ("production",)),
    )
    assert loaded.graph.edges == (GroupEdge("MG-0001", "SHARED-0001", 2, False),
                                  GroupEdge("MG-0002", "MG-0001", 1, False))
    assert [n.id for n in loaded.graph.nodes if n.shared_service] == ["SHARED-0001"]
    assert loaded.violations_by_rule == (Count("early_wave", 1), Count("left_behind", 1))
    assert loaded.violations == Shown((
        ViolationRow("early_wave", VIOLATION, 2, ("db-01", "web-01"), ("MG-0001 shop (production)",)),
        ViolationRow("left_behind", "web-01 is tied to aix-01, which stays", 2, ("aix-01", "web-01"),
                     ("MG-0001 shop (production)",)),
    ))


async def test_a_plan_not_executed_yet_shows_its_waves_not_started(loaded: EngagementReport) -> None:
    x = loaded.execution
    assert [(w.number, w.planned_start, w.run, w.status) for w in x.waves] == [
        (1, date(2027, 1, 4), None, None), (2, date(2027, 1, 18), None, None)]
    assert not x.started and x.failures == Shown(()) and x.rollbacks == Shown(()) and x.undelivered == ()


async def test_limits_cut_long_lists_and_count_the_rest(app_pool: asyncpg.Pool, planned: EngagementRef) -> None:
    small = await load_report(app_pool, planned, ReportLimits(rows=1, graph_groups=1, members=1))
    assert small.applications == Shown(small.applications.rows, rest=1) and len(small.applications.rows) == 1
    assert small.portfolio.by_os_family == Shown((Count("linux", 3),), rest=2)
    assert [n.id for n in small.graph.nodes] == ["SHARED-0001"] and small.graph.total_groups == 3
    assert small.graph.nodes[0].members == ("dns-01",) and small.graph.edges == ()


async def test_an_unknown_engagement_is_refused(app_pool: asyncpg.Pool, planned: EngagementRef) -> None:
    ghost = EngagementRef(uuid.uuid4(), planned.client_account_id, "ghost")
    with pytest.raises(TenancyError, match="no engagement 'ghost'"):
        await load_report(app_pool, ghost)


async def test_report_on_a_plan_written_by_the_planning_phase(app_pool: asyncpg.Pool) -> None:
    """The planning phase's hand-checked portfolio (tests/test_planning_phase.py), planned by the real steps."""
    ref = (await make_engagement(app_pool)).ref
    await insert_portfolio(app_pool, ref, SETTINGS)
    await run_planning(app_pool, await phase_step(app_pool, ref, "planning"))
    report = await load_report(app_pool, ref)
    assert [(w.number, w.kind, w.start, w.end, w.assets, w.effort_days, w.labour_cost, w.undecided_assets)
            for w in report.waves] == [(n, kind, start, end, assets, effort, cost, undecided)
                                       for n, kind, start, end, assets, _, effort, cost, undecided in EXPECTED_WAVES]
    assert [w.move_groups for w in report.waves] == [1, 1, 1, 2, 1]
    assert report.graph.total_groups == 6 and sum(n.assets for n in report.graph.nodes) == 8
    assert [n.members for n in report.graph.nodes if n.shared_service] == [("dns-01",)]
    assert [c.wave for c in report.costs.by_wave] == [0, 1, 2, 3, 4, None]
    assert report.costs.by_wave[-1].assets == 2  # retired and retained: in no wave
    assert report.violations_by_rule == (Count("left_behind", 1), Count("ordering_cycle", 1))
    left_behind = report.violations.rows[0]
    assert left_behind.asset_names == ("keep-01", "web-01") and " shop (production)" in left_behind.move_groups[0]
    assert UUID_TEXT.findall(render_html(report)) == []


def _checks_template(strategy: str, closed_port: int) -> Any:
    """Each asset: a dry-run step with a dry-run compensation, a warning check and a blocker check against a port
    nobody listens on (the first completes with a finding, the second fails)."""
    probe = {"executor": "tcp_probe", "params": {"host": "127.0.0.1", "port": closed_port}}
    return validate_template({"name": f"report-{strategy}", "strategy": strategy, "groups": [
        {"name": "checks", "scope": "asset", "steps": [
            {"key": "prepare", "title": "Prepare", "type": "automated", "executor": "dry_run",
             "rollback": {"key": "unprepare", "title": "Undo prepare", "type": "automated", "executor": "dry_run"}},
            {"key": "advisory", "title": "Advisory check", "type": "validation",
             "checks": [{**probe, "severity": "warning"}]},
            {"key": "reachable", "title": "Reachable", "type": "validation", "checks": [probe]}]}]})


async def _report_when(pool: asyncpg.Pool, ref: EngagementRef, holds, what: str) -> EngagementReport:
    """The engagement's report once `holds(report)`, polled for at most 90 s."""
    for _ in range(450):
        report = await load_report(pool, ref)
        if holds(report):
            return report
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: not reached within 90 s")


async def test_report_of_an_executed_engagement_shows_its_run_failures_and_rollback(dev_env, app_pool, tmp_path
                                                                                    ) -> None:
    e = await make_engagement(app_pool)
    closed_port = free_port()  # bound once, then released: nobody listens on it
    for strategy in RUNBOOK_STRATEGIES:
        await import_template(app_pool, e.ref, _checks_template(strategy, closed_port), e.owner_id)
    async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:
        owner = await conn.fetchval("SELECT email FROM migration.users WHERE id = $1", e.owner_id)
    async with running_worker(dev_env.client, app_pool, answer_steps=False) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue,
                             auto_approve=PHASES, launched_by=e.owner_id)
        await _report_when(app_pool, e.ref, lambda r: bool(r.execution.waves), "wave 1 started")
        async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:
            names = {r["name"]: r["application_name"] for r in await conn.fetch(
                "SELECT name, application_name FROM migration.assets WHERE wave_number = 1")}
        n = len(names)  # Customer Portal's staging servers: production's Payroll waits in wave 2, which needs wave 1
        held = await _report_when(app_pool, e.ref, lambda r: any(
            c == Count("failed", n) for c in r.execution.waves[0].step_runs), "the blocker checks failed")
        wave, waiting = held.execution.waves
        assert (waiting.number, waiting.run, waiting.step_runs) == (2, None, ())  # production waits for wave 1
        assert (wave.number, wave.run, wave.status, wave.completed_at) == (1, 1, "running", None)
        assert wave.started_at is not None and wave.planned_start is not None
        assert wave.step_runs == (Count("completed", 2 * n), Count("failed", n))
        failed = [f for f in held.execution.failures.rows if f.status == "failed"]
        assert sorted(f.workload for f in failed) == sorted(names) and n > 1
        assert {(f.step, f.application) for f in failed} == {("reachable", names[f.asset]) for f in failed}
        assert all(f"127.0.0.1:{closed_port}" in f.reason for f in failed)
        warned = [f for f in held.execution.failures.rows if f.status == "completed"]
        assert {f.step for f in warned} == {"advisory"} and len(warned) == n
        assert all(f.reason.startswith(f"warning tcp_probe 127.0.0.1:{closed_port}: ") for f in warned)
        page = render_html(held)
        assert f"{failed[0].workload}</td>" in page and _escaped(failed[0].reason) in page

        said = await execution.act(dev_env.client, app_pool, e.ref, execution.action_request(
            "abort", 1, reason="ports <closed>"), e.owner_id)
        assert "aborted" in said
        await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 90)
    report = await load_report(app_pool, e.ref)
    wave, held_back = report.execution.waves
    assert (held_back.number, held_back.run) == (2, None)  # never started: the wave it needs did not complete
    assert (wave.run, wave.status) == (1, "rolled_back") and wave.completed_at is not None
    assert wave.completed_at >= wave.started_at
    assert wave.step_runs == (Count("completed", 2 * n), Count("abandoned", n))
    assert {f.step for f in report.execution.failures.rows} == {"advisory"}  # the failed runs were abandoned
    assert report.execution.rollbacks == Shown((RollbackRow(
        1, 1, "rolled_back", owner, "ports <closed>", wave.completed_at, n, n),))
    assert {n.kind: (n.notifications, n.attempted) for n in report.execution.undelivered}[
        "wave_rolled_back"] == (1, 0)  # no webhook configured
    page = render_html(report)
    assert "ports &lt;closed&gt;" in page and "ports <closed>" not in page and f"{n} of {n}" in page


def test_report_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="report limit rows must be at least 1, not 0"):
        ReportLimits(rows=0)


@pytest.fixture(scope="module")
async def written(app_pool: asyncpg.Pool, planned: EngagementRef, tmp_path_factory) -> Path:
    return await write_report(app_pool, planned, tmp_path_factory.mktemp("report") / "out")


async def test_write_report_writes_the_page_and_pictures(written: Path) -> None:
    assert written.name == "index.html"
    html = written.read_text(encoding="utf-8")
    for picture in PICTURES:
        assert (written.parent / "images" / f"{picture.stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (written.parent / "images" / f"{picture.stem}.svg").stat().st_size > 0
        assert f'src="images/{picture.stem}.png"' in html
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert VIOLATION in html and "SHARED-0001" in html and "non-production" in html
    assert "web-01 is tied to aix-01, which stays" in html and "<td>aix-01 and web-01</td>" in html
    assert "<td>MG-0001 shop (production)</td>" in html and "<td>shop (production)</td>" in html
    assert UUID_TEXT.findall(html) == []  # the report has no key column: no asset is named by its id


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium) to open the page")
def test_chromium_shows_the_page_with_its_pictures(written: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--window-size=1280,2000", f"--screenshot={shot}", written.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=int).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50  # text, tables and charts, not a blank page
    # The strategy bars (rehost is matplotlib's first tab10 colour) appear only if the PNGs loaded.
    bar_blue = int((np.abs(pixels - (31, 119, 180)).max(axis=1) < 8).sum())
    assert bar_blue > 2000, bar_blue
