"""Alias tables land on the canonical vocabularies; placeholders are recognised."""

from __future__ import annotations

import pytest

from domain.value_aliases import (
    ASSET_TYPE_ALIASES,
    CRITICALITY_ALIASES,
    ENVIRONMENT_ALIASES,
    POWER_STATE_ALIASES,
    POWER_STATES,
    alias_key,
    canonical_manufacturer,
    canonical_value,
    is_placeholder,
)
from domain.vocabulary import ASSET_TYPES, CRITICALITIES, ENVIRONMENTS


def test_tables_only_produce_canonical_values() -> None:
    assert set(ENVIRONMENT_ALIASES.values()) == set(ENVIRONMENTS)
    assert set(CRITICALITY_ALIASES.values()) == set(CRITICALITIES)
    assert set(ASSET_TYPE_ALIASES.values()) <= set(ASSET_TYPES)
    assert set(POWER_STATE_ALIASES.values()) == set(POWER_STATES)


def test_alias_key_ignores_case_punctuation_and_spacing() -> None:
    assert alias_key("  Tier-1 ") == "tier 1"
    assert alias_key("PRD") == alias_key("prd.")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("prod", "production"), ("PRD", "production"), ("Production", "production"), ("live", "production"),
     ("dev", "development"), ("DEV", "development"), ("uat", "uat"), ("test", "test"), ("qa", "test"),
     ("QA", "test"), ("stage", "staging"), ("staging", "staging"), ("STG", "staging"),
     ("DR", "disaster_recovery"), ("Disaster Recovery", "disaster_recovery")],
)
def test_environment_aliases(text: str, canonical: str) -> None:
    assert canonical_value(ENVIRONMENT_ALIASES, text) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("1", "critical"), ("Tier 1", "critical"), ("Mission Critical", "critical"), ("1 - most critical", "critical"),
     ("2", "high"), ("High", "high"), ("tier-3", "medium"), ("med", "medium"), ("4", "low"), ("Low", "low")],
)
def test_criticality_aliases(text: str, canonical: str) -> None:
    assert canonical_value(CRITICALITY_ALIASES, text) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("VM", "server"), ("virtual machine", "server"), ("Server", "server"), ("host", "server"),
     ("db", "database"), ("Database", "database"), ("app", "application"), ("Load Balancer", "load_balancer")],
)
def test_asset_type_aliases(text: str, canonical: str) -> None:
    assert canonical_value(ASSET_TYPE_ALIASES, text) == canonical


def test_unknown_spelling_has_no_canonical_value() -> None:
    assert canonical_value(ENVIRONMENT_ALIASES, "moon base") is None


@pytest.mark.parametrize(
    "text", ["", "N/A", "n/a", "-", "unknown", "none", "null", "To be filled by O.E.M.", "TBD", "#N/A", " ? "]
)
def test_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["0", "prod", "web01", "NA"])
def test_values_that_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


@pytest.mark.parametrize(
    ("text", "vendor"),
    [("Dell Inc.", "Dell"), ("DELL", "Dell"), ("VMware, Inc.", "VMware"), ("Hewlett Packard Enterprise", "HPE"),
     ("Hewlett-Packard", "HP"), ("Cisco Systems, Inc.", "Cisco"), ("Super Micro Computer, Inc.", "Supermicro"),
     ("LENOVO", "Lenovo"), ("IBM Corp.", "IBM"), ("Huawei Technologies Co., Ltd.", "Huawei"),
     ("Microsoft Corporation", "Microsoft"), ("Dell Inc. Group", "Dell")],
)
def test_manufacturer_spellings_name_one_vendor(text: str, vendor: str) -> None:
    assert canonical_manufacturer(text) == vendor


@pytest.mark.parametrize("text", ["Acme Widgets Inc", "Inc", "To be filled by O.E.M.", "Dellware"])
def test_unknown_manufacturers_have_no_canonical_name(text: str) -> None:
    assert canonical_manufacturer(text) is None
