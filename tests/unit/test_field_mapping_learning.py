"""Generalised header matching, learned matches and value profiles in `suggest_mappings`."""

from __future__ import annotations

import pytest

from domain.discovery.field_mapping import (
    HEADER_SYNONYMS,
    SYNONYM_CONFIDENCE,
    LearnedMatch,
    match_header,
    suggest_mappings,
)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Srv Name", "name"),  # abbreviation
        ("Hst Name", "hostname"),  # abbreviation, then "host name" is one term
        ("Machine Nm", "name"),
        ("Guest.OS.Version", "os_version"),  # dotted, qualifier "guest"
        ("RAM Size (MiB)", "memory_gb"),  # unit cut off
        ("Enviroment", "environment"),  # one edit from a known word
        ("Perf.CpuAvgPct", "cpu_utilization_avg"),  # dotted camelCase, "pct" of a CPU is its utilisation
        ("Max CPU Util", "cpu_utilization_peak"),
        ("No. of Disks", "disk_count"),
        ("Biz Crit", "business_criticality"),
    ],
)
def test_generalised_headers(header: str, target: str) -> None:
    [suggestion] = suggest_mappings([header])
    assert suggestion.target_field == target
    assert suggestion.source == "synonym"
    assert 0.5 < suggestion.confidence < SYNONYM_CONFIDENCE
    assert "reads as" in suggestion.reason


@pytest.mark.parametrize(("header", "unit"), [("Allocated Memory (MiB)", "MiB"), ("Memory [GB]", "GB")])
def test_size_header_carries_its_unit(header: str, unit: str) -> None:
    [suggestion] = suggest_mappings([header])
    assert suggestion.target_field == "memory_gb" and suggestion.unit == unit


@pytest.mark.parametrize(
    "header",
    ["Row ID", "Last Modified By", "Disk 1 size (In GB)", "Network #1", "Favourite colour", "Cost Center"],
)
def test_unrelated_and_numbered_headers_stay_unmapped(header: str) -> None:
    [suggestion] = suggest_mappings([header])
    assert suggestion.target_field is None


def test_a_size_unit_only_matches_size_columns() -> None:
    """'RAM.UsedSizeInMB.Avg' is memory in use, in MB: no size column is that, and no utilisation is in MB."""
    assert match_header("RAM.UsedSizeInMB.Avg") is None


def test_every_synonym_is_still_matched_by_the_tables() -> None:
    for target, spellings in HEADER_SYNONYMS.items():
        for spelling in spellings:
            [suggestion] = suggest_mappings([spelling])
            assert suggestion.target_field == target, spelling
            assert suggestion.confidence >= SYNONYM_CONFIDENCE, spelling  # "CMDB ID" is also an exact match


def test_synonym_beats_a_generalised_match_for_the_same_target() -> None:
    generalised, synonym = suggest_mappings(["Srv Name", "Server name"])
    assert synonym.target_field == "name"
    assert generalised.target_field is None and "more confident" in generalised.reason


def _correction(target: str, similarity: float, header: str = "Srv Nm", validated: bool = True) -> LearnedMatch:
    return LearnedMatch(target, similarity, "client", "7f3c", header, validated)


def test_approved_correction_overrides_a_synonym() -> None:
    """A client whose 'Server' column holds hostnames corrected it once; the next file follows."""
    [suggestion] = suggest_mappings(["Server"], learned={"Server": _correction("hostname", 0.95, "Server")})
    assert (suggestion.target_field, suggestion.source) == ("hostname", "learned")
    assert suggestion.confidence >= 0.9
    assert "approved correction" in suggestion.reason and "'Server'" in suggestion.reason
    assert "pattern 7f3c" in suggestion.reason


def test_approved_correction_overrides_a_generalised_guess() -> None:
    [suggestion] = suggest_mappings(["Srv Name"], learned={"Srv Name": _correction("hostname", 0.92)})
    assert (suggestion.target_field, suggestion.source, suggestion.confidence) == ("hostname", "learned", 0.92)


def test_exact_match_is_only_overridden_by_a_correction_of_that_header() -> None:
    other = suggest_mappings(["Hostname"], learned={"Hostname": _correction("name", 0.95, "Host-name list")})
    same = suggest_mappings(["Hostname"], learned={"Hostname": _correction("name", 0.95, "hostname")})
    assert other[0].target_field == "hostname" and other[0].source == "exact"
    assert same[0].target_field == "name" and same[0].source == "learned"


@pytest.mark.parametrize(("similarity", "validated"), [(0.85, True), (0.97, False)])
def test_weaker_learned_match_does_not_beat_a_synonym(similarity: float, validated: bool) -> None:
    learned = {"Server": _correction("hostname", similarity, "Server", validated)}
    [suggestion] = suggest_mappings(["Server"], learned=learned)
    assert (suggestion.target_field, suggestion.source) == ("name", "synonym")


def test_weaker_learned_match_fills_a_header_nothing_else_knows() -> None:
    learned = {"Box Label": _correction("name", 0.88, "Box Lbl", validated=False)}
    [suggestion] = suggest_mappings(["Box Label"], learned=learned)
    assert (suggestion.target_field, suggestion.source) == ("name", "learned")
    assert suggestion.confidence == pytest.approx(0.88 * 0.85, abs=1e-3)
    assert "a learned pattern mapped 'Box Lbl'" in suggestion.reason


def test_learned_match_below_the_floor_is_ignored() -> None:
    [suggestion] = suggest_mappings(["Box Label"], learned={"Box Label": _correction("name", 0.7)})
    assert suggestion.target_field is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "colour"}, "not an importable asset field"),
        ({"similarity": 1.2}, "not between 0 and 1"),
        ({"scope": "planet"}, "is not one of"),
    ],
)
def test_bad_learned_match_is_refused(kwargs: dict, message: str) -> None:
    fields = {"target": "name", "similarity": 0.9, "scope": "client", "pattern_id": "p1", "header": "x"} | kwargs
    with pytest.raises(ValueError, match=message):
        LearnedMatch(**fields)


def test_values_name_a_column_whose_header_said_nothing() -> None:
    headers = ["Server Name", "Col7", "Col8"]
    samples = {
        "Col7": ["00:50:56:aa:bb:01", "00:50:56:aa:bb:02", "00:50:56:aa:bb:03", "00:50:56:aa:bb:04", "N/A"],
        "Col8": ["blue", "green", "red", "teal", "blue"],
    }
    name, mac, colour = suggest_mappings(headers, samples=samples)
    assert name.target_field == "name"
    assert (mac.target_field, mac.source) == ("mac_address", "profile")
    assert mac.confidence <= 0.75 and "MAC addresses" in mac.reason
    assert colour.target_field is None


def test_profile_does_not_take_a_target_a_header_already_has() -> None:
    samples = {"Col7": ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]}
    ip, col = suggest_mappings(["IP Address", "Col7"], samples=samples)
    assert ip.target_field == "ip_address" and col.target_field is None


def test_old_call_still_works_and_is_deterministic() -> None:
    headers = ["Srv Name", "Mem (GB)", "Enviroment", "Row ID"]
    assert suggest_mappings(headers) == suggest_mappings(headers, samples=None, learned=None)
