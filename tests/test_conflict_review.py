"""A person settles merge conflicts: keep the asset's value or take the imported one, by role, once.

Records come from real cleansing and the real merge (`tests/test_inventory_merge.py` helpers): two
files disagree about a server's cores, the person takes one file's value, the asset changes, its
lineage names the decision, and a later import of the first file cannot replace the choice silently.
"""

from __future__ import annotations

import pytest

from db.conflict_review import ConflictReviewError, list_conflicts, resolve_conflict
from tests.conftest import RawTenant, make_engagement
from tests.test_inventory_merge import _cleansed, add_import, cmdb, fetch, merge

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
    assert len(await list_conflicts(app_pool, e.ref, include_resolved=True)) == 2
    with pytest.raises(ConflictReviewError, match="resolved already"):
        await resolve_conflict(app_pool, e.ref, str(vcenter["id"]), "keep", e.owner_id)

    # a newer import of the first file disagrees again: the choice stays, the disagreement is a new conflict
    await _import(app_pool, t, "cmdb_export.csv", "4")
    assert (await _cores(app_pool, t))[0] == 8
    [again] = await list_conflicts(app_pool, e.ref)
    assert (again["kept_value"], again["incoming_value"]) == (8, 4)
    kept = await resolve_conflict(app_pool, e.ref, str(again["id"]), "keep", e.owner_id)
    assert kept["resolution"] == "kept the asset's value" and kept["resolved"] == [again["id"]]
    assert (await _cores(app_pool, t))[0] == 8


async def test_unknown_or_malformed_conflict_ids_are_refused(app_pool) -> None:
    e = await make_engagement(app_pool)
    with pytest.raises(ConflictReviewError, match="no conflict"):
        await resolve_conflict(app_pool, e.ref, "00000000", "keep", e.owner_id)
    with pytest.raises(ConflictReviewError, match="not a conflict id"):
        await resolve_conflict(app_pool, e.ref, "abc", "keep", e.owner_id)
    with pytest.raises(ConflictReviewError, match="not a conflict id"):
        await resolve_conflict(app_pool, e.ref, "'; DROP TABLE x; --", "keep", e.owner_id)
