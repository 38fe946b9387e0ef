"""Lifecycle states (ADR-0015): CMDB install and operational statuses read onto one canonical list."""

from __future__ import annotations

import pytest

from domain.discovery.cleansing import cleanse_record, stored_cell_outcome
from domain.discovery.field_mapping import MappingSuggestion, suggest_mappings
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
