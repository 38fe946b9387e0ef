"""A person settles merge conflicts: keep the asset's value or take the imported one, by role, once.

Records come from real cleansing and the real merge (`tests/test_inventory_merge.py` helpers): two
files disagree about a server's cores, the person takes one file's value, the asset changes, its
lineage names the decision, and a later import of the first file cannot replace the choice silently.
"""

from __future__ import annotations

import pytest

from db.conflict_review import ConflictReviewError, list_conflicts, resolve_conflict
from tests.conftest import RawTenant, make_engagement
from tests.test_inventory_merge import _cleansed, _row, add_import, cmdb, fetch, merge

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _import(pool, t: RawTenant, file_name: str, cores: str) -> None:
    records = _cleansed([cmdb(name="web01", host_name="web01", cpu_core_count=cores, environment="prod")])
    await merge(pool, t, await add_import(pool, t, file_name, "generic", records))


async def _cores(pool, t: RawTenant) -> tuple[int, dict]:
    [asset] = await fetch(pool, t, "SELECT cpu_cores, field_lineage FROM migration.assets WHERE name = 'web01'")
    return asset["cpu_cores"], asset["field_lineage"]["cpu_cores"]


async def test_taking_an_imported_value_settles_the_column_and_survives_later_imports(app_pool) -> None:
    e = await make_engagement(app_pool)
    t = RawTenant(e.ref.client_account_id, e.ref.id, e.owner_id)
    await _import(app_pool, t, "cmdb_export.csv", "4")
    await _import(app_pool, t, "vcenter_export.csv", "8")
    await _import(app_pool, t, "intake_sheet.csv", "16")
    open_ = await list_conflicts(app_pool, e.ref)
    assert {(c["field"], c["kept_value"], c["incoming_value"]) for c in open_} == {
        ("cpu_cores", 4, 8), ("cpu_cores", 4, 16)}
    vcenter = next(c for c in open_ if c["file_name"] == "vcenter_export.csv")
    [vcenter_import] = [r["id"] for r in await fetch(app_pool, t, "SELECT id FROM migration.data_imports"
                                                                  " WHERE file_name = 'vcenter_export.csv'")]

    with pytest.raises(ConflictReviewError, match="may not resolve conflicts"):
        await resolve_conflict(app_pool, e.ref, str(vcenter["id"]), "take", e.viewer_id)
    assert (await _cores(app_pool, t))[0] == 4

    result = await resolve_conflict(app_pool, e.ref, str(vcenter["id"])[:8], "take", e.owner_id, "vCenter is live")
    assert result["resolution"] == "took the imported value: vCenter is live"
    assert set(result["resolved"]) == {c["id"] for c in open_}  # one decision settles the column
    cores, lineage = await _cores(app_pool, t)
    assert cores == 8
    assert lineage["decided_by"] == str(e.owner_id) and lineage["conflict_id"] == str(vcenter["id"])
    assert "data_import_id" not in lineage
    assert await list_conflicts(app_pool, e.ref) == []
    settled = {c["id"]: c["resolution"] for c in await list_conflicts(app_pool, e.ref, include_resolved=True)}
    assert len(settled) == 2
    assert settled[next(c["id"] for c in open_ if c["file_name"] == "intake_sheet.csv")] == (
        f"settled with conflict {vcenter['id']}: took the imported value: vCenter is live")
    with pytest.raises(ConflictReviewError, match="resolved already"):
        await resolve_conflict(app_pool, e.ref, str(vcenter["id"]), "keep", e.owner_id)

    # a newer import of the first file disagrees again: the choice stays, the disagreement is a new conflict
    await _import(app_pool, t, "cmdb_export.csv", "4")
    assert (await _cores(app_pool, t))[0] == 8
    [again] = await list_conflicts(app_pool, e.ref)
    assert (again["kept_value"], again["incoming_value"]) == (8, 4)
    kept = await resolve_conflict(app_pool, e.ref, str(again["id"]), "keep", e.owner_id)
    assert kept["resolution"] == "kept the asset's value" and kept["resolved"] == [again["id"]]
    cores, lineage = await _cores(app_pool, t)
    assert cores == 8 and lineage["conflict_id"] == str(again["id"])  # the value still says where it came from
    assert lineage["chosen_from_import_id"] == str(vcenter_import) and "data_import_id" not in lineage


async def test_taking_an_os_brings_its_family_and_version_and_settles_their_conflicts(app_pool) -> None:
    e = await make_engagement(app_pool)
    t = RawTenant(e.ref.client_account_id, e.ref.id, e.owner_id)
    for file_name, os in (("cmdb_export.csv", "RHEL 8"), ("vcenter_export.csv", "Windows Server 2019")):
        records = _cleansed([cmdb(name="db01", host_name="db01", os=os)])
        await merge(app_pool, t, await add_import(app_pool, t, file_name, "generic", records))
    conflicts = {c["field"]: c for c in await list_conflicts(app_pool, e.ref)}
    assert set(conflicts) == {"operating_system", "os_family", "os_version"}
    taken = await resolve_conflict(app_pool, e.ref, str(conflicts["operating_system"]["id"]), "take", e.owner_id)
    assert set(taken["resolved"]) == {c["id"] for c in conflicts.values()}
    [asset] = await fetch(app_pool, t, "SELECT operating_system, os_family, os_version FROM migration.assets")
    assert tuple(asset) == ("Windows Server 2019", "windows", "2019")


