"""Lifecycle states (ADR-0015): CMDB install and operational statuses read onto one canonical list."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from domain.assessment.strategy_rules import AssetFacts, recommend_application, recommend_strategy
from domain.discovery.cleansing import cleanse_record, stored_cell_outcome
from domain.discovery.field_mapping import MappingSuggestion, suggest_mappings
from domain.planning.model import PlanAsset, PlanEdge, PlanSettings
from domain.planning.planner import plan_waves
from domain.value_aliases import INSTALL_STATUS_ALIASES, OPERATIONAL_STATUS_ALIASES
from domain.vocabulary import LIFECYCLE_STATES


def _cleanse(**cells: str) -> tuple[dict[str, object], list[dict[str, object]], list[str]]:
    raw = {"name": "srv-01", **cells}
    mappings = [MappingSuggestion(source_field=t, target_field=t, confidence=1.0, source="exact", reason="test")
                for t in raw]
    record = cleanse_record(raw, mappings)
    return record.values, record.changes, record.errors


def test_both_tables_read_onto_the_canonical_states() -> None:
    assert set(INSTALL_STATUS_ALIASES.values()) == set(OPERATIONAL_STATUS_ALIASES.values()) == set(LIFECYCLE_STATES)


@pytest.mark.parametrize(
    ("code", "install", "operational"),
    [
        ("1", "in_service", "in_service"),  # Installed / Operational
        ("2", "planned", "non_operational"),  # On order / Non-Operational: the same code, two meanings
        ("3", "in_maintenance", "in_maintenance"),  # In maintenance / Repair in Progress
        ("4", "planned", "in_service"),  # Pending install / DR Standby
        ("5", "in_maintenance", "in_service"),  # Pending repair / Ready
        ("6", "in_stock", "retired"),  # In stock / Retired
        ("7", "retired", "planned"),  # Retired / Pipeline
        ("8", "absent", "planned"),  # Stolen / Catalog
    ],
)
def test_servicenow_codes_are_read_by_their_column(code: str, install: str, operational: str) -> None:
    values, changes, errors = _cleanse(lifecycle_state=code, operational_state=code)
    assert (values["lifecycle_state"], values["operational_state"], errors) == (install, operational, [])
    assert {c["rule"] for c in changes} == {"install_status_alias", "operational_status_alias"}


@pytest.mark.parametrize(
    ("label", "state"),
    [("Installed", "in_service"), ("Retired", "retired"), ("In stock", "in_stock"), ("Absent", "absent"),
     ("Stolen", "absent"), ("Decommissioned", "retired"), ("Pending install", "planned"), ("100", "absent")],
)
def test_install_status_labels(label: str, state: str) -> None:
    assert _cleanse(lifecycle_state=label)[0]["lifecycle_state"] == state


@pytest.mark.parametrize(
    ("label", "state"),
    [("Operational", "in_service"), ("Non-Operational", "non_operational"), ("DR Standby", "in_service"),
     ("Repair in Progress", "in_maintenance"), ("retired", "retired")],
)
def test_operational_status_labels(label: str, state: str) -> None:
    assert _cleanse(operational_state=label)[0]["operational_state"] == state


def test_an_unknown_status_is_dropped_recorded_and_keeps_the_row() -> None:
    values, changes, errors = _cleanse(lifecycle_state="Awaiting audit", operational_state="42")
    assert "lifecycle_state" not in values and "operational_state" not in values and errors == []
    assert changes == [
        {"field": "lifecycle_state", "from": "Awaiting audit", "to": None, "rule": "install_status_unrecognised"},
        {"field": "operational_state", "from": "42", "to": None, "rule": "operational_status_unrecognised"},
    ]


def test_the_set_based_cleansing_gets_the_same_outcomes() -> None:
    assert stored_cell_outcome("lifecycle_state", " 7 ").values == {"lifecycle_state": "retired"}
    assert stored_cell_outcome("lifecycle_state", "retired") is None  # kept exactly as written
    assert stored_cell_outcome("operational_state", "nope").values == {}


def test_servicenow_status_columns_map_by_the_vendor_profile() -> None:
    headers = ["sys_id", "name", "sys_class_name", "install_status", "operational_status"]
    targets = {s.source_field: (s.target_field, s.confidence) for s in suggest_mappings(headers)}
    assert targets["install_status"] == ("lifecycle_state", 0.9)  # approved without a review
    assert targets["operational_status"] == ("operational_state", 0.9)


def test_rvtools_power_and_template_columns_map() -> None:
    targets = {s.source_field: s.target_field for s in suggest_mappings(["VM", "Powerstate", "Template", "CPUs"])}
    assert (targets["Powerstate"], targets["Template"]) == ("power_state", "is_template")


# A busy, supported server that would be rehosted but for its lifecycle.
BUSY = dict(asset_type="server", operating_system="Windows Server 2019", os_version="2019", environment="production",
            business_criticality="high", cpu_utilization_avg=30.0, cpu_utilization_peak=70.0, power_state="powered_on")


@pytest.mark.parametrize(
    ("facts", "rule", "confidence", "reason"),
    [
        ({"lifecycle_state": "retired"}, "out_of_service", 0.95, "install status retired: decommissioned"),
        ({"operational_state": "retired"}, "out_of_service", 0.95, "operational status retired"),
        ({"lifecycle_state": "absent"}, "out_of_service", 0.9, "install status absent"),
        ({"operational_state": "non_operational"}, "out_of_service", 0.8, "operational status non-operational"),
        ({"lifecycle_state": "in_stock"}, "out_of_service", 0.75, "install status in-stock"),
        # the stronger of the two statuses decides
        ({"lifecycle_state": "in_stock", "operational_state": "retired"}, "out_of_service", 0.95,
         "operational status retired"),
        ({"is_template": True, "power_state": "powered_off"}, "vm_template", 0.8, "a VM template is an image"),
        # what a CI is does not save it: a retired switch is retired, not retained
        ({"asset_type": "network", "lifecycle_state": "retired"}, "out_of_service", 0.95, "install status retired"),
    ],
)
def test_assets_with_nothing_running_are_retired_with_the_reason(
    facts: dict[str, object], rule: str, confidence: float, reason: str
) -> None:
    recommendation = recommend_strategy(AssetFacts(**{**BUSY, **facts}))
    assert (recommendation.strategy, recommendation.rule, recommendation.confidence) == ("retire", rule, confidence)
    assert recommendation.reasons[0].startswith(f"{rule}: {reason}")
    assert "rehost" not in [c.strategy for c in recommendation.runner_ups]


@pytest.mark.parametrize("state", ["in_service", "planned", "in_maintenance", None])
def test_assets_in_service_or_coming_back_are_assessed_as_workloads(state: str | None) -> None:
    recommendation = recommend_strategy(AssetFacts(**BUSY, lifecycle_state=state, operational_state=state))
    assert (recommendation.strategy, recommendation.rule) == ("rehost", "standard_server")


def test_a_non_operational_asset_keeps_retain_as_the_alternative_a_person_may_confirm() -> None:
    recommendation = recommend_strategy(AssetFacts(**BUSY, operational_state="non_operational"))
    assert [c.strategy for c in recommendation.runner_ups] == ["retain"]


def test_a_powered_off_vm_is_a_weaker_retire_candidate_than_a_retired_one() -> None:
    off = recommend_strategy(AssetFacts(**{**BUSY, "power_state": "powered_off", "cpu_utilization_avg": None,
                                           "cpu_utilization_peak": None}))
    retired = recommend_strategy(AssetFacts(**BUSY, lifecycle_state="retired"))
    assert (off.strategy, off.rule) == ("retire", "powered_off_idle")
    assert off.confidence < retired.confidence


def test_an_unknown_lifecycle_state_is_refused_by_the_facts() -> None:
    with pytest.raises(ValidationError, match="lifecycle_state"):
        AssetFacts(lifecycle_state="Retired")


def test_retired_assets_do_not_vote_on_their_application() -> None:
    app = dict(BUSY, application_name="billing")
    rec = recommend_application([AssetFacts(**app, name="web"), AssetFacts(**app, name="old", lifecycle_state="retired")])
    assert rec.strategy == "rehost" and rec.asset_strategies == {"web": "rehost", "old": "retire"}


def test_assets_with_nothing_running_get_no_wave_and_break_no_tie() -> None:
    """ADR-0015: a retired, absent, non-operational or in-stock asset or a template that stays binds nothing and
    is no tie left behind (its ties are past records); a powered-off server that stays still is one."""
    def asset(asset_id: str, **facts: object) -> PlanAsset:
        return PlanAsset(id=asset_id, **{"environment": "production", "criticality": "medium", **facts})

    assets = [asset("web"), asset("app"), asset("db"), asset("batch"),
              asset("old", strategy="retire", lifecycle_state="retired"),
              asset("gone", strategy="retire", lifecycle_state="absent"),
              asset("dead", strategy="retire", operational_state="non_operational"),
              asset("tpl", strategy="retire", is_template=True),
              asset("off", strategy="retire"),  # powered off, idle: retired by the rules, still relied upon
              asset("revived", strategy="rehost", lifecycle_state="retired")]  # a person's decision wins
    edges = [PlanEdge(source="web", target="old", strength="hard"), PlanEdge(source="app", target="old", strength="hard"),
             PlanEdge(source="web", target="gone", strength="hard"), PlanEdge(source="db", target="dead", strength="hard"),
             PlanEdge(source="web", target="tpl", dependency_type="runs_on"),
             PlanEdge(source="batch", target="off", strength="hard")]
    plan = plan_waves(assets, edges, PlanSettings(start_date=date(2027, 1, 4), pilot_size=0,
                                                  early_waves_excluding_high=0, max_assets=100))
    assert set(plan.placements) == {"web", "app", "db", "batch", "revived"}
    assert {g.asset_ids for g in plan.move_groups} == {("web",), ("app",), ("db",), ("batch",), ("revived",)}
    assert plan.not_migrated == {
        "old": "strategy retire: decommissioned, not migrated; install status retired: nothing runs on it, its ties "
               "are past records",
        "gone": "strategy retire: decommissioned, not migrated; install status absent: nothing runs on it, its ties "
                "are past records",
        "dead": "strategy retire: decommissioned, not migrated; operational status non-operational: nothing runs on "
                "it, its ties are past records",
        "tpl": "strategy retire: decommissioned, not migrated; a VM template: an image, not a workload",
        "off": "strategy retire: decommissioned, not migrated",
    }
    assert [(v.rule, v.asset_ids) for v in plan.violations if v.rule == "left_behind"] == [
        ("left_behind", ("batch", "off"))]
