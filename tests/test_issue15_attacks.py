"""Issue 15's commands attacked as people run them (`starter.py` under their own login, the real PostgreSQL):
settings beyond the calendar, a person of another engagement, a plan edit with many warnings, and business-case
assumptions that are not numbers. Each ends in one line, or a bounded list, and changes nothing it refuses."""

# ruff: noqa: F811  (the fixtures `planned` and `engagement` come from the tests of these commands)
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.planning import PlanningActivities
from db.bootstrap import bootstrap
from db.plan_review import PROBLEMS_SHOWN, export_plan
from db.pool import tenant_transaction
from tests.conftest import APP_PASSWORD, OWNER_PASSWORD, give_login, make_engagement
from tests.flow_helpers import rows
from tests.test_costs_cli import (
    engagement,  # noqa: F401  (the fixture)
    settings_of,
)
from tests.test_costs_cli import one_line_error as costs_error
from tests.test_plan_review import read_csv, run_cli
from tests.test_plan_settings_cli import (
    SETTINGS_QUERY,
    awaiting_planning_approval,
    checksums,
    one_line_error,
    planned,  # noqa: F401  (the fixture)
)
from tests.test_planning_phase import phase_step

BEYOND_THE_CALENDAR = ["wave_length_days=2147483647", "wave_length_days=999999999", "start_date=9999-12-31",
                       "blackout_periods=2027-01-01..9999-12-31"]


@pytest.mark.parametrize("assignment", BEYOND_THE_CALENDAR)
async def test_settings_without_room_for_a_wave_are_refused_in_one_line(app_pool, planned, assignment) -> None:
    """They were stored, and every later preview, replan, import and planning run failed on them (the first
    two as an internal error)."""
    before = await rows(app_pool, planned.engagement.ref, SETTINGS_QUERY)
    error = one_line_error(planned.run(planned.owner, "settings", "set", planned.ident, assignment))
    assert "calendar's last day" in error, error
    assert await rows(app_pool, planned.engagement.ref, SETTINGS_QUERY) == before


@pytest.mark.parametrize("assignment", BEYOND_THE_CALENDAR)
async def test_a_preview_beyond_the_calendar_is_one_line(planned, assignment) -> None:
    error = one_line_error(planned.run(planned.viewer, "preview", planned.ident, "--set", assignment))
    assert "calendar's last day" in error, error


async def test_planning_with_stored_settings_beyond_the_calendar_fails_for_good(app_pool, planned) -> None:
    """Settings written before the check (or by hand): the planning step refuses them as bad input, which is not
    retried (an OverflowError was retried as a transient failure)."""
    ref = planned.engagement.ref
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET settings = settings || $2 WHERE id = $1", ref.id,
                           {"wave_length_days": 2147483647, "overlap_days": 0})
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, planned.step)
    assert refused.value.non_retryable and "calendar's last day" in str(refused.value)
    await awaiting_planning_approval(app_pool, planned.step)
    for argv in (("preview", planned.ident), ("replan", planned.ident)):
        assert "calendar's last day" in one_line_error(planned.run(planned.owner, *argv))


async def test_a_person_of_another_engagement_sees_none_of_this_one(app_pool, migrated_db, planned) -> None:
    ref = planned.engagement.ref
    other = await make_engagement(app_pool)
    stranger = await give_login(migrated_db, other.owner_id)
    await awaiting_planning_approval(app_pool, planned.step)
    before = await checksums(app_pool, ref)
    for argv in (("settings", "show", planned.ident), ("settings", "set", planned.ident, "max_assets=1"),
                 ("preview", planned.ident, "--set", "max_assets=1"), ("replan", planned.ident),
                 ("export", planned.ident, "--out", str(planned.data_dir / "stolen.csv"))):
        assert one_line_error(planned.run(stranger, *argv)) == f"no engagement {planned.ident!r}", argv
    assert not (planned.data_dir / "stolen.csv").exists()
    assert await checksums(app_pool, ref) == before


