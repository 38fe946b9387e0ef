"""Engagements end to end on a real Temporal dev server with real activities and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import logging
from pathlib import Path

import pytest

from db.people import IdentityError
from db.pool import tenant_transaction
from db.tenancy import EngagementRef
from domain.vocabulary import PHASE_STEPS, PHASES
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import fetchval, inventory_file, running_worker, wait_for


def _distinct_servers(path: Path) -> int:
    with path.open(newline="") as fh:
        return len({row["Server Name"].strip().lower() for row in csv.DictReader(fh)})


async def test_full_engagement_with_auto_approval(dev_env, app_pool, superuser_conn, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    file = inventory_file(tmp_path, 60)
    async with running_worker(dev_env.client, app_pool) as queue:
        workflow_id, master_flow_id = await control.launch(
            dev_env.client, app_pool, e.ref, [file], queue, auto_approve=PHASES, launched_by=e.owner_id)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"
    assert result.phases_completed == PHASES
    with pytest.raises(control.ControlError, match="nothing to pause — the engagement has completed"):
        await control.pause(dev_env.client, app_pool, e.ref, e.owner_id)
    assets = await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.assets")
    quarantined = await fetchval(app_pool, e.ref,
                                 "SELECT count(*) FROM migration.raw_import_records WHERE status = 'quarantined'")
    assert assets + quarantined == _distinct_servers(file)
    assert result.asset_count == await fetchval(
        app_pool, e.ref, "SELECT count(*) FROM migration.assets WHERE migration_status = 'migrated'")
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.asset_dependencies") > 0
    split = await fetchval(app_pool, e.ref, """
        SELECT count(*) FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id
        WHERE s.move_group = t.move_group AND s.wave_number <> t.wave_number""")
    assert split == 0, "assets of one move group must share a wave"
    master = await superuser_conn.fetchrow(
        "SELECT * FROM migration.crewai_flow_state_extensions WHERE flow_id = $1", master_flow_id)
    assert master["status"] == "completed" and master["phases_completed"] == list(PHASES)
    assert master["temporal_workflow_id"] == workflow_id
    for phase in PHASES:
        row = await superuser_conn.fetchrow(
            f"SELECT * FROM migration.{phase}_flows WHERE master_flow_id = $1", master_flow_id)
        assert row["status"] == "completed", phase
        assert all(row[f"{step}_completed"] for step in PHASE_STEPS[phase]), phase
        assert row["phases_completed"] == list(PHASE_STEPS[phase])
    approvals = await superuser_conn.fetch(
        "SELECT phase, decision FROM migration.phase_approvals WHERE master_flow_id = $1 ORDER BY decided_at, phase",
        master_flow_id)
    assert sorted((a["phase"], a["decision"]) for a in approvals) == sorted((p, "auto_approved") for p in PHASES)


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


async def test_a_cmdb_of_every_ci_class_runs_through_and_only_workloads_move(dev_env, app_pool) -> None:
    """Issue 12: a ServiceNow CMDB with switches, services, clusters, business applications, databases ... beside
    its servers runs end to end; nothing but workloads is planned into a wave, and what the business service ties
    together moves as one group."""
    e = await make_engagement(app_pool)
    files = [FIXTURES / "cmdb_ci_mixed.csv", FIXTURES / "cmdb_rel_ci_mixed.csv"]
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, files, queue, auto_approve=PHASES)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.waiting_for is not None or st.status == "completed",
                            timeout=300)
        if st.waiting_for is not None:  # columns a person confirms; what the platform mapped on its own stays
            await control.review_mappings(dev_env.client, app_pool, e.ref, e.owner_id, accept_remaining=True)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.raw_import_records"
                                           " WHERE status = 'quarantined'") == 0
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.asset_dependencies") == 22
    async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:
        assets = {r["name"]: dict(r) for r in await conn.fetch(
            "SELECT name, asset_type, six_r_strategy, wave_number, move_group, wave_reason, migration_status"
            " FROM migration.assets")}
    kept_out = {n for n, a in assets.items() if a["asset_type"] in ("network", "service", "cluster", "other")}
    kept_out |= {"Shop", "Tomcat@mx-app-01"}  # application records without a platform of their own
    assert len(kept_out) == 10
    for name in kept_out:
        a = assets[name]
        assert (a["six_r_strategy"], a["wave_number"], a["move_group"]) == ("retain", None, None), name
        assert a["migration_status"] != "migrated" and a["wave_reason"].startswith("strategy retain"), name
    assert "the landing zone's network replaces it" in assets["mx-sw-01"]["wave_reason"]
    moving = {n for n, a in assets.items() if a["wave_number"] is not None}
    assert moving == set(assets) - kept_out
    assert {assets[n]["migration_status"] for n in moving} == {"migrated"}  # the dry run moved every workload
    # Shop Frontend (a retained service) ties its web server, load balancer and SQL instance together; the
    # instance runs on mx-sql-01, which mx-legacy-01 depends on hard: one move group, one wave
    shop = ("mx-web-01", "mx-lb-01", "MSSQLSERVER@mx-sql-01", "mx-sql-01", "mx-legacy-01")
    assert len({assets[n]["move_group"] for n in shop}) == 1 and len({assets[n]["wave_number"] for n in shop}) == 1
    assert len({assets[n]["move_group"] for n in moving}) > 1


async def test_approvals_through_updates_and_their_validation(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    other = await make_engagement(app_pool)
    file = inventory_file(tmp_path, 20)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [file], queue, auto_approve=("assessment", "planning"))
        await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")

        with pytest.raises(control.ControlError, match="already running"):
            await control.launch(dev_env.client, app_pool, e.ref, [file], queue)
        with pytest.raises(control.ControlError, match="has role viewer, which cannot approve"):
            await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.viewer_id)
        with pytest.raises(control.ControlError, match="is not a member"):
            await control.approve(dev_env.client, app_pool, e.ref, "discovery", other.owner_id)
        with pytest.raises(control.ControlError,
                           match="phase assessment is not awaiting a decision; phase discovery awaits approval"):
            await control.approve(dev_env.client, app_pool, e.ref, "assessment", e.owner_id)
        spoofed = EngagementRef(e.ref.id, other.ref.client_account_id, e.ref.name)
        with pytest.raises(IdentityError, match="is not one of client"):  # refused by the database already
            await control.approve(dev_env.client, app_pool, spoofed, "discovery", e.owner_id)
        history = await control.handle(dev_env.client, e.ref).fetch_history()
        assert not [ev for ev in history.events if ev.HasField("workflow_execution_update_accepted_event_attributes")]

        st = await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id, "inventory checked")
        assert st.phases_completed[0] == "discovery"
        await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "execution" or
                       st.phases_completed == ("discovery", "assessment", "planning") and st.awaiting_approval)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "execution")
        await control.approve(dev_env.client, app_pool, e.ref, "execution", e.owner_id)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Server Name,OS,CPU Cores\n", "the file has a header row but no data rows"),
        (b"\x00\x01\x02PK\x03\x04 binary" * 50, "binary data (NUL bytes), not a CSV text file"),
        (b"Server Name,OS,Server Name\nweb01,RHEL 9,web01\n", "duplicate column header(s): Server Name"),
    ],
    ids=["header-only", "binary", "duplicate-headers"],
)
async def test_a_bad_file_fails_discovery_clearly_and_keeps_nothing(
    dev_env, app_pool, tmp_path: Path, content: bytes, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    e = await make_engagement(app_pool)
    path = tmp_path / "inventory.csv"
    path.write_bytes(content)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [path], queue, auto_approve=PHASES)
        # `status` says failed once the failure is in the database (master and phase row), not before.
        st = await wait_for(dev_env.client, e.ref, lambda st: st.status == "failed")
        assert message in st.phase_summaries["discovery"]["error"]
        assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.assets") == 0
        assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.data_imports") == "failed"
        assert message in await fetchval(app_pool, e.ref, "SELECT error_summary ->> 'error' FROM migration.data_imports")
        assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.discovery_flows") == "failed"
        with pytest.raises(control.ControlError, match="failed; reject it to re-run it or roll back"):
            await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    # The worker logs the refusal as one line; a file's fault is no worker failure with a traceback.
    assert "Traceback" not in caplog.text
    assert [r.getMessage() for r in caplog.records if message in r.getMessage() and r.levelno == logging.INFO]


async def test_retired_and_out_of_service_cis_are_retired_and_planned_into_no_wave(dev_env, app_pool) -> None:
    """Issue 12 (ADR-0015): CIs whose install or operational status says retired, absent, non-operational or in
    stock are recommended retire with the status as the reason and get no wave; their relationships to live
    servers leave nothing behind; in-service, in-maintenance and unknown-status servers migrate."""
    e = await make_engagement(app_pool)
    files = [FIXTURES / "cmdb_ci_lifecycle.csv", FIXTURES / "cmdb_rel_ci_lifecycle.csv"]
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, files, queue, auto_approve=PHASES)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.waiting_for is not None or st.status == "completed",
                            timeout=300)
        if st.waiting_for is not None:
            await control.review_mappings(dev_env.client, app_pool, e.ref, e.owner_id, accept_remaining=True)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"
    async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:
        assets = {r["name"]: dict(r) for r in await conn.fetch(
            "SELECT name, six_r_strategy, strategy_rationale, wave_number, wave_reason, migration_status"
            " FROM migration.assets")}
        left_behind = await conn.fetchval("SELECT count(*) FROM migration.plan_violations WHERE rule = 'left_behind'")
    out_of_service = {"lc-old-01": "install status retired", "lc-old-02": "install status retired",
                      "lc-dead-01": "operational status non-operational",
                      "lc-dead-02": "operational status non-operational", "lc-spare-01": "install status in-stock",
                      "lc-spare-02": "install status in-stock", "lc-lost-01": "install status absent",
                      "lc-lost-02": "install status absent", "lc-stolen-01": "install status absent"}
    for name, status in out_of_service.items():
        a = assets[name]
        assert (a["six_r_strategy"], a["wave_number"]) == ("retire", None), name
        assert a["migration_status"] != "migrated", name
        assert a["strategy_rationale"]["reasons"][0].startswith(f"out_of_service: {status}"), name
        assert a["wave_reason"].startswith("strategy retire") and status in a["wave_reason"], name
    moving = {n for n, a in assets.items() if a["wave_number"] is not None}
    assert moving == {"lc-web-01", "lc-app-01", "lc-db-01", "lc-fix-01", "lc-odd-01"}
    assert {assets[n]["migration_status"] for n in moving} == {"migrated"}
    assert left_behind == 0  # the retired CIs' relationships are past records, not ties left behind
