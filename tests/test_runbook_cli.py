"""`runbook show|export|import|schema` as people run them, under their own logins, against the real PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
import yaml

from db.pool import tenant_transaction
from db.runbook_templates import PROBLEMS_SHOWN, RunbookImportError
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement

ROOT = Path(__file__).resolve().parents[1]


def run_cli(db: TestDatabase, data_dir: Path, login: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """`runbook ARGV` run under the person's `login` (`give_login`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=db.app_url, MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **login)
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), "runbook", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
async def engagement(app_pool: asyncpg.Pool) -> EngagementFixture:
    return await make_engagement(app_pool)


async def stored(pool: asyncpg.Pool, engagement: EngagementFixture) -> list[asyncpg.Record]:
    ref = engagement.ref
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetch("SELECT t.strategy, t.version, t.name, t.body, u.email FROM migration.runbook_templates t"
                                " JOIN migration.users u ON u.id = t.imported_by ORDER BY t.strategy, t.version")


async def test_export_edit_import_show(app_pool, engagement, migrated_db, tmp_path) -> None:
    owner = await give_login(migrated_db, engagement.owner_id)
    async with app_pool.acquire() as conn:
        owner_email = await conn.fetchval("SELECT email FROM migration.users WHERE id = $1", engagement.owner_id)
    data_dir, ident = tmp_path / "data", str(engagement.ref.id)
    exported = tmp_path / "rehost.yaml"

    result = run_cli(migrated_db, data_dir, owner, "export", ident, "--strategy", "rehost", "--output", str(exported))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"rehost: rehost-default (bundled default) written to {exported}\n"
    template = yaml.safe_load(exported.read_text())
    replication = template["groups"][1]["steps"]
    replication.insert(2, {"key": "tag_source", "title": "Tag the source server", "type": "automated",
                           "needs": ["replicate"], "executor": "dry_run", "params": {"note": "tag ${asset.name}"}})
    template["name"] = "rehost-acme"
    exported.write_text(yaml.safe_dump(template, sort_keys=False))

    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(exported), "--strategy", "rehost")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"rehost: rehost-acme imported as version 1 by {owner_email}; waves started from now "
                             "on run with it\n")
    [row] = await stored(app_pool, engagement)
    assert (row["strategy"], row["version"], row["name"], row["email"]) == ("rehost", 1, "rehost-acme", owner_email)
    assert row["body"]["groups"][1]["steps"][2]["key"] == "tag_source"

    result = run_cli(migrated_db, data_dir, owner, "show", ident, "--json")
    assert result.returncode == 0, result.stderr
    shown = {t["strategy"]: t for t in json.loads(result.stdout)["templates"]}
    assert set(shown) == {"rehost", "replatform", "refactor", "repurchase", "retire", "relocate", "rewrite"}
    rehost = shown["rehost"]
    assert (rehost["name"], rehost["version"], rehost["imported"], rehost["imported_by"]) == (
        "rehost-acme", 1, True, owner_email)
    tagged = next(s for s in rehost["steps"] if s["key"] == "tag_source")
    assert (tagged["group"], tagged["scope"], tagged["type"], tagged["needs"], tagged["position"]) == (
        "replication", "asset", "automated", ["replicate"], 3)
    assert shown["retire"]["imported"] is False and shown["retire"]["name"] == "retire-default"

    result = run_cli(migrated_db, data_dir, owner, "show", ident, "--strategy", "rehost")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"rehost: rehost-acme (imported version 1 by {owner_email} at ")
    assert "   4. tag_source [automated] group replication (asset) after replicate" in lines
    assert "   3. replicate [automated] group replication (asset) after pre_checks; rollback stop_replication" in lines

    # the export is now the imported version; a second import is version 2
    result = run_cli(migrated_db, data_dir, owner, "export", ident, "--strategy", "rehost", "--format", "json")
    assert result.returncode == 0, result.stderr
    again = json.loads(result.stdout)
    assert (again["name"], again["version"]) == ("rehost-acme", 1)
    (tmp_path / "again.json").write_text(result.stdout)
    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(tmp_path / "again.json"), "--strategy",
                     "rehost")
    assert result.returncode == 0, result.stderr
    assert [(r["version"], r["name"]) for r in await stored(app_pool, engagement)] == [(1, "rehost-acme"),
                                                                                       (2, "rehost-acme")]


