"""No cell length can break an index (issue 13, ADR-0016): long values in every column that feeds a key
(external id, hostname, name, header, application) or an outcome table of cleansing are kept whole, a
re-import finds them again, and the import ends `completed`.

Values are random letters and digits: PostgreSQL compresses an index entry first, so a repeated
character would fit where a real 3 KB value did not ("index row size 3032 exceeds ... maximum 2704").
"""

from __future__ import annotations

import csv
import random
import string
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.assessment import AssessmentActivities
from db.pool import tenant_transaction
from domain.discovery.field_mapping import normalise_header
from domain.discovery.readers import MAX_CELL_CHARS
from domain.flow_contracts import MappingCorrection, MappingReviewRequest
from tests.conftest import make_engagement
from tests.discovery_harness import rows, run_discovery, stage_and_map
from tests.test_assessment_phase import assessment_step

pytestmark = pytest.mark.asyncio(loop_scope="session")

LETTERS = string.ascii_letters + string.digits


def text(length: int, seed: int) -> str:
    """`length` random letters and digits (they do not compress)."""
    return "".join(random.Random(seed).choices(LETTERS, k=length))


HEADER_3K = "Note " + text(3000, 1)
HEADER = ["Asset ID", "Hostname", "Server Name", "Serial Number", "Operating System", "OS Version", "Application",
          "Owner", "Tags", "Notes", HEADER_3K]


def write_csv(path: Path, records: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header, restval="")
        writer.writeheader()
        writer.writerows(records)
    return path


def server(i: int, **cells: str) -> dict[str, str]:
    return {"Asset ID": f"A-{i}", "Hostname": f"web{i:02d}", "Server Name": f"web{i:02d}", "Serial Number": f"SN{i}",
            "Operating System": "Red Hat Enterprise Linux", "OS Version": "9", "Application": "billing",
            "Owner": "Ann", "Tags": "env:prod", "Notes": "ok", **cells}


async def imported(pool, ref) -> list[str]:
    return [r["status"] for r in await rows(pool, ref, "SELECT status FROM migration.data_imports ORDER BY created_at")]


async def test_3kb_cells_in_indexed_and_cleansed_columns_are_kept_and_found_again(app_pool, tmp_path) -> None:
    ext, host, name, serial = text(3000, 2), text(10_000, 3), text(3000, 4), text(3000, 5)
    owner, os_name, tag, note, custom = text(3000, 6), text(3000, 7), text(3000, 8), text(3000, 9), text(3000, 10)
    application = text(3000, 11)
    records = [
        server(1),
        # cleansing changes every padded or non-ASCII cell: those go through its outcome tables
        server(2, **{"Asset ID": ext, "Hostname": host, "Server Name": name, "Serial Number": f" {serial} ",
                     "Operating System": f" {os_name} ", "OS Version": text(3000, 12), "Application": application,
                     "Owner": f" {owner}é ", "Tags": f"k:{tag}", "Notes": f"  {note}  ", HEADER_3K: f" {custom} "}),
        # a name alone (no id, no hostname): its natural key is the 3 KB name
        server(3, **{"Asset ID": "", "Hostname": "", "Server Name": text(3000, 13)}),
    ]
    path = write_csv(tmp_path / "long.csv", records)
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [path], reviewer=e.owner_id)
    assert await imported(app_pool, e.ref) == ["completed"]

    [asset] = await rows(app_pool, e.ref, "SELECT * FROM migration.assets WHERE external_id = $1", ext)
    assert (asset["hostname"], asset["name"], asset["serial_number"], asset["application_name"]) == (
        host, name, serial, application)
    assert asset["natural_key"] == f"ext:{ext}"
    assert asset["custom_attributes"][HEADER_3K] == custom
    assert asset["tags"] == {"k": tag}
    assert f"{owner}é" in (asset["technical_owner"], asset["business_owner"], asset["custom_attributes"].get("Owner"))
    assert await rows(app_pool, e.ref, "SELECT asset_id FROM migration.asset_external_ids WHERE external_id = $1",
                      ext) == [{"asset_id": asset["id"]}]
    assert await rows(app_pool, e.ref, "SELECT count(*) AS n FROM migration.assets") == [{"n": 3}]
    [mapping] = await rows(app_pool, e.ref, "SELECT source_field FROM migration.import_field_mappings"
                                            " WHERE source_field = $1", HEADER_3K)
    assert mapping["source_field"] == HEADER_3K

    # the same file again: every record finds its asset by its long keys, none is added
    await run_discovery(app_pool, e.ref, [path], reviewer=e.owner_id)
    assert await imported(app_pool, e.ref) == ["completed", "completed"]
    assert await rows(app_pool, e.ref, "SELECT count(*) AS n FROM migration.assets") == [{"n": 3}]
    assert await rows(app_pool, e.ref, "SELECT count(*) AS n FROM migration.asset_merge_conflicts") == [{"n": 0}]