async def test_an_applied_plan_lists_its_first_warnings_then_how_many_more(app_pool, migrated_db, tmp_path) -> None:
    """Every warning was printed: 127,131 lines for a plan of 100,000 assets."""
    made = await make_engagement(app_pool)
    ref, ties = made.ref, PROBLEMS_SHOWN + 10
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET start_date = '2027-01-04', settings = settings || $2 "
                           "WHERE id = $1", ref.id, {"pilot_size": 0})
        old = uuid.uuid4()
        await conn.execute("INSERT INTO migration.assets (id, client_account_id, engagement_id, name, environment, "
                           "six_r_strategy) VALUES ($1, $2, $3, 'old-01', 'production', 'retire')",
                           old, ref.client_account_id, ref.id)
        for n in range(ties):
            asset = uuid.uuid4()
            await conn.execute("INSERT INTO migration.assets (id, client_account_id, engagement_id, name, environment, "
                               "six_r_strategy) VALUES ($1, $2, $3, $4, 'production', 'rehost')",
                               asset, ref.client_account_id, ref.id, f"app-{n:02d}")
            await conn.execute("INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, "
                               "source_asset_id, target_asset_id, dependency_type, strength) "
                               "VALUES ($1, $2, $3, $4, 'runs_on', 'hard')", ref.client_account_id, ref.id, asset, old)
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, await phase_step(app_pool, ref, "planning"))
    plan = tmp_path / "plan.csv"
    await export_plan(app_pool, ref, plan, "csv")
    assert len(read_csv(plan)) == ties + 1
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    result = run_cli(migrated_db, data_dir, await give_login(migrated_db, made.owner_id), "import", str(ref.id),
                     str(plan))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("plan applied:")
    assert sum(line.startswith("  warning: left_behind") for line in lines) == PROBLEMS_SHOWN, result.stdout
    assert lines[-1] == "  … and 10 more warnings (--json lists them)", lines[-1]


@pytest.mark.parametrize("value", ["inf", "nan", "-Infinity"])
async def test_an_assumption_that_is_no_number_is_one_line_and_changes_nothing(app_pool, engagement, value) -> None:
    """`hardware_price_per_core=inf` reached PostgreSQL, which refused its JSON in two lines."""
    made, run, owner, _ = engagement
    before = await settings_of(app_pool, made)
    error = costs_error(await run(owner, "set", str(made.ref.id), f"hardware_price_per_core={value}"))
    assert error.startswith("hardware_price_per_core: Input should be a finite number"), error
    assert await settings_of(app_pool, made) == before


async def test_a_person_of_another_engagement_may_not_read_or_set_its_assumptions(app_pool, migrated_db,
                                                                                  engagement) -> None:
    made, run, _, _ = engagement
    stranger = await give_login(migrated_db, (await make_engagement(app_pool)).owner_id)
    before = await settings_of(app_pool, made)
    for argv in (("show", str(made.ref.id)), ("set", str(made.ref.id), "pue=1.2")):
        assert costs_error(await run(stranger, *argv)) == f"no engagement {str(made.ref.id)!r}", argv
    assert await settings_of(app_pool, made) == before


async def test_commands_started_together_on_the_embedded_stack_do_not_fail_each_other(migrated_db) -> None:
    """Every command on the embedded stack bootstraps the roles (re-keying migration_owner); `plan replan`, `plan
    import` and `plan preview` started together failed with 'tuple concurrently updated', and the server's log
    kept the statement with the owner's password."""
    for _ in range(3):
        await asyncio.gather(*(bootstrap(migrated_db.superuser_url, migrated_db.name, OWNER_PASSWORD, APP_PASSWORD)
                               for _ in range(8)))


async def test_show_lists_blackout_periods_as_they_are_typed(planned) -> None:
    """They were shown as {'start': '2027-12-20', 'end': '2028-01-03'}, which `set` does not read back."""
    typed = "2027-12-20..2028-01-03, 2028-04-14..2028-04-14"
    assert planned.run(planned.owner, "settings", "set", planned.ident, f"blackout_periods={typed}").returncode == 0
    table = planned.run(planned.viewer, "settings", "show", planned.ident)
    assert table.returncode == 0 and typed in table.stdout, table.stdout
    listed = json.loads(planned.run(planned.viewer, "settings", "show", planned.ident, "--json").stdout)
    assert next(s for s in listed if s["name"] == "blackout_periods")["value"] == typed.split(", ")
    again = planned.run(planned.owner, "settings", "set", planned.ident, f"blackout_periods={typed}")
    assert again.returncode == 0, again.stderr
