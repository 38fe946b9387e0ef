"""Discovery of real export formats, end to end through the real activities and PostgreSQL.

The fixtures under tests/fixtures/formats follow FORMATS.md. Each test imports one vendor's file
or bundle (several files that belong together) and checks assets, normalised values and units,
joins of supplements, merges, and dependency edges with their type and source.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_engagement
from tests.discovery_harness import rows, run_discovery

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


async def _assets(pool, ref) -> dict[str, dict]:
    return {r["name"]: r for r in await rows(pool, ref, "SELECT * FROM migration.assets")}


async def _imports(pool, ref) -> dict[str, dict]:
    found = await rows(pool, ref, "SELECT file_name, source_format, import_role, status, total_records,"
                                  " valid_records, quarantined_records, bundle_report, error_summary"
                                  " FROM migration.data_imports")
    return {r["file_name"]: r for r in found}


async def _edges(pool, ref) -> set[tuple]:
    found = await rows(pool, ref, """
        SELECT s.name AS source, t.name AS target, d.dependency_type, d.strength, d.port, d.evidence_source
        FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id""")
    return {(r["source"], r["target"], r["dependency_type"], r["strength"], r["port"]) for r in found}


async def test_google_migration_center_bundle(app_pool) -> None:
    e = await make_engagement(app_pool)
    files = [FIXTURES / name for name in ("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv")]
    run = await run_discovery(app_pool, e.ref, files, reviewer=e.owner_id)
    imports = await _imports(app_pool, e.ref)
    assert imports["vmInfo.csv"]["source_format"] == "google_vminfo"
    assert imports["vmInfo.csv"]["import_role"] == "inventory"
    assert {imports[n]["import_role"] for n in ("diskInfo.csv", "perfInfo.csv", "tagInfo.csv")} == {"supplement"}
    assert all(d["status"] == "completed" for d in imports.values())
    assets = await _assets(app_pool, e.ref)
    assert len(assets) == imports["vmInfo.csv"]["valid_records"]
    print(run.results["data_import"].summary)
    print({n: {k: a[k] for k in ("storage_gb", "disk_count", "cpu_utilization_avg", "tags", "memory_gb")}
           for n, a in list(assets.items())[:3]})
