"""Hostile input to issue 15's pure parts: planning settings typed as text, the wave calendar, plan edits that
name move groups, and the business case's assumptions. Each must end in one bounded ValueError (or a row
problem), never an OverflowError, a message the size of the input, or costs that are not numbers."""

from __future__ import annotations

from datetime import date

import pytest

import domain.planning.planner as planner
from db.plan_review import plan_settings
from domain.assessment.assumptions import parse_assignments as parse_assumptions
from domain.assessment.assumptions import resolve
from domain.assessment.cost_model import estimate_cost
from domain.planning.model import PlanAsset, PlanEdge, PlanSettings
from domain.planning.plan_validation import MOVE_GROUP_CHARS, PlanEditRow, check_plan_edit
from domain.planning.planner import LAST_PLAN_DAY, plan_waves, wave_dates
from domain.settings_text import split_assignment

START = date(2027, 1, 4)


def settings(**values) -> PlanSettings:
    return PlanSettings(start_date=values.pop("start_date", START), **values)


# ------------------------------------------------------------------------------------------- the calendar
@pytest.mark.parametrize("length", [1_000_000_000, 2_147_483_647])
def test_a_wave_longer_than_the_calendar_is_a_value_error_not_an_overflow(length) -> None:
    """wave_length_days=2147483647 raised OverflowError, which the CLI called an internal error and the planning
    activity retried as a transient failure."""
    with pytest.raises(ValueError, match="calendar's last day"):
        wave_dates(1, settings(wave_length_days=length))


@pytest.mark.parametrize("blackout", ["2027-01-01..9999-12-31", "1000-01-01..9999-12-30"])
def test_a_blackout_to_the_calendar_end_is_one_value_error(blackout) -> None:
    asset = PlanAsset(id="a", name="web-01", environment="production", strategy="rehost")
    with pytest.raises(ValueError, match="calendar's last day"):
        plan_waves([asset], [], settings(blackout_periods=[blackout]))


def test_more_blackout_periods_than_allowed_are_refused_in_a_bounded_line() -> None:
    """10,000 periods were quoted whole: a 140 KB error line (1.4 MB for 100,000)."""
    periods = [f"2027-{1 + n % 12:02d}-{1 + n % 28:02d}" for n in range(100_000)]
    with pytest.raises(ValueError) as refused:
        plan_settings(START, {"blackout_periods": periods})
    message = str(refused.value)
    assert "blackout_periods" in message and "at most 200" in message
    assert len(message) < 400 and "\n" not in message


def test_a_huge_typed_value_is_refused_in_a_bounded_line() -> None:
    """A value of 100,000 digits was quoted whole in its refusal."""
    with pytest.raises(ValueError) as refused:
        split_assignment("max_assets=" + "9" * 100_000, PlanSettings)
    message = str(refused.value)
    assert message.startswith("max_assets: '999") and message.endswith("allowed: whole number ≥ 1")
    assert len(message) < 300


# ------------------------------------------------------------------------------------------- plan edits
PORTFOLIO = [PlanAsset(id=f"a{n}", name=f"app-{n}", application="billing" if n < 4 else "crm",
                       environment="production" if n % 2 else "test", strategy="rehost") for n in range(8)]


def _rows(plan, group_of=lambda asset_id: "", wave_of=None) -> list[PlanEditRow]:
    return [PlanEditRow(n, a, str(wave_of(a) if wave_of else p.wave), "", group_of(a))
            for n, (a, p) in enumerate(sorted(plan.placements.items()), start=2)]


def test_move_group_names_longer_than_kept_are_a_row_problem() -> None:
    """Two names sharing their first 100 characters arrive cut alike (db.plan_review keeps 100): they were
    silently one move group."""
    plan = plan_waves(PORTFOLIO, [], settings(pilot_size=0))
    long = "L" * MOVE_GROUP_CHARS
    edit = check_plan_edit(PORTFOLIO, [], settings(pilot_size=0),
                           _rows(plan, lambda a: long + "…" if a in ("a1", "a3") else ""), "test")
    assert edit.plan is None and len(edit.errors) == 2
    assert all(f"is longer than {MOVE_GROUP_CHARS} characters" in e for e in edit.errors), edit.errors
    exact = check_plan_edit(PORTFOLIO, [], settings(pilot_size=0),
                            _rows(plan, lambda a: long if a in ("a1", "a3") else ""), "test")
    assert exact.plan is not None, exact.errors


