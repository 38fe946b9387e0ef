"""Issue 12: a dependency export on its own (the real Azure Migrate export in tests/fixtures/corpus).

Launched into an engagement with no assets it is refused at `launch`, in one line, before anything is
uploaded or started. Launched into an engagement whose earlier import brought its machines, it enriches
them: its edges resolve to the existing assets, as a new import of the same engagement. An import that
yields no asset fails in discovery, saying which files and why, not two phases later at planning.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from domain.vocabulary import PHASES
from runtime import engagement_control as control
from tests.conftest import give_login, make_engagement
from tests.flow_helpers import fetchval, run_starter, running_worker, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "fixtures" / "corpus" / "azure-migrate-move-group-planner__dependency-export-sample.csv"
REFUSAL = (f"{EXPORT.name} is a dependency export (edges between machines): launch it together with the inventory "
           "it connects, or into an engagement that already has one")
# The eight servers the export names, as an inventory of the engagement would list them (destinations by IP too).
SERVERS = ("app1-server", "app2-server", "db1-server", "web1-server", "api1-server", "web2-server", "api2-server",
           "admin-server")
ADDRESSES = {"app1-server": "10.0.0.1", "app2-server": "10.0.0.2", "db1-server": "10.0.0.5",
             "api1-server": "10.0.0.10", "api2-server": "10.0.0.11"}


def _inventory(folder: Path) -> Path:
    path = folder / "servers.csv"
    lines = ["Server Name,IP Address,OS,CPU Cores,RAM (GB),Disk (GB),Environment"]
    lines += [f"{name},{ADDRESSES.get(name, f'10.0.1.{n}')},Windows Server 2019 Standard,4,16,200,Production"
              for n, name in enumerate(SERVERS, 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_launched_alone_into_an_engagement_without_assets_it_is_refused_in_one_line(
    dev_env, app_pool, migrated_db, cli_env
) -> None:
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    code, out, err = await run_starter(owner, "launch", str(e.ref.id), "--import", str(EXPORT))
    assert (code, out) == (1, ""), err
    assert err.splitlines() == [f"error: {REFUSAL}"]
    assert await control.execution_status(dev_env.client, e.ref) is None  # nothing started
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.data_imports") == 0  # nothing uploaded


async def test_launched_into_an_engagement_with_an_inventory_its_edges_resolve_to_the_existing_assets(
    dev_env, app_pool, migrated_db, cli_env, tmp_path: Path
) -> None:
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [_inventory(tmp_path)], queue, auto_approve=PHASES)
        first = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
        assert first.status == "completed"
        assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.asset_dependencies") == 0
        assets_before = await fetchval(app_pool, e.ref, "SELECT array_agg(id ORDER BY id) FROM migration.assets")
        assert len(assets_before) == 8

        await control.check_import(app_pool, e.ref, [(EXPORT.name, "dependencies")])  # not refused: it enriches
        await control.launch(dev_env.client, app_pool, e.ref, [EXPORT], queue, auto_approve=PHASES)
        second = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert second.status == "completed"
    assert await fetchval(app_pool, e.ref, "SELECT array_agg(id ORDER BY id) FROM migration.assets") == assets_before
    edges = await fetchval(app_pool, e.ref, """
        SELECT array_agg(s.name || '->' || t.name || ':' || d.port ORDER BY s.name, t.name)
        FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id""")
    assert edges == ["admin-server->app1-server:3389", "app1-server->app2-server:443", "app1-server->db1-server:1433",
                     "web1-server->api1-server:8080", "web2-server->api2-server:8080"]
    export = await fetchval(app_pool, e.ref, """
        SELECT jsonb_build_object('role', import_role, 'status', status, 'valid', valid_records,
                                  'quarantined', quarantined_records, 'errors', error_summary)
        FROM migration.data_imports WHERE file_name = $1""", EXPORT.name)
    assert export == {"role": "dependencies", "status": "completed", "valid": 5, "quarantined": 0, "errors": None}
    assert second.phases_completed == PHASES  # assessment and planning ran again over the enriched inventory
    viewer = cli_env | await give_login(migrated_db, e.viewer_id)
    code, out, err = await run_starter(viewer, "imports", "list", str(e.ref.id), "--json")  # the newest: the export
    assert code == 0, err
    assert [(d["file_name"], d["import_role"], d["valid_records"]) for d in json.loads(out)] == [
        (EXPORT.name, "dependencies", 5)]


async def test_an_import_that_yields_no_asset_fails_in_discovery_naming_its_files(
    dev_env, app_pool, tmp_path: Path
) -> None:
    """Past `launch` (its callers other than the CLI, an inventory whose every row is quarantined), discovery itself
    says there is nothing to work on."""
    e = await make_engagement(app_pool)
    nameless = tmp_path / "servers.csv"
    nameless.write_text("Server Name,OS,CPU Cores\n,Windows Server 2019,4\n,RHEL 9,2\n")
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [EXPORT], queue, auto_approve=PHASES)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.status == "failed")
        assert (st.phase, st.phase_summaries["discovery"]["error"]) == ("discovery", f"discovery found no assets: {REFUSAL}")
        assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.data_imports") == "failed"
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)

        other = await make_engagement(app_pool)
        await control.launch(dev_env.client, app_pool, other.ref, [nameless], queue, auto_approve=PHASES)
        st = await wait_for(dev_env.client, other.ref, lambda st: st.status == "failed")
        assert st.phase_summaries["discovery"]["error"] == (
            "discovery found no assets: servers.csv: all 2 rows were quarantined (`imports quarantine` lists why)")
        await control.cancel(dev_env.client, app_pool, other.ref, other.owner_id)
