"""The exported plan names assets, applications and move groups as people know them: no asset id anywhere but
in the key column `asset id` (CSV and the workbook's Plan sheet); violations list their assets by name and their
move groups with what they hold. The plan of tests/test_plan_review, with its left-behind tie stored as older plans
stored it (by asset id)."""

from __future__ import annotations

from pathlib import Path

from db.plan_review import export_plan
from db.pool import tenant_transaction
from domain.discovery.readers import open_tables
from domain.wording import UUID_TEXT
from tests.test_plan_review import planned, read_csv  # noqa: F401 - the fixture

KEY = "asset id"


async def _detail_by_ids(pool, engagement, ids) -> None:
    async with tenant_transaction(pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.plan_violations SET detail = $1 WHERE rule = 'left_behind'",
                           f"{ids['web-01']} is tied to {ids['keep-01']}, which stays")


async def test_exports_name_every_asset_outside_the_key_column(app_pool, planned, tmp_path: Path) -> None:  # noqa: F811
    engagement, ids = planned
    await _detail_by_ids(app_pool, engagement, ids)
    await export_plan(app_pool, engagement.ref, tmp_path / "plan.csv", "csv")
    table = read_csv(tmp_path / "plan.csv")
    assert all(UUID_TEXT.fullmatch(row[KEY]) for row in table)
    assert [cell for row in table for column, cell in row.items() if column != KEY and UUID_TEXT.search(cell)] == []

    await export_plan(app_pool, engagement.ref, tmp_path / "plan.xlsx", "xlsx")
    sheets = {sheet.name: sheet.next_batch(100) for sheet in open_tables(tmp_path / "plan.xlsx")}
    found = [(name, column, cell) for name, rows in sheets.items() for row in rows for column, cell in row.values.items()
             if not (name == "Plan" and column == KEY) and UUID_TEXT.search(cell)]
    assert found == []
    violations = {row.values["rule"]: row.values for row in sheets["Violations"]}
    assert violations["left_behind"]["detail"] == "web-01 is tied to keep-01, which stays"
    assert violations["left_behind"]["first assets"] == "keep-01 and web-01"
    [shop] = {group for group in violations["left_behind"]["move groups"].split("; ")}
    assert shop.startswith("MG-") and shop.endswith(" shop (production)")
    assert violations["ordering_cycle"]["move groups"] == f"{shop}; " + violations["ordering_cycle"][
        "move groups"].split("; ")[1] and " rpt-01 (production)" in violations["ordering_cycle"]["move groups"]

    await export_plan(app_pool, engagement.ref, tmp_path / "plan.md", "md")
    text = (tmp_path / "plan.md").read_text()
    assert UUID_TEXT.findall(text) == []
    assert (f"- **left behind**: web-01 is tied to keep-01, which stays (2 assets: keep-01 and web-01; move groups "
            f"{shop})") in text
