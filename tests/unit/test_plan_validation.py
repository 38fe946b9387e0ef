"""A person's edited plan checked by the planner's rules: errors refuse it, warnings travel with it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.planning.model import PlanAsset, PlanEdge, PlanSettings
from domain.planning.plan_validation import QUOTED_CHARS, PlanEdit, PlanEditRow, check_plan_edit

REASON = "set by alice@example.com in a plan import"
ASSETS = [
    PlanAsset(id="dev1", name="dev-app", environment="development", criticality="low"),
    PlanAsset(id="dev2", name="dev-db", environment="test", criticality="low"),
    PlanAsset(id="web", name="bill-web", application="billing", environment="production", criticality="medium"),
    PlanAsset(id="db", name="bill-db", application="billing", environment="production", criticality="medium"),
    PlanAsset(id="rpt", name="reports", environment="production", criticality="medium"),
    PlanAsset(id="x", name="x", environment="production"),
    PlanAsset(id="y", name="y", environment="production"),
    PlanAsset(id="z", name="z", environment="production"),
    PlanAsset(id="old", name="old-box", environment="production", strategy="retire"),
]
EDGES = [
    PlanEdge(source="dev1", target="dev2", strength="hard"),  # one non-production group
    PlanEdge(source="rpt", target="db"),  # soft: reports after billing
    PlanEdge(source="x", target="y"), PlanEdge(source="y", target="z"), PlanEdge(source="z", target="x"),  # a cycle
]
SETTINGS = PlanSettings(start_date=date(2027, 1, 4), max_assets=3, pilot_size=0, early_waves_excluding_high=0,
                        wave_length_days=14)
GOOD = {"dev1": "1", "dev2": "1", "web": "2", "db": "2", "rpt": "3", "x": "3", "y": "4", "z": "4", "old": ""}


def check(waves: dict[str, str], kinds: dict[str, str] | None = None) -> PlanEdit:
    rows = [PlanEditRow(n, asset_id, wave, (kinds or {}).get(asset_id, "")) for n, (asset_id, wave)
            in enumerate(waves.items(), start=1)]
    return check_plan_edit(ASSETS, EDGES, SETTINGS, rows, REASON)


def test_a_valid_edit_becomes_the_plan_with_its_warnings() -> None:
    edit = check(GOOD)
    assert edit.errors == ()
    plan = edit.plan
    assert plan is not None
    assert [(w.number, w.kind, w.asset_ids, str(w.start_date), str(w.end_date)) for w in plan.waves] == [
        (1, "non_production", ("dev1", "dev2"), "2027-01-04", "2027-01-17"),
        (2, "production", ("db", "web"), "2027-01-18", "2027-01-31"),
        (3, "production", ("rpt", "x"), "2027-02-01", "2027-02-14"),
        (4, "production", ("y", "z"), "2027-02-15", "2027-02-28"),
    ]
    assert {a: p.wave for a, p in plan.placements.items()} == {k: int(v) for k, v in GOOD.items() if v}
    assert {p.reason for p in plan.placements.values()} == {REASON}
    assert plan.not_migrated == {"old": "strategy retire: decommissioned, not migrated"}
    # x -> y -> z -> x is a cycle: x in wave 3 before y in wave 4 breaks x -> y, which no plan avoids
    assert len(plan.ordering_cycles) == 1
    assert [v.rule for v in plan.violations] == ["dependency_order"]
    assert edit.warnings == (plan.violations[0].rule + ": " + plan.violations[0].detail,)
    assert "ordering cycle" in edit.warnings[0]


def test_caps_exceeded_are_warnings() -> None:
    edit = check({**GOOD, "rpt": "2"})  # three assets: at the cap, not over it
    assert edit.errors == () and not any(w.startswith("wave_cap") for w in edit.warnings)
    edit = check({**GOOD, "rpt": "2", "x": "2", "y": "2", "z": "2"})
    assert edit.errors == ()
    assert "wave_cap: wave 2 holds 6 assets, over max_assets = 3: a move group is never split" in edit.warnings


def test_the_pilot_is_wave_one_when_all_its_rows_say_so() -> None:
    edit = check(GOOD, {"dev1": "pilot", "dev2": "Pilot"})
    assert edit.plan is not None and edit.plan.waves[0].kind == "pilot"


@pytest.mark.parametrize(("change", "kinds", "message"), [
    ({"ghost": "1"}, {}, "row 10: unknown asset 'ghost' (not an asset id of this engagement)"),
    ({"web": "2.5"}, {}, "row 3: the wave of asset 'bill-web' must be a whole number from 0 (the foundation) to 8 (the number "
                         "of migrating assets), not '2.5'"),
    ({"web": "two"}, {}, "must be a whole number from 0 (the foundation) to 8 (the number of migrating assets), not 'two'"),
    ({"web": "1.0"}, {}, "must be a whole number from 0 (the foundation) to 8 (the number of migrating assets), "
                         "not '1.0'"),
    ({"web": " "}, {}, "the wave of asset 'bill-web' must be a whole number from 0 (the foundation) to 8 (the number of "
                       "migrating assets), not empty"),
    ({"old": "3"}, {}, "row 9: asset 'old-box' is not migrated (strategy retire: decommissioned, not "
                       "migrated); leave its wave empty"),
    ({"db": "3"}, {}, "move group 'MG-0001' is split across waves 2, 3: its assets 'bill-db', 'bill-web' "
                      "move together (application 'billing'); to move some of them apart, give those a move group "
                      "of their own name"),
    ({"dev2": "2", "web": "3", "db": "3", "rpt": "4", "x": "4", "y": "5", "z": "5"}, {},
     "move group 'MG-0002' is split across waves 1, 2: its assets 'dev-app', 'dev-db' move "
     "together (hard dependencies: 1)"),
    ({"rpt": "1"}, {}, "wave 1 mixes non-production move groups (MG-0002) and production ones (MG-0003)"),
    ({"dev1": "3", "dev2": "3", "rpt": "4", "x": "4", "y": "4", "z": "4"}, {},
     "wave 3 holds non-production move groups after production wave 2: every non-production wave comes before"),
    ({"rpt": "2", "web": "3", "db": "3"}, {},
     "'reports' (wave 2, move group MG-0003) depends on 'bill-db' (wave 3, move group MG-0001): a "
     "dependency must move in the same or an earlier wave"),
    ({"rpt": "5", "x": "5", "y": "6", "z": "6"}, {}, "wave numbers must run from 1 without gaps; no asset is in "
                                                     "waves 3, 4"),
    ({}, {"web": "pilot", "db": "pilot"}, "only wave 1 can be the pilot; rows of wave 2 say pilot"),
    ({}, {"dev1": "pilot"}, "wave 1 is the pilot in 1 row but not in 1: mark all its rows pilot, or none"),
])
def test_each_invalid_edit_is_refused_with_its_message(change: dict[str, str], kinds: dict[str, str],
                                                       message: str) -> None:
    edit = check({**GOOD, **change}, kinds)
    assert edit.plan is None and edit.warnings == ()
    assert any(message in error for error in edit.errors), edit.errors


def test_a_duplicate_row_and_a_missing_asset_are_refused() -> None:
    rows = [PlanEditRow(n, a, w) for n, (a, w) in enumerate(GOOD.items(), start=2) if a != "rpt"]
    rows.append(PlanEditRow(20, "web", "2"))
    edit = check_plan_edit(ASSETS, EDGES, SETTINGS, rows, REASON)
    assert edit.errors == (
        "row 20: asset 'bill-web' appears again (first in row 4)",
        "1 migrating asset has no row, so no wave: 'reports'",
    )


# ----------------------------------------------------------------------------- no value of the file sizes the work
@pytest.mark.parametrize("wave", ["9", "2147483647", "99999999999999999999", str(10**18), "9" * 100_000, "-1", "+3",
                                  "1e3", "0x3", "\u0663", "3 4"])
def test_a_wave_past_the_number_of_migrating_assets_or_not_a_whole_number_is_refused_by_its_row(wave: str) -> None:
    edit = check({**GOOD, "web": wave, "db": wave})
    assert edit.plan is None
    message = next(error for error in edit.errors if error.startswith("row 3: "))
    assert "the wave of asset 'bill-web' must be a whole number from 0 (the foundation) to 8 (the number of migrating assets)" \
        in message
    assert len(message) < 200, message  # the cell is quoted in part


def test_leading_zeros_are_read_as_the_number() -> None:
    edit = check({**GOOD, "web": "0002", "db": "02"})
    assert edit.errors == () and edit.plan is not None and edit.plan.placements["web"].wave == 2


def many_assets(count: int) -> list[PlanAsset]:
    """`count` production assets without ties: each its own move group."""
    return [PlanAsset(id=f"a{n}", name=f"server-{n}", environment="production") for n in range(count)]


def test_a_gap_is_named_as_a_run_of_waves_however_wide() -> None:
    assets = many_assets(5000)
    rows = [PlanEditRow(n + 2, a.id, "1" if n == 0 else "5000") for n, a in enumerate(assets)]
    edit = check_plan_edit(assets, [], SETTINGS, rows, REASON)
    assert edit.errors == ("wave numbers must run from 1 without gaps; no asset is in waves 2-4999",)


def test_many_gaps_are_listed_in_part_with_a_count() -> None:
    assets = many_assets(5000)
    rows = [PlanEditRow(n + 2, a.id, str(2 * n + 1) if n < 2500 else "1") for n, a in enumerate(assets)]
    edit = check_plan_edit(assets, [], SETTINGS, rows, REASON)
    assert edit.errors == ("wave numbers must run from 1 without gaps; no asset is in waves 2, 4, 6, 8, 10 and "
                           "2,494 more",)


def test_a_group_split_across_many_waves_names_them_in_part() -> None:
    assets = [PlanAsset(id=f"a{n}", name=f"server-{n}", application="erp", environment="production")
              for n in range(40)]
    rows = [PlanEditRow(n + 2, a.id, str(n + 1 if n < 30 else 35 + n % 2)) for n, a in enumerate(assets)]
    (error,) = (e for e in check_plan_edit(assets, [], SETTINGS, rows, REASON).errors if "split" in e)
    assert error.startswith("move group 'MG-0001' is split across waves 1-30, 35, 36: its assets 'server-0', ")
    assert error.endswith(" and 35 more move together (application 'erp'); to move some of them apart, give those a "
                          "move group of their own name")


def test_long_cells_and_names_are_quoted_in_part() -> None:
    long_name = "n" * 100_000
    assets = [*ASSETS[:-1], PlanAsset(id="old", name=long_name, environment="production", strategy="retire")]
    rows = [PlanEditRow(n, a, w) for n, (a, w) in enumerate({**GOOD, "old": "1"}.items(), start=2)]
    rows += [PlanEditRow(20, "u" * 1_000_000, "1"), PlanEditRow(21, "web", "w" * 1_000_000)]
    edit = check_plan_edit(assets, EDGES, SETTINGS, rows, REASON)
    assert edit.plan is None
    assert edit.errors[0] == f"row 10: asset '{'n' * QUOTED_CHARS}…' is not migrated (strategy retire: " \
        "decommissioned, not migrated); leave its wave empty"
    assert edit.errors[1] == f"row 20: unknown asset '{'u' * QUOTED_CHARS}…' (not an asset id of this engagement)"
    assert edit.errors[2] == "row 21: asset 'bill-web' appears again (first in row 4)"
    assert max(map(len, edit.errors)) < 300


# ----------------------------------------------------------------------------- move groups named in the file
def check_groups(waves: dict[str, str], groups: dict[str, str]) -> PlanEdit:
    rows = [PlanEditRow(n, asset_id, wave, "", groups.get(asset_id, "")) for n, (asset_id, wave)
            in enumerate(waves.items(), start=2)]
    return check_plan_edit(ASSETS, EDGES, SETTINGS, rows, REASON)


def test_renaming_part_of_a_group_splits_it_and_says_which_ties_it_parts() -> None:
    edit = check_groups({**GOOD, "db": "3", "rpt": "3"}, {"db": "billing-db"})
    assert edit.errors == ()
    assert edit.plan is not None
    assert {g.id: g.asset_ids for g in edit.plan.move_groups}["billing-db"] == ("db",)
    assert {a: p.wave for a, p in edit.plan.placements.items()}["db"] == 3
    assert ("split_group: MG-0001 (billing: 2 assets, production) is split into 'MG-0001' (wave 2), 'billing-db' "
            "(wave 3): its ties (application 'billing') are parted while its parts move in different waves") \
        in edit.warnings


def test_a_renamed_part_in_the_same_wave_is_a_group_of_its_own_without_warning() -> None:
    edit = check_groups(GOOD, {"db": "billing-db"})
    assert edit.errors == () and not any(w.startswith("split_group") for w in edit.warnings)


def test_giving_two_groups_one_name_joins_them_into_one_wave() -> None:
    edit = check_groups({**GOOD, "rpt": "2"}, {"rpt": "MG-0001"})
    assert edit.errors == () and edit.plan is not None
    assert {g.id: g.asset_ids for g in edit.plan.move_groups}["MG-0001"] == ("db", "web", "rpt")
    refused = check_groups(GOOD, {"rpt": "MG-0001"})  # joined, but left in another wave
    assert refused.plan is None
    assert refused.errors[0].startswith("move group 'MG-0001' is split across waves 2, 3: its assets 'bill-db', "
                                        "'bill-web', 'reports' move together (application 'billing')")


def test_a_join_of_production_and_non_production_or_a_shared_service_name_is_refused() -> None:
    edit = check_groups({**GOOD, "dev1": "2", "dev2": "2"}, {"dev1": "MG-0001", "dev2": "MG-0001"})
    assert any(e.startswith("move group 'MG-0001' joins production and non-production assets (non-production: "
                            "'dev-app', 'dev-db')") for e in edit.errors), edit.errors
    edit = check_groups(GOOD, {"web": "SHARED-9"})
    assert edit.errors == ("row 4: move group 'SHARED-9' of asset 'bill-web': names starting SHARED- are the shared "
                           "services' own; choose another name",)


def test_a_split_that_puts_a_dependency_after_its_dependent_is_refused() -> None:
    edit = check_groups({**GOOD, "db": "4"}, {"db": "billing-db"})
    assert edit.plan is None
    assert edit.errors == ("'reports' (wave 3, move group MG-0003) depends on 'bill-db' (wave 4, move group MG-0001): "
                           "a dependency must move in the same or an earlier wave",)


def test_wave_zero_is_the_foundation_and_holds_only_what_the_rules_put_there() -> None:
    assets = [a.model_copy(update={"tags": ("landing_zone",)}) if a.id == "db" else a for a in ASSETS]
    waves = {**GOOD, "web": "0", "db": "0", "rpt": "2", "x": "2", "y": "3", "z": "3"}
    rows = [PlanEditRow(n, a, w) for n, (a, w) in enumerate(waves.items(), start=2)]
    edit = check_plan_edit(assets, EDGES, SETTINGS, rows, REASON)
    assert edit.errors == () and edit.plan is not None  # billing, tagged landing zone, is the foundation
    assert [(w.number, w.kind) for w in edit.plan.waves][:2] == [(0, "foundation"), (1, "non_production")]
    refused = check({**GOOD, "web": "0", "db": "0", "rpt": "2", "x": "2", "y": "3", "z": "3"})  # untagged
    assert refused.errors == ("move group 'MG-0001' is in wave 0, the foundation, with assets that are not part of "
                              "it ('bill-db', 'bill-web'): it holds the shared services, the assets tagged landing zone "
                              "and what the shared services have binding ties on; tag an asset landing_zone to put it "
                              "there",)
