"""`costs assumptions show|set` against the real PostgreSQL, run as people do (`starter.py` under their own
login): the engagement's values with their sources, changes kept in `settings.business_case` beside the other
settings, a reset, and every refusal (bad key, bad value, a viewer) in one line that changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import asyncpg
import pytest

from domain.assessment.assumptions import bundled_assumptions
from tests.conftest import TestDatabase, give_login, make_engagement
from tests.flow_helpers import rows, run_starter

SETTINGS_QUERY = "SELECT settings FROM migration.engagements"


@pytest.fixture
async def engagement(app_pool: asyncpg.Pool, migrated_db: TestDatabase, tmp_path: Path):
    made = await make_engagement(app_pool)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    owner = await give_login(migrated_db, made.owner_id)
    viewer = await give_login(migrated_db, made.viewer_id)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=migrated_db.app_url, MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING")

    async def run(login, *argv: str) -> tuple[int, str, str]:
        return await run_starter(env | login, "costs", "assumptions", *argv)

    return made, run, owner, viewer


def one_line_error(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 1 and out == "" and err.count("\n") == 1, result
    return err.removeprefix("error: ").rstrip("\n")


async def settings_of(pool: asyncpg.Pool, made) -> dict:
    return (await rows(pool, made.ref, SETTINGS_QUERY))[0]["settings"]


async def test_show_set_and_reset(app_pool: asyncpg.Pool, engagement) -> None:
    made, run, owner, viewer = engagement
    ident = str(made.ref.id)
    code, out, err = await run(viewer, "show", ident, "--json")  # a viewer reads them
    assert code == 0, err
    listed = json.loads(out)
    assert [row["key"] for row in listed] == list(bundled_assumptions().assumptions)
    pue = next(row for row in listed if row["key"] == "pue")
    assert pue == {"key": "pue", "value": 1.56, "default": 1.56, "unit": "facility power / IT power",
                   "as_of": "2024-07-15", "overridden": False,
                   "source": "Uptime Institute Global Data Center Survey 2024: average annual PUE 1.56"}

    code, out, err = await run(owner, "set", ident, "pue=1.4", "byol=yes", "cloud_pricing_term=3y")
    assert code == 0, err
    assert out.splitlines() == [f"{made.ref.name}: pue = 1.4, cloud_pricing_term = 3y, byol = true",
                                           "the costs change when the assessment runs again"]
    settings = await settings_of(app_pool, made)
    assert settings["business_case"] == {"pue": 1.4, "byol": True, "cloud_pricing_term": "3y"}
    assert settings["execution"]["honour_planned_dates"] is False  # the other settings are kept

    code, out, _ = await run(owner, "show", ident)
    assert code == 0 and "engagement (default 1.56)" in out

    code, out, _ = await run(owner, "set", ident, "pue=")
    assert code == 0 and out.startswith(f"{made.ref.name}: pue = 1.56 (the default)")
    assert (await settings_of(app_pool, made))["business_case"] == {"byol": True, "cloud_pricing_term": "3y"}


@pytest.mark.parametrize(("argv", "message"), [
    (("nope=1",), "unknown assumption 'nope'; `costs assumptions show` lists them"),
    (("pue=abc",), "pue: Input should be a valid number, unable to parse string as a number (got 'abc'); "
                   "allowed: number >= 1 and <= 4"),
    (("cloud_pricing_term=5y",), "cloud_pricing_term: Input should be 'payg', '1y' or '3y' (got '5y'); "
                                 "allowed: one of payg, 1y, 3y"),
    (("pue",), "'pue': give assumptions as key=value (key= goes back to the default)"),
])
async def test_a_bad_key_or_value_is_one_line_and_changes_nothing(app_pool: asyncpg.Pool, engagement, argv,
                                                                  message) -> None:
    made, run, owner, _ = engagement
    before = await settings_of(app_pool, made)
    assert one_line_error(await run(owner, "set", str(made.ref.id), "byol=true", *argv)) == message
    assert await settings_of(app_pool, made) == before


async def test_a_viewer_may_not_change_them(app_pool: asyncpg.Pool, engagement) -> None:
    made, run, _, viewer = engagement
    assert one_line_error(await run(viewer, "set", str(made.ref.id), "pue=1.4")) == (
        f"you may not change the business case of {made.ref.name!r} (role: viewer; allowed: owner, approver, "
        "contributor)")
    assert "business_case" not in await settings_of(app_pool, made)