async def test_cells_up_to_the_limit_are_kept_and_longer_ones_quarantine_their_row(app_pool, tmp_path) -> None:
    longest = MAX_CELL_CHARS - 2  # padded with a space each side: the cell is exactly at the limit
    ext, host, note = text(longest, 20), text(longest, 21), text(longest, 22)
    records = [
        server(1, **{"Asset ID": f" {ext} "}),
        server(2, **{"Hostname": f" {host} "}),
        server(3, **{"Notes": f" {note} "}),
        server(4, **{"Asset ID": text(10_000_000, 23)}),  # 10 MB
        server(5, **{"Notes": text(10_000_000, 24)}),
        server(6),
    ]
    e = await make_engagement(app_pool)
    path = write_csv(tmp_path / "huge.csv", records, HEADER[:-1])
    await run_discovery(app_pool, e.ref, [path], reviewer=e.owner_id)
    assert await imported(app_pool, e.ref) == ["completed"]

    kept = await rows(app_pool, e.ref, "SELECT source_row_number AS row, (external_id = $1) IS TRUE AS ext,"
                                       " (hostname = $2) IS TRUE AS host,"
                                       " ($3 IN (description, custom_attributes ->> 'Notes')) IS TRUE AS note"
                                       " FROM migration.assets ORDER BY source_row_number", ext, host, note)
    assert [(r["row"], r["ext"], r["host"], r["note"]) for r in kept] == [
        (1, True, False, False), (2, False, True, False), (3, False, False, True), (6, False, False, False)]
    quarantined = await rows(app_pool, e.ref, "SELECT row_number, validation_errors::text AS why"
                                              " FROM migration.raw_import_records WHERE status = 'quarantined'"
                                              " ORDER BY row_number")
    assert [r["row_number"] for r in quarantined] == [4, 5]
    assert "Asset ID" in quarantined[0]["why"] and "Notes" in quarantined[1]["why"]


async def test_a_long_header_is_learned_and_a_long_application_assessed(app_pool, tmp_path) -> None:
    header = "Kennung " + text(3000, 30)
    path = write_csv(tmp_path / "kennung.csv", [{header: "app-01", "CPU Cores": "4"}, {header: "db-01", "CPU Cores": "8"}],
                     [header, "CPU Cores"])
    for _ in range(2):  # two engagements deciding the same: the shared pattern gets a second vote
        e = await make_engagement(app_pool, learning_scope="global")
        stage = await stage_and_map(app_pool, e.ref, [path])
        status = await stage.review(MappingReviewRequest(
            client_account_id=e.ref.client_account_id, user=e.owner_id, accept_remaining=True,
            corrections=(MappingCorrection(source_field=header, target_field="name"),)))
        assert status.complete and status.learned >= 1
        [mapping] = await rows(app_pool, e.ref, "SELECT target_field, source FROM migration.import_field_mappings"
                                                " WHERE source_field = $1", header)
        assert (mapping["target_field"], mapping["source"]) == ("name", "user")
    key = normalise_header(header)
    assert await rows(app_pool, e.ref, "SELECT count(*) AS n FROM migration.agent_learning_patterns"
                                       " WHERE pattern_key = $1", key) == [{"n": 1}]
    assert await rows(app_pool, e.ref, "SELECT votes FROM migration.shared_mapping_patterns"
                                       " WHERE pattern_key = $1 AND target_field = 'name'", key) == [{"votes": 2}]

    application = text(3000, 31)
    e = await make_engagement(app_pool)
    apps = write_csv(tmp_path / "apps.csv", [server(1, Application=application), server(2, Application=application)])
    await run_discovery(app_pool, e.ref, [apps], reviewer=e.owner_id)
    activities = AssessmentActivities(app_pool)
    async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:  # discovery is over
        await conn.execute("UPDATE migration.crewai_flow_state_extensions SET status = 'completed', completed_at = now()")
    step = await assessment_step(app_pool, e.ref)
    for _ in range(2):  # the second run updates the assessment it finds by the long name
        await ActivityEnvironment().run(activities.recommend_strategies, step)
    assert await rows(app_pool, e.ref, "SELECT application_name = $1 AS same, asset_count"
                                       " FROM migration.application_assessments", application) == [
        {"same": True, "asset_count": 2}]
