"""Wave planner properties on random portfolios: what every plan guarantees, or reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.assessment.effort import EFFORT_DAYS
from domain.planning.model import PlanAsset, PlanEdge, PlanSettings, WavePlan
from domain.planning.plan_validation import PlanEditRow, check_plan_edit
from domain.planning.planner import plan_waves
from domain.vocabulary import CRITICALITIES, DEPENDENCY_TYPES, ENVIRONMENTS, SIX_R_STRATEGIES

NON_PRODUCTION = {"development", "test", "uat", "staging"}
BINDING_TYPES = {"runs_on", "hosts", "member_of"}

Portfolio = tuple[list[PlanAsset], list[PlanEdge], PlanSettings]


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    count = draw(st.integers(min_value=0, max_value=24))
    scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100))
    strategies = [draw(st.sampled_from([None, *SIX_R_STRATEGIES])) for _ in range(count)]
    assets = [
        PlanAsset(
            id=f"a{i:02d}",
            application=draw(st.sampled_from([None, None, "billing", "crm", "hr"])),
            environment=draw(st.sampled_from([None, *ENVIRONMENTS])),
            criticality=draw(st.sampled_from([None, *CRITICALITIES])),
            complexity_score=draw(scores),
            risk_score=draw(scores),
            storage_gb=draw(st.floats(min_value=0, max_value=1500)),
            strategy=strategies[i],
            effort_days=draw(st.floats(min_value=0, max_value=20) if (strategies[i] or "undecided") not in EFFORT_DAYS
                             else st.one_of(st.none(), st.floats(min_value=0, max_value=20))),
            tags=draw(st.sampled_from([(), (), (), ("shared_service",), ("landing_zone",)])),
        )
        for i in range(count)
    ]
    ids = st.sampled_from([a.id for a in assets]) if assets else st.nothing()
    edges = draw(st.lists(
        st.builds(PlanEdge, source=ids, target=ids, dependency_type=st.sampled_from(DEPENDENCY_TYPES),
                  strength=st.sampled_from(["soft", "soft", "hard"])),
        max_size=40 if assets else 0,
    ))
    plan_settings = PlanSettings(
        start_date=date(2027, 1, 4),
        max_assets=draw(st.integers(min_value=1, max_value=8)),
        max_storage_tb=draw(st.one_of(st.none(), st.floats(min_value=0.5, max_value=3))),
        max_effort_days=draw(st.one_of(st.none(), st.floats(min_value=5, max_value=60))),
        pilot_size=draw(st.integers(min_value=0, max_value=5)),
        early_waves_excluding_high=draw(st.integers(min_value=0, max_value=3)),
        hub_fan_in_threshold=draw(st.one_of(st.none(), st.integers(min_value=2, max_value=6))),
        wave_length_days=draw(st.integers(min_value=1, max_value=21)),
        overlap_days=0,
        shared_services=draw(st.sampled_from(["foundation", "with_dependents"])),
        blackout_periods=draw(st.lists(st.builds(
            lambda first, days: f"{first}..{first + timedelta(days=days)}",
            st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 20)), max_size=3)),
    )
    return assets, edges, plan_settings


def _phase(asset: PlanAsset) -> str:
    return "non_production" if asset.environment in NON_PRODUCTION else "production"


def _environment(asset: PlanAsset) -> str:
    return asset.environment if asset.environment in NON_PRODUCTION else "production"


def _violated(plan: WavePlan, rule: str, *asset_ids: str) -> bool:
    return any(v.rule == rule and set(asset_ids) <= set(v.asset_ids) for v in plan.violations)


@settings(max_examples=200, deadline=None)
@given(portfolios())
def test_every_plan_keeps_the_rules_or_reports_them(portfolio: Portfolio) -> None:
    assets, edges, plan_settings = portfolio
    plan = plan_waves(assets, edges, plan_settings)
    by_id = {a.id: a for a in assets}
    migrating = {a.id for a in assets if a.strategy not in ("retire", "retain")}
    wave = {asset_id: placement.wave for asset_id, placement in plan.placements.items()}

    # Every migrating asset is in exactly one wave, and nothing else is; wave 0 is the foundation, if any.
    assert set(wave) == migrating and set(plan.not_migrated) == set(by_id) - migrating
    first = 0 if plan.waves and plan.waves[0].kind == "foundation" else 1
    assert [w.number for w in plan.waves] == list(range(first, len(plan.waves) + first))
    assert all(w.kind != "foundation" for w in plan.waves[1:])
    assert sorted(a for w in plan.waves for a in w.asset_ids) == sorted(migrating)
    assert all(wave[a] == w.number for w in plan.waves for a in w.asset_ids)
    assert all(p.reason for p in plan.placements.values())

    # Shared services: tagged, or fan-in at the threshold.
    dependents: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.source != e.target and {e.source, e.target} <= migrating:
            dependents[e.target].add(e.source)
    threshold = plan_settings.hub_fan_in_threshold or max(10, 0.05 * len(migrating))
    hubs = {a for a in migrating if "shared_service" in by_id[a].tags or len(dependents[a]) >= threshold}
    assert {s.asset_id for s in plan.shared_services} == hubs

    # The foundation: landing-zone assets, and shared services unless planned with their dependents, are wave 0;
    # nothing waits on what moves after it there. Every dependent before a shared service is recorded.
    foundation = plan_settings.shared_services == "foundation"
    for a in migrating:
        if "landing_zone" in by_id[a].tags or (foundation and a in hubs):
            assert wave[a] == 0
    for e in edges:
        if {e.source, e.target} <= migrating and e.source != e.target and hubs & {e.source, e.target}:
            if wave[e.target] > wave[e.source]:
                assert not foundation or not {"landing_zone"} & set(by_id[e.target].tags)
                assert _violated(plan, "shared_service_order", e.source, e.target)

    # Binding ties never split within a phase and are reported across phases; other dependencies keep their order
    # unless reported, and only a cycle or a non-production group depending on production can break the order.
    directed = {(e.source, e.target) for e in edges}
    for e in edges:
        if not {e.source, e.target} <= migrating - hubs or e.source == e.target:
            continue
        if e.strength == "hard" or e.dependency_type in BINDING_TYPES or (e.target, e.source) in directed:
            if _phase(by_id[e.source]) == _phase(by_id[e.target]):
                assert wave[e.source] == wave[e.target]
            else:
                assert _violated(plan, "environment_split", e.source, e.target)
        elif wave[e.target] > wave[e.source]:
            assert _violated(plan, "dependency_order", e.source, e.target)
    causes = (": they are in an ordering cycle", ": non-production waves come before production waves",
              ": the foundation moves first and reaches it across the network until it moves")
    assert all(v.detail.endswith(causes) for v in plan.violations if v.rule == "dependency_order")
    for application in ("billing", "crm", "hr"):
        for environment in {_environment(a) for a in assets}:
            members = {a for a in migrating - hubs
                       if by_id[a].application == application and _environment(by_id[a]) == environment}
            assert len({wave[a] for a in members}) <= 1

    # Every move group is of one phase; non-production waves first; no wave mixes phases; the pilot is wave 1 only.
    phase = {g.id: g.phase for g in plan.move_groups}
    for g in plan.move_groups:
        assert {_phase(by_id[a]) for a in g.asset_ids} == {g.phase}
    for w in plan.waves[first == 0:]:
        assert len({phase[g] for g in w.group_ids}) == 1
        assert w.kind == phase[w.group_ids[0]] or (w.kind == "pilot" and w.number == 1)
    moving = [w for w in plan.waves if w.number]
    last_non_production = max((wave[a] for a in migrating if by_id[a].environment in NON_PRODUCTION and wave[a]),
                              default=0)
    first_production = min(
        (w.number for w in moving if phase[w.group_ids[0]] == "production"), default=len(plan.waves) + 1
    )
    assert last_non_production < first_production

    # Dates: no wave touches a blackout; each starts at least a wave's length after the one before.
    for before, after in zip(plan.waves, plan.waves[1:]):
        assert (after.start_date - before.start_date).days >= plan_settings.wave_length_days
    for w in plan.waves:
        assert (w.end_date - w.start_date).days == plan_settings.wave_length_days - 1
        assert all(b.end < w.start_date or b.start > w.end_date for b in plan_settings.blackout_periods)

    # Caps hold unless reported.
    for w in plan.waves:
        over = (
            len(w.asset_ids) > plan_settings.max_assets
            or (plan_settings.max_storage_tb is not None and w.storage_gb > plan_settings.max_storage_tb * 1024 + 1e-6)
            or (plan_settings.max_effort_days is not None and w.effort_days > plan_settings.max_effort_days + 1e-6)
        )
        if over:
            assert any(v.rule == "wave_cap" and v.detail.startswith(f"wave {w.number} holds") for v in plan.violations)
            assert len(w.group_ids) == 1 or w.kind == "foundation"  # only a group alone, or the foundation

    # High criticality or complexity stays out of early waves unless reported.
    for a in migrating:
        asset = by_id[a]
        high = asset.criticality in ("critical", "high") or (asset.complexity_score or 0) >= 65
        if high and 0 < wave[a] <= plan_settings.early_waves_excluding_high:
            assert _violated(plan, "early_wave", a)


@settings(max_examples=80, deadline=None)
@given(portfolios(), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_plan(portfolio: Portfolio, rng) -> None:
    assets, edges, plan_settings = portfolio
    shuffled_assets, shuffled_edges = list(assets), list(edges)
    rng.shuffle(shuffled_assets)
    rng.shuffle(shuffled_edges)
    assert plan_waves(shuffled_assets, shuffled_edges, plan_settings) == plan_waves(assets, edges, plan_settings)


@settings(max_examples=120, deadline=None)
@given(portfolios(), st.data())
def test_a_plan_edited_back_as_written_or_with_a_group_split_keeps_its_rules(portfolio: Portfolio, data) -> None:
    """The planner's own plan, as rows with their move groups, is a valid edit that changes nothing; renaming one
    group's assets in part splits it, and where the parts land in different waves the edit says so."""
    assets, edges, plan_settings = portfolio
    plan = plan_waves(assets, edges, plan_settings)
    group_of = {a: g.id for g in plan.move_groups for a in g.asset_ids}
    kinds = {w.number: w.kind for w in plan.waves}
    rows = [PlanEditRow(n, a.id, str(plan.placements[a.id].wave) if a.id in plan.placements else "",
                        kinds.get(plan.placements[a.id].wave, "") if a.id in plan.placements else "",
                        group_of.get(a.id, "")) for n, a in enumerate(assets, start=2)]
    edit = check_plan_edit(assets, edges, plan_settings, rows, "edited")
    assert edit.errors == () and edit.plan is not None
    assert [(w.number, w.kind, w.asset_ids) for w in edit.plan.waves] == [
        (w.number, w.kind, w.asset_ids) for w in plan.waves]
    assert sorted(v.rule for v in edit.plan.violations) == sorted(v.rule for v in plan.violations)

    splittable = [g for g in plan.move_groups if len(g.asset_ids) > 1]
    if not splittable:
        return
    group = data.draw(st.sampled_from(splittable))
    moved = set(data.draw(st.lists(st.sampled_from(group.asset_ids), min_size=1, max_size=len(group.asset_ids) - 1,
                                   unique=True)))
    later = max(w.number for w in plan.waves) + 1
    split = [PlanEditRow(r.row, r.asset_id, str(later) if r.asset_id in moved else r.wave, "", "part-b"
                         if r.asset_id in moved else r.move_group) for r in rows]
    edit = check_plan_edit(assets, edges, plan_settings, split, "edited")
    if edit.plan is not None:  # refused only when the moved part is a prerequisite of something earlier
        assert any(v.rule == "split_group" and set(v.asset_ids) == set(group.asset_ids) for v in edit.plan.violations)
        assert {g.id: set(g.asset_ids) for g in edit.plan.move_groups}["part-b"] == moved
    else:
        assert all("a dependency must move in the same or an earlier wave" in e or "non-production" in e
                   for e in edit.errors), edit.errors
