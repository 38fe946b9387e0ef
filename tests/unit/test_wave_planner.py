"""Wave planner rules on small hand-checked portfolios (the rules are listed in domain/planning/planner.py)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from domain.assessment.effort import EFFORT_DAYS
from domain.planning.model import PlanAsset, PlanEdge, PlanSettings, WavePlan
from domain.planning.planner import plan_waves
from domain.vocabulary import SIX_R_STRATEGIES

START = date(2027, 1, 4)


def asset(asset_id: str, **facts: object) -> PlanAsset:
    """A production asset of medium criticality unless told otherwise."""
    return PlanAsset(id=asset_id, **{"environment": "production", "criticality": "medium", **facts})


def pilot_ready(asset_id: str, **facts: object) -> PlanAsset:
    return asset(asset_id, **{"criticality": "low", "risk_score": 10.0, "complexity_score": 20.0, **facts})


def edge(source: str, target: str, **kind: str) -> PlanEdge:
    return PlanEdge(source=source, target=target, **kind)


def settings(**values: object) -> PlanSettings:
    return PlanSettings(**{"start_date": START, "pilot_size": 0, "early_waves_excluding_high": 0, **values})


def wave_of(plan: WavePlan) -> dict[str, int]:
    return {asset_id: placement.wave for asset_id, placement in plan.placements.items()}


def rules(plan: WavePlan) -> list[str]:
    return [v.rule for v in plan.violations]


def test_binding_ties_glue_move_groups_and_one_way_soft_dependencies_do_not() -> None:
    assets = [asset(a) for a in ("web", "app", "db", "vm", "host", "n1", "n2", "api", "cli")]
    assets += [asset("b1", application="billing"), asset("b2", application="billing")]
    edges = [
        edge("web", "app", strength="hard"),
        edge("app", "db", strength="hard"),
        edge("vm", "host", dependency_type="runs_on"),
        edge("n1", "n2", dependency_type="member_of"),
        edge("api", "cli"), edge("cli", "api"),  # soft both ways: chatty, they move together
        edge("b1", "db"),  # soft one way: orders, does not glue
    ]
    plan = plan_waves(assets, edges, settings(max_assets=100))
    groups = {g.asset_ids: g.glued_by for g in plan.move_groups}
    assert groups == {
        ("app", "db", "web"): ("hard dependencies: 2",),
        ("api", "cli"): ("two-way dependencies: 2",),
        ("b1", "b2"): ("application 'billing'",),
        ("host", "vm"): ("runs_on relations: 1",),
        ("n1", "n2"): ("member_of relations: 1",),
    }
    assert [g.id for g in plan.move_groups] == ["MG-0001", "MG-0002", "MG-0003", "MG-0004", "MG-0005"]
    assert plan.violations == ()


def test_shared_services_are_detached_by_tag_or_fan_in() -> None:
    apps = [asset(f"a{i}") for i in range(4)]
    assets = [*apps, asset("dns", tags=("Shared-Service",)), asset("mon"), asset("lib")]
    edges = [edge(a.id, "dns", strength="hard") for a in apps]  # tagged: no glue despite hard ties
    edges += [edge(a.id, "mon", strength="hard") for a in apps[:3]]  # fan-in 3 reaches the threshold
    edges += [edge("a0", "lib", strength="hard"), edge("a1", "lib", strength="hard")]  # fan-in 2: glues
    plan = plan_waves(assets, edges, settings(hub_fan_in_threshold=3, max_assets=3))
    assert [(s.asset_id, s.fan_in, s.reason) for s in plan.shared_services] == [
        ("dns", 4, "tagged as a shared service"),
        ("mon", 3, "3 dependents, at least the threshold of 3"),
    ]
    shared = {g.asset_ids: g.id for g in plan.move_groups if g.shared_service}
    assert set(shared) == {("dns",), ("mon",)} and all(i.startswith("SHARED-") for i in shared.values())
    assert {g.asset_ids for g in plan.move_groups if not g.shared_service} == {("a0", "a1", "lib"), ("a2",), ("a3",)}
    assert "a shared service: moves first, before its dependents" in plan.placements["dns"].reason
    assert plan.violations == ()


def test_shared_services_and_what_they_need_move_first_in_the_foundation_wave() -> None:
    """`shared_services = foundation` (the default): hubs and what they have binding ties on, and assets tagged
    landing zone, are wave 0; their dependents follow in any phase, none before them. A hub's soft dependency
    pulls nothing and is reported when it moves later."""
    assets = [asset("dns", tags=("shared_service",)), asset("ad", name="ad-01"), asset("kms", tags=("Landing Zone",)),
              asset("web-t", environment="test"), asset("web"), asset("db")]
    edges = [edge("dns", "ad", strength="hard"), edge("web-t", "dns"), edge("web", "dns"), edge("web", "db")]
    plan = plan_waves(assets, edges, settings(max_assets=2))
    assert [(w.number, w.kind, w.asset_ids) for w in plan.waves] == [
        (0, "foundation", ("ad", "dns", "kms")),
        (1, "non_production", ("web-t",)),
        (2, "production", ("db", "web")),
    ]
    assert [(w.start_date.isoformat(), w.end_date.isoformat()) for w in plan.waves[:2]] == [
        ("2027-01-04", "2027-01-17"), ("2027-01-18", "2027-01-31")]
    assert plan.placements["ad"].reason == ("foundation wave 0 with move group MG-0006 (ad-01, production); the "
                                            "foundation's dns has a binding tie on it: moves with it")
    assert "tagged landing zone: moves first" in plan.placements["kms"].reason
    assert [(v.rule, v.detail) for v in plan.violations] == [
        ("wave_cap", "wave 0 holds 3 assets, over max_assets = 2: the foundation moves as one wave")]
    polled = plan_waves(assets[:2], [edge("dns", "ad")], settings(max_assets=2))
    assert polled.placements["ad"].wave == 1
    [violation] = polled.violations
    assert (violation.rule, violation.asset_ids) == ("shared_service_order", ("ad", "dns"))
    assert violation.detail == ("1 asset (dns) moves before MG-0002 (ad-01, production), in wave 1, which it depends "
                                "on: they reach it across the network until it moves")


def test_shared_services_planned_with_their_dependents_record_who_moves_before_them() -> None:
    assets = [asset("dns", tags=("shared_service",), environment="production"), asset("web-t", environment="test"),
              asset("web2-t", environment="test")]
    edges = [edge("web-t", "dns"), edge("web2-t", "dns")]
    plan = plan_waves(assets, edges, settings(shared_services="with_dependents"))
    assert wave_of(plan) == {"web-t": 1, "web2-t": 1, "dns": 2}
    [violation] = plan.violations
    assert violation.rule == "shared_service_order" and violation.asset_ids == ("dns", "web-t", "web2-t")
    assert violation.detail == ("2 assets (web-t, web2-t) move before SHARED-0001 (dns, production), in wave 2, "
                                "which they depend on: recorded by shared_services = with_dependents: they reach it "
                                "across the network until it moves")
    assert "shared service: moves alone, its dependents reach it across the network" in plan.placements["dns"].reason


def test_default_hub_threshold_is_ten_dependents_for_a_small_portfolio() -> None:
    dependents = [asset(f"s{i:02d}") for i in range(10)]
    assets = [*dependents, asset("ad")]
    plan = plan_waves(assets, [edge(a.id, "ad", strength="hard") for a in dependents], settings())
    assert [s.asset_id for s in plan.shared_services] == ["ad"]
    plan = plan_waves(assets[1:], [edge(a.id, "ad", strength="hard") for a in dependents[1:]], settings())
    assert plan.shared_services == () and len(plan.move_groups) == 1


def test_retired_and_retained_assets_get_no_wave_and_binding_ties_to_them_are_reported() -> None:
    assets = [asset("app"), asset("old", strategy="retire"), asset("mainframe", strategy="retain"), asset("web")]
    edges = [edge("app", "old", strength="hard"), edge("web", "mainframe"), edge("old", "mainframe", strength="hard")]
    plan = plan_waves(assets, edges, settings())
    assert set(plan.placements) == {"app", "web"}
    assert plan.not_migrated == {
        "old": "strategy retire: decommissioned, not migrated",
        "mainframe": "strategy retain: stays where it is, not migrated",
    }
    [violation] = plan.violations  # the soft tie and the tie between two staying assets are no concern
    assert violation.rule == "left_behind" and violation.asset_ids == ("app", "old")
    assert violation.detail == "app is tied to old, which stays (strategy retire: decommissioned, not migrated)"


def test_records_that_stay_still_bind_what_they_tie_and_network_devices_bind_nothing() -> None:
    """ADR-0014: a retained service (or cluster, or application record) gets no wave but its binding ties
    join the assets they reach, through other records too; a retained switch breaks no tie by staying."""
    assets = [asset("web"), asset("db"), asset("app"), asset("lone"), asset("esx1"), asset("esx2"),
              asset("shop", asset_type="service", strategy="retain"),
              asset("tomcat", asset_type="application", strategy="retain"),
              asset("vc", asset_type="cluster", strategy="retain"),
              asset("sw", asset_type="network", strategy="retain"),
              asset("ups", asset_type="other", strategy="retain")]
    edges = [edge("shop", "web", strength="hard"), edge("shop", "db", strength="hard"),
             edge("shop", "tomcat", strength="hard"), edge("tomcat", "app", dependency_type="runs_on"),
             edge("esx1", "vc", dependency_type="member_of"), edge("esx2", "vc", dependency_type="member_of"),
             edge("web", "sw", strength="hard"), edge("lone", "sw", strength="hard"),
             edge("esx1", "ups", strength="hard")]
    plan = plan_waves(assets, edges, settings(max_assets=100))
    groups = {g.asset_ids: g.glued_by for g in plan.move_groups}
    assert groups == {
        ("app", "db", "web"): ("ties through application, service or cluster records: 3",),  # shop-tomcat reaches none
        ("esx1", "esx2"): ("ties through application, service or cluster records: 2",),
        ("lone",): (),
    }
    assert plan.not_migrated == {
        "shop": "strategy retain: stays where it is, not migrated; a service record: the assets it ties together "
                "move as one group",
        "tomcat": "strategy retain: stays where it is, not migrated; an application record: the assets it ties "
                  "together move as one group",
        "vc": "strategy retain: stays where it is, not migrated; a cluster record: its members move as one group",
        "sw": "strategy retain: stays where it is, not migrated; a network device: the landing zone's network "
              "replaces it",
        "ups": "strategy retain: stays where it is, not migrated",
    }
    # an asset of no recognised type that stays is still a tie left behind
    assert [(v.rule, v.asset_ids) for v in plan.violations] == [("left_behind", ("esx1", "ups"))]


def test_non_production_waves_come_first_and_never_mix_with_production() -> None:
    assets = [asset("p1"), asset("p2", environment="disaster_recovery"), asset("d1", environment="development"),
              asset("t1", environment="test"), asset("u1", environment="uat"), asset("x1", environment=None)]
    plan = plan_waves(assets, [], settings(max_assets=10))
    assert [(w.kind, w.asset_ids) for w in plan.waves] == [
        ("non_production", ("d1", "t1", "u1")),
        ("production", ("p1", "p2", "x1")),
    ]
    assert "environment unknown: treated as production" in plan.placements["x1"].reason
    assert plan.violations == ()


def test_an_application_moves_per_environment_non_production_first() -> None:
    assets = [asset("web", application="shop"), asset("web-test", application="shop", environment="test"),
              asset("db-test", application="shop", environment="test"), asset("web-uat", application="shop",
                                                                                environment="uat"),
              asset("dev", environment="development")]
    plan = plan_waves(assets, [], settings())
    groups = {g.asset_ids: g.environment for g in plan.move_groups}
    assert groups == {("db-test", "web-test"): "test", ("web",): "production", ("web-uat",): "uat",
                      ("dev",): "development"}
    assert wave_of(plan) == {"dev": 1, "web-test": 1, "db-test": 1, "web-uat": 1, "web": 2}
    assert plan.violations == ()


def test_a_binding_tie_between_production_and_non_production_is_parted_and_reported() -> None:
    assets = [asset("vm-test", environment="test"), asset("esx-01", name="esx-01"), asset("vm-prod")]
    edges = [edge("vm-test", "esx-01", dependency_type="runs_on"), edge("vm-prod", "esx-01", dependency_type="runs_on")]
    plan = plan_waves(assets, edges, settings())
    assert wave_of(plan) == {"vm-test": 1, "esx-01": 2, "vm-prod": 2}
    [violation] = plan.violations
    assert (violation.rule, violation.asset_ids) == ("environment_split", ("vm-test", "esx-01"))
    assert violation.detail == ("vm-test (test) has a runs-on tie to esx-01 (production): production and "
                                "non-production move in separate waves, so the tie is parted while they move")


def test_a_dependency_target_is_planned_in_the_same_or_an_earlier_wave() -> None:
    # Largest group first would put c (3 assets, MG-0001) in wave 1; c depends on b (MG-0003), b on a.
    assets = [asset("a"), asset("b"), asset("c1", application="c"), asset("c2", application="c"),
              asset("c3", application="c")]
    plan = plan_waves(assets, [edge("c1", "b"), edge("b", "a")], settings(max_assets=3))
    assert wave_of(plan) == {"a": 1, "b": 1, "c1": 2, "c2": 2, "c3": 2}
    assert plan.placements["c1"].reason == ("production wave 2 with move group MG-0001 (c: 3 assets, production); "
                                            "depends on MG-0003 (b, production) (wave 1)")
    assert plan.violations == () and plan.ordering_cycles == ()


def test_an_ordering_cycle_is_reported_and_kept_in_one_wave_when_it_fits() -> None:
    assets = [asset("a"), asset("b"), asset("c"), asset("d")]
    edges = [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("d", "a")]
    plan = plan_waves(assets, edges, settings(max_assets=3))
    assert plan.ordering_cycles == (("MG-0001", "MG-0002", "MG-0003"),)
    assert wave_of(plan) == {"a": 1, "b": 1, "c": 1, "d": 2}
    assert "in an ordering cycle" in plan.placements["a"].reason and plan.violations == ()


def test_an_ordering_cycle_over_the_cap_is_split_breaking_one_dependency() -> None:
    assets = [asset("a"), asset("b"), asset("c")]
    plan = plan_waves(assets, [edge("a", "b"), edge("b", "c"), edge("c", "a")], settings(max_assets=2))
    [violation] = plan.violations
    assert violation.rule == "dependency_order" and violation.detail.endswith(": they are in an ordering cycle")
    assert len(plan.waves) == 2


def test_non_production_depending_on_production_is_reported() -> None:
    assets = [asset("test-app", environment="test"), asset("prod-db")]
    plan = plan_waves(assets, [edge("test-app", "prod-db")], settings())
    [violation] = plan.violations
    assert violation.rule == "dependency_order" and violation.asset_ids == ("prod-db", "test-app")
    assert violation.detail == ("test-app (wave 1) depends on prod-db (wave 2): "
                                "non-production waves come before production waves")


def test_the_pilot_takes_low_risk_groups_whose_dependencies_are_in_the_pilot_too() -> None:
    assets = [
        pilot_ready("p1", environment="test"),
        pilot_ready("p2", environment="test"),  # depends on p1: both fit
        pilot_ready("p3", environment="test"),  # depends on r1, which is not pilot-ready
        asset("r1", environment="test", criticality="low", risk_score=50.0, complexity_score=20.0),
        pilot_ready("p4", environment="test", risk_score=None),  # unknown risk: not pilot-ready
        pilot_ready("p5", environment="test"),  # pilot full
        pilot_ready("prod"),  # production: the pilot is drawn from the first phase
    ]
    plan = plan_waves(assets, [edge("p2", "p1"), edge("p3", "r1")], settings(pilot_size=2, max_assets=10))
    assert plan.waves[0].kind == "pilot" and plan.waves[0].asset_ids == ("p1", "p2")
    assert plan.placements["p1"].reason.startswith("pilot wave 1 with move group")
    assert [w.kind for w in plan.waves] == ["pilot", "non_production", "production"]
    assert plan.violations == ()


def test_without_non_production_the_pilot_is_drawn_from_production() -> None:
    plan = plan_waves([pilot_ready("a"), asset("b")], [], settings(pilot_size=5))
    assert [(w.kind, w.asset_ids) for w in plan.waves] == [("pilot", ("a",)), ("production", ("b",))]


def test_no_pilot_ready_group_is_reported_and_pilot_size_zero_means_no_pilot() -> None:
    plan = plan_waves([asset("a")], [], settings(pilot_size=3))
    assert rules(plan) == ["pilot"] and plan.waves[0].kind == "production"
    assert plan_waves([pilot_ready("a")], [], settings(pilot_size=0)).waves[0].kind == "production"


def test_high_criticality_and_high_complexity_stay_out_of_early_waves() -> None:
    assets = [asset("crit", criticality="critical"), asset("hard", complexity_score=80.0),
              asset("l1"), asset("l2"), asset("l3")]
    plan = plan_waves(assets, [], settings(max_assets=2, early_waves_excluding_high=1))
    assert wave_of(plan)["crit"] > 1 and wave_of(plan)["hard"] > 1
    assert "criticality critical (crit): kept out of the first 1 waves" in plan.placements["crit"].reason
    assert "complexity 80 (hard): kept out of the first 1 waves" in plan.placements["hard"].reason
    assert plan.violations == ()


def test_a_high_group_in_an_early_wave_is_reported_when_nothing_else_is_ready() -> None:
    plan = plan_waves([asset("crit", criticality="high"), asset("dep")], [edge("dep", "crit")],
                      settings(early_waves_excluding_high=1))
    assert wave_of(plan) == {"crit": 1, "dep": 1}
    [violation] = plan.violations
    assert violation.rule == "early_wave" and violation.asset_ids == ("crit",)


@pytest.mark.parametrize(
    ("cap", "measure"),
    [({"max_assets": 2}, "3 assets, over max_assets = 2"),
     ({"max_storage_tb": 1.0}, "storage TB, over max_storage_tb = 1"),
     ({"max_effort_days": 4.0}, "4.5 effort person-days, over max_effort_days = 4")],
)
def test_a_group_over_a_cap_gets_a_wave_alone_and_is_reported(cap: dict[str, float], measure: str) -> None:
    big = [asset(f"big{i}", application="big", storage_gb=400.0, strategy="rehost") for i in range(3)]
    plan = plan_waves([*big, asset("small", storage_gb=1.0, strategy="rehost")], [], settings(**cap))
    assert [w.asset_ids for w in plan.waves] == [("small",), ("big0", "big1", "big2")]
    [violation] = plan.violations
    assert violation.rule == "wave_cap" and measure in violation.detail
    assert violation.detail.startswith("wave 2 holds") and violation.asset_ids == ("big0", "big1", "big2")


def test_storage_and_effort_caps_cut_waves() -> None:
    assets = [asset(f"a{i}", storage_gb=600.0, strategy="refactor") for i in range(4)]
    by_storage = plan_waves(assets, [], settings(max_storage_tb=1.2))  # 1228.8 GB: two per wave
    assert [len(w.asset_ids) for w in by_storage.waves] == [2, 2]
    by_effort = plan_waves(assets, [], settings(max_effort_days=45.0))  # 15 days each: three per wave
    assert [len(w.asset_ids) for w in by_effort.waves] == [2, 2]  # balanced: 2 + 2, not 3 + 1
    assert by_effort.waves[0].effort_days == 30.0 and by_storage.waves[0].storage_gb == 1200.0


def test_waves_are_balanced() -> None:
    plan = plan_waves([asset(f"a{i}") for i in range(10)], [], settings(max_assets=6))
    assert [len(w.asset_ids) for w in plan.waves] == [5, 5]
    plan = plan_waves([asset(f"a{i}") for i in range(13)], [], settings(max_assets=6))
    assert sorted(len(w.asset_ids) for w in plan.waves) == [4, 4, 5]


def test_dates_follow_start_length_and_overlap() -> None:
    plan = plan_waves([asset("a"), asset("b"), asset("c")], [],
                      settings(max_assets=1, wave_length_days=14, overlap_days=4))
    assert [(w.start_date, w.end_date) for w in plan.waves] == [
        (date(2027, 1, 4), date(2027, 1, 17)),
        (date(2027, 1, 14), date(2027, 1, 27)),
        (date(2027, 1, 24), date(2027, 2, 6)),
    ]


def test_effort_comes_from_the_strategy_table_unless_the_asset_has_its_own() -> None:
    assets = [asset("a", strategy="rehost"), asset("b", strategy="refactor"), asset("c"),
              asset("d", strategy="replatform", effort_days=7.5)]
    [wave] = plan_waves(assets, [], settings()).waves
    assert wave.effort_days == 1.5 + 15 + 3 + 7.5 and wave.undecided_assets == 1


def test_every_migrating_asset_has_a_reason() -> None:
    assets = [asset("a"), asset("b", environment="test"), asset("c", strategy="retire")]
    plan = plan_waves(assets, [edge("a", "b")], settings())
    assert set(plan.placements) == {"a", "b"}
    assert all(p.reason.startswith(f"{kind} wave {p.wave} with move group MG-")
               for p, kind in zip(plan.placements.values(), ["production", "non-production"]))


def test_every_strategy_has_an_effort_estimate_or_needs_the_assets_own(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(SIX_R_STRATEGIES) <= set(EFFORT_DAYS)
    monkeypatch.delitem(EFFORT_DAYS, "relocate")  # as if the vocabulary had outgrown the effort table
    with pytest.raises(ValidationError, match="strategy 'relocate' has no row in the effort table"):
        asset("a", strategy="relocate")
    assert asset("a", strategy="relocate", effort_days=2.0).effort_days == 2.0


def test_empty_portfolio_gives_an_empty_plan() -> None:
    plan = plan_waves([], [], settings(pilot_size=5))
    assert plan.waves == () and plan.placements == {} and plan.violations == ()


@pytest.mark.parametrize(
    ("assets", "edges", "message"),
    [
        ([asset("a"), asset("a")], [], "asset id 'a' appears more than once"),
        ([asset("a")], [edge("a", "ghost"), edge("gone", "a")], "2 unknown asset ids: 'ghost', 'gone'"),
    ],
)
def test_inconsistent_input_is_refused(assets: list[PlanAsset], edges: list[PlanEdge], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_waves(assets, edges, settings())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: asset("a", environment="prod"), "environment must be one of production"),
        (lambda: asset("a", criticality="urgent"), "criticality must be one of critical"),
        (lambda: asset("a", strategy="lift"), "strategy must be one of rehost"),
        (lambda: asset("a", asset_type="virtual_machine"), "asset type must be one of server"),
        (lambda: asset("a", storage_gb=-1), "greater than or equal to 0"),
        (lambda: asset("a", risk_score=120), "less than or equal to 100"),
        (lambda: asset("", ), "at least 1 character"),
        (lambda: edge("a", "b", strength="firm"), "strength must be one of hard, soft"),
        (lambda: edge("a", "b", dependency_type="likes"), "dependency_type must be one of depends_on"),
        (lambda: settings(overlap_days=14, wave_length_days=14), "overlap_days \\(14\\) must be shorter"),
        (lambda: settings(max_assets=True), "valid integer"),
        (lambda: settings(max_assets=0), "greater than or equal to 1"),
        (lambda: settings(max_storage_tb=0), "greater than 0"),
        (lambda: PlanSettings(), "start_date"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(build, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


def test_the_same_inventory_under_other_ids_gets_the_same_plan() -> None:
    """Ties between equal groups go by name, not by database id: a re-import into another engagement
    (new ids) plans the same waves."""
    names = [f"srv-{n:02d}" for n in range(12)]

    def plan_by_name(ids: list[str]) -> dict[str, int]:
        assets = [asset(i, name=n, storage_gb=100.0) for i, n in zip(ids, names)]
        plan = plan_waves(assets, [edge(ids[0], ids[1], strength="hard")], settings(max_assets=3))
        return {n: plan.placements[i].wave for i, n in zip(ids, names)}

    ascending = [f"id-{n:03d}" for n in range(12)]
    descending = [f"id-{999 - n:03d}" for n in range(12)]
    assert plan_by_name(ascending) == plan_by_name(descending)


def test_an_intakes_requested_wave_orders_groups_but_never_over_a_dependency() -> None:
    assets = [asset(f"big-{n}", application="big", requested_wave="Wave 10") for n in range(3)]
    assets += [asset("small", application="small", requested_wave="wave 2"), asset("free", application="free")]
    plan = plan_waves(assets, [], settings(max_assets=3))
    waves = wave_of(plan)
    # Wave 2 before Wave 10 (numbers by value, case ignored), then the group that asked for none
    assert waves["small"] < waves["big-0"] == waves["big-1"] == waves["big-2"]
    assert waves["free"] >= waves["small"]
    assert plan_waves(assets, [], settings(max_assets=3)) == plan  # the same input, the same plan
    # a dependency still comes first: small needs big, so big is in the same or an earlier wave
    ordered = plan_waves(assets, [edge("small", "big-0")], settings(max_assets=3))
    assert wave_of(ordered)["big-0"] <= wave_of(ordered)["small"]
    # without requests, the largest group goes first
    unasked = [a.model_copy(update={"requested_wave": None}) for a in assets]
    assert wave_of(plan_waves(unasked, [], settings(max_assets=3)))["big-0"] == 1