def test_ordinary_groups_of_both_phases_in_wave_0_are_refused() -> None:
    edges = [PlanEdge(source="a1", target="a3", strength="soft")]
    plan = plan_waves(PORTFOLIO, edges, settings(pilot_size=0))
    edit = check_plan_edit(PORTFOLIO, edges, settings(pilot_size=0), _rows(plan, wave_of=lambda a: 0), "test")
    assert edit.plan is None


# ------------------------------------------------------------------------------------------- business case
@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "nan"])
def test_an_infinite_assumption_is_refused_in_one_line(value) -> None:
    """`hardware_price_per_core=inf` reached PostgreSQL, which refused the JSON in two lines."""
    with pytest.raises(ValueError, match=r"^hardware_price_per_core: Input should be a finite number"):
        parse_assumptions([f"hardware_price_per_core={value}"], {})


def test_an_accepted_assumption_gives_a_cost_that_is_a_number() -> None:
    try:
        assumptions = resolve(parse_assumptions(["hardware_price_per_core=1e308", "admin_salary_year=1e308"], {}))
    except ValueError:
        return  # refused: as good as a number
    estimate = estimate_cost(strategy="rehost", cpu_cores=8, memory_gb=32, storage_gb=100, cpu_p95_pct=None,
                             current_monthly_cost=None, assumptions=assumptions)
    assert estimate.current_monthly is not None and estimate.current_monthly == estimate.current_monthly


# ------------------------------------------------------------------------------------------- the planner's work
def test_each_move_group_is_labelled_once_however_many_depend_on_it(monkeypatch) -> None:
    """A placement reason names the group its group depends on; labelling a group reads all its assets, so a
    group of 90,000 that 2,900 groups depend on took 80 s (max_assets=1 on 100,000 assets and 300,000 edges)."""
    labelled: list[str] = []

    def counted_label(group, assets):
        labelled.append(group.id)
        return group.id

    monkeypatch.setattr(planner, "group_label", counted_label)
    core = [PlanAsset(id=f"core{n}", name=f"core-{n}", application="core", environment="production",
                      strategy="rehost") for n in range(50)]
    users = [PlanAsset(id=f"user{n}", name=f"user-{n}", environment="production", strategy="rehost")
             for n in range(300)]
    edges = [PlanEdge(source=user.id, target="core0") for user in users]
    plan = plan_waves(core + users, edges, settings(max_assets=1, pilot_size=0, hub_fan_in_threshold=1000))
    assert len(plan.move_groups) == 301
    assert sorted(labelled) == sorted(group.id for group in plan.move_groups)


def test_parts_of_a_split_group_do_not_copy_all_its_reasons() -> None:
    """Each part of a group glued from thousands of applications copied all their names: splitting one of 63,000
    assets into single-asset groups took 92 s and 7.7 GB."""
    chain = [PlanAsset(id=f"c{n}", name=f"c-{n}", application=f"app-{n}", environment="production", strategy="rehost")
             for n in range(40)]
    edges = [PlanEdge(source=f"c{n}", target=f"c{n + 1}", strength="hard") for n in range(39)]
    plan = plan_waves(chain, edges, settings(pilot_size=0))
    assert len(plan.move_groups) == 1 and len(plan.move_groups[0].glued_by) >= 40
    edit = check_plan_edit(chain, edges, settings(pilot_size=0), _rows(plan, lambda a: f"solo-{a}"), "test")
    assert edit.plan is not None and len(edit.plan.move_groups) == 40
    assert max(len(group.glued_by) for group in edit.plan.move_groups) <= 6


def test_an_assumption_given_twice_is_refused() -> None:
    """`pue=1.5 pue=1.6` kept the second silently (`plan settings set` refuses a key given twice)."""
    with pytest.raises(ValueError, match="^pue is given twice$"):
        parse_assumptions(["pue=1.5", "byol=true", "pue=1.6"], {})


@pytest.mark.parametrize("start", [date(2999, 12, 25), date(9999, 6, 1)])
def test_no_plan_reaches_the_dates_the_report_cannot_draw(start) -> None:
    """A plan near 9999-12-31 was accepted, and the report's Gantt could not place ticks there ('until cannot be
    aware if dtstart is naive', or an OverflowError): a plan now ends by 2999-12-31."""
    with pytest.raises(ValueError, match="would end after 2999-12-31, the plan calendar's last day"):
        wave_dates(1, settings(start_date=start))


def test_the_report_draws_a_plan_at_the_plan_calendars_end() -> None:
    from reports.charts import wave_timeline
    from reports.model import WaveRow

    wave_timeline([WaveRow(0, "Wave 0", "foundation", "planned", date(2999, 12, 18), LAST_PLAN_DAY, 3, 1, 0.0, 1.0,
                           1.0, 0)])