async def test_an_external_id_merged_away_stays_its_assets_and_can_be_taken(app_pool) -> None:
    e = await make_engagement(app_pool)
    t = RawTenant(e.ref.client_account_id, e.ref.id, e.owner_id)
    for file_name, external_id, name in (("cmdb_export.csv", "CI-1", "web01"),
                                         ("intake_sheet.csv", "CI-9", "web01"),  # another id for web01: a conflict
                                         ("cmdb_update.csv", "CI-9", "web02")):  # CI-9 now names web01 (ADR-0007)
        records = _cleansed([cmdb(externalid=external_id, name=name, host_name=name)])
        await merge(app_pool, t, await add_import(app_pool, t, file_name, "generic", records))
    disputed = {c["field"]: c for c in await list_conflicts(app_pool, e.ref)}
    assert (disputed["external_id"]["asset_name"], disputed["external_id"]["kept_value"],
            disputed["external_id"]["incoming_value"]) == ("web01", "CI-1", "CI-9")
    assert disputed["hostname"]["incoming_value"] == "web02", "the record CI-9 names went to web01"
    await resolve_conflict(app_pool, e.ref, str(disputed["external_id"]["id"]), "take", e.owner_id)
    [web01] = await fetch(app_pool, t, "SELECT external_id FROM migration.assets")
    assert web01["external_id"] == "CI-9"


async def test_unknown_or_malformed_conflict_ids_are_refused(app_pool) -> None:
    e = await make_engagement(app_pool)
    with pytest.raises(ConflictReviewError, match="no conflict"):
        await resolve_conflict(app_pool, e.ref, "00000000", "keep", e.owner_id)
    with pytest.raises(ConflictReviewError, match="not a conflict id"):
        await resolve_conflict(app_pool, e.ref, "abc", "keep", e.owner_id)
    with pytest.raises(ConflictReviewError, match="not a conflict id"):
        await resolve_conflict(app_pool, e.ref, "'; DROP TABLE x; --", "keep", e.owner_id)


async def test_two_assets_one_record_matched_can_only_be_kept_apart(app_pool) -> None:
    e = await make_engagement(app_pool)
    t = RawTenant(e.ref.client_account_id, e.ref.id, e.owner_id)
    first = _cleansed([cmdb(name="web01", host_name="web01"), cmdb(name="appliance-7", ip_address="10.0.0.5")])
    await merge(app_pool, t, await add_import(app_pool, t, "cmdb_export.csv", "generic", first))
    second = _cleansed([cmdb(name="web01", host_name="web01", ip_address="10.0.0.5")])  # host says one, IP the other
    await merge(app_pool, t, await add_import(app_pool, t, "scan.csv", "generic", second))
    [both] = [c for c in await list_conflicts(app_pool, e.ref) if c["field"] == "asset"]
    assert (both["asset_name"], both["other_asset_name"]) == ("web01", "appliance-7")
    with pytest.raises(ConflictReviewError, match="can only be kept apart"):
        await resolve_conflict(app_pool, e.ref, str(both["id"]), "take", e.owner_id)
    kept = await resolve_conflict(app_pool, e.ref, str(both["id"]), "keep", e.owner_id, "different machines")
    assert kept["resolved"] == [both["id"]] and kept["resolution"] == "kept the assets apart: different machines"


async def test_a_decision_outlives_a_later_dated_higher_ranked_import(app_pool) -> None:
    e = await make_engagement(app_pool)
    t = RawTenant(e.ref.client_account_id, e.ref.id, e.owner_id)
    headers = ["name", "Host Name", "cpu_core_count", "ram", "Last Discovered"]

    async def imported(file_name: str, source_format: str, cores: str, ram: str, seen: str) -> None:
        records = _cleansed([_row(headers, name="web01", host_name="web01", cpu_core_count=cores, ram=ram,
                                  last_discovered=seen)])
        await merge(app_pool, t, await add_import(app_pool, t, file_name, source_format, records))

    await imported("cmdb_ci_server.csv", "servicenow_cmdb_ci", "4", "8", "2024-05-01")
    await imported("intake.csv", "aws_cmf", "2", "4", "2024-01-01")  # older, lower-ranked: kept out
    [intake] = [c for c in await list_conflicts(app_pool, e.ref) if c["field"] == "cpu_cores"]
    await resolve_conflict(app_pool, e.ref, str(intake["id"]), "take", e.owner_id, "counted on site")

    await imported("RVTools_tabvInfo.csv", "rvtools_vinfo", "16", "32", "2024-06-01")
    [asset] = await fetch(app_pool, t, "SELECT cpu_cores, memory_gb FROM migration.assets")
    assert asset["memory_gb"] == 32, "the later-dated, higher-ranked record replaces what nobody decided"
    assert asset["cpu_cores"] == 2, "but not a person's decision"
    [again] = [c for c in await list_conflicts(app_pool, e.ref) if c["field"] == "cpu_cores"]
    assert (again["kept_value"], again["incoming_value"], again["file_name"]) == (2, 16, "RVTools_tabvInfo.csv")