async def test_a_bad_template_is_refused_with_every_problem_and_stores_nothing(app_pool, engagement, migrated_db,
                                                                              tmp_path) -> None:
    owner = await give_login(migrated_db, engagement.owner_id)
    data_dir, ident = tmp_path / "data", str(engagement.ref.id)
    result = run_cli(migrated_db, data_dir, owner, "export", ident, "--strategy", "retire")
    template = yaml.safe_load(result.stdout)
    steps = template["groups"][0]["steps"]
    steps[0]["executor"] = "ssh"
    del steps[1]["owner"]
    steps[2]["needs"] = ["shutdown"]
    bad = tmp_path / "retire.yaml"
    bad.write_text(yaml.safe_dump(template, sort_keys=False))

    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(bad), "--strategy", "rehost")
    assert result.returncode == 1 and result.stdout == "", result.stdout
    assert result.stderr.splitlines() == [
        "error: retire.yaml: the template was not imported; 4 problems:",
        "  - template: strategy: the file is a template for 'retire', imported as the rehost template (change the "
        "file's strategy or the --strategy given)",
        '  - step dns_removal: owner: a manual step names its owner: who does it, e.g. "application owner"',
        "  - step grace_period: its needs form a cycle: grace_period -> shutdown -> grace_period",
        "  - step backup: unknown executor 'ssh' (automated steps use one of command, dry_run, http)",
    ]
    bad.write_text("name: x\nsteps: !!python/object/apply:os.system ['echo owned']\n")
    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(bad), "--strategy", "retire")
    assert result.returncode == 1 and "owned" not in result.stdout
    assert result.stderr == ("error: retire.yaml: not valid YAML at line 2 column 8: the tag "
                             "tag:yaml.org,2002:python/object/apply:os.system is not allowed (plain YAML only)\n")

    del template["groups"][0]["steps"][0]["needs"]  # one problem left: one line
    template["groups"][0]["steps"] = [template["groups"][0]["steps"][0]]
    bad.write_text(yaml.safe_dump(template, sort_keys=False))
    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(bad), "--strategy", "retire")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == ("error: retire.yaml: the template was not imported: step backup: unknown executor 'ssh' "
                             "(automated steps use one of command, dry_run, http)\n")
    assert await stored(app_pool, engagement) == []


async def test_a_viewer_reads_but_may_not_import_and_a_non_member_sees_no_engagement(
        app_pool, engagement, migrated_db, tmp_path) -> None:
    viewer = await give_login(migrated_db, engagement.viewer_id)
    stranger = await give_login(migrated_db)
    data_dir, ident = tmp_path / "data", str(engagement.ref.id)
    template = tmp_path / "relocate.yaml"
    result = run_cli(migrated_db, data_dir, viewer, "export", ident, "--strategy", "relocate", "--output",
                     str(template))
    assert result.returncode == 0, result.stderr

    result = run_cli(migrated_db, data_dir, viewer, "import", ident, str(template), "--strategy", "relocate")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"error: you may not import runbook templates in {engagement.ref.name!r} (role: viewer; "
                             "allowed: owner, approver)\n")

    for argv in (("show", ident), ("export", ident, "--strategy", "relocate"),
                 ("import", ident, str(template), "--strategy", "relocate")):
        result = run_cli(migrated_db, data_dir, stranger, *argv)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr == f"error: no engagement {ident!r}\n", argv
    assert await stored(app_pool, engagement) == []


def test_an_export_names_a_file_it_writes(migrated_db, tmp_path) -> None:
    for argv, refusal in [
        (("--output", str(tmp_path / "rehost.txt")), "rehost.txt: give a .yaml, .yml or .json file name"),
        (("--output", str(tmp_path / "rehost.yaml"), "--format", "json"),
         "rehost.yaml: a yaml file name, but --format json was given"),
        (("--output", str(tmp_path / "gone" / "rehost.yaml")), f"{tmp_path / 'gone'}: no such folder"),
    ]:
        result = run_cli(migrated_db, tmp_path / "data", {}, "export", "acme/x", "--strategy", "rehost", *argv)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {refusal}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_schema_is_written_for_editors(migrated_db, tmp_path) -> None:
    target = tmp_path / "runbook.schema.json"
    result = run_cli(migrated_db, tmp_path / "data", {}, "schema", "--output", str(target))
    assert result.returncode == 0, result.stderr
    schema = json.loads(target.read_text())
    assert schema["title"] == "Runbook template" and "ManualStep" in schema["$defs"]
    result = run_cli(migrated_db, tmp_path / "data", {}, "schema", "--output", str(tmp_path / "schema.yaml"))
    assert result.returncode == 1 and result.stderr == "error: schema.yaml: give a .json file name\n"


def test_a_template_wrong_everywhere_is_refused_in_a_bounded_message() -> None:
    refusal = str(RunbookImportError("t.yaml: the template was not imported", [f"step n{i}: bad" for i in range(250)]))
    lines = refusal.splitlines()
    assert lines[0] == "t.yaml: the template was not imported; 250 problems:"
    assert lines[1:3] == ["  - step n0: bad", "  - step n1: bad"] and len(lines) == 1 + PROBLEMS_SHOWN + 1
    assert lines[-1] == f"  … and {250 - PROBLEMS_SHOWN} more"
