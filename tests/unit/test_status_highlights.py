"""Phase results in one line, as `status` and the Web UI's current details show them."""

from __future__ import annotations

from domain.status_highlights import phase_highlights


def test_discovery_line() -> None:
    steps = {
        "data_import": {"files": [{"file": "vmInfo.csv", "format": "google_vminfo", "role": "inventory"},
                                  {"file": "diskInfo.csv", "format": "google_diskinfo", "role": "supplement"}]},
        "attribute_mapping": {"columns": 20, "mapped": 14, "by_source": {"exact": 9, "synonym": 4, "learned": 1}},
        "data_cleansing": {"valid": 11, "quarantined": 1, "dropped_edges": 2},
        "inventory": {"assets": 11},
        "dependency_analysis": {"edges_total": 7, "dangling_references": 2},
        "tech_debt_analysis": {"flags": {"powered_off": 2, "os_end_of_life": 3}},
    }
    assert phase_highlights("discovery", steps) == (
        "11 assets; 2 files: vmInfo.csv (google_vminfo, inventory), diskInfo.csv (google_diskinfo, supplement); "
        "1 row quarantined; 2 loop-back or self edges dropped; 14/20 columns mapped (exact 9, synonym 4, learned 1); "
        "7 dependencies, 2 dangling references; tech debt: os_end_of_life 3, powered_off 2"
    )


def test_assessment_line() -> None:
    steps = {
        "strategy_recommendation": {"strategy_mix": {"rehost": 7, "retire": 2, "replatform": 2}, "decided_by_people": 1},
        "risk_scoring": {"risk_levels": {"low": 8, "high": 3}},
        "cost_projection": {"current_monthly": 2134.0, "projected_monthly": 1256.2, "savings_monthly": 877.8,
                            "currency": "USD"},
    }
    assert phase_highlights("assessment", steps) == (
        "strategies: rehost 7, replatform 2, retire 2; 1 decided by people; risk: low 8, high 3; "
        "monthly cost 2,134 USD now, 1,256 USD projected; where both are known the cloud saves 878 USD a month"
    )
    steps["cost_projection"] |= {"projected_monthly": 2646.0, "savings_monthly": -512.0}
    assert phase_highlights("assessment", steps).endswith(
        "2,646 USD projected; where both are known the cloud costs 512 USD more a month")


def test_failure_and_unknown_phase_and_empty() -> None:
    assert phase_highlights("discovery", {"error": "vmInfo.csv: duplicate column header(s): Name"}) == (
        "failed: vmInfo.csv: duplicate column header(s): Name")
    assert phase_highlights("discovery", {}) == ""
    assert phase_highlights("nonsense", {"x": {}}) == ""


def test_planning_line() -> None:
    steps = {
        "move_groups": {"move_groups": 38},
        "wave_planning": {"waves": 8, "waves_by_kind": {"non_production": 3, "production": 5}, "move_groups": 38,
                          "violations_by_rule": {"left_behind": 233, "pilot": 1}, "ordering_cycles": 0},
        "timeline": {"start": "2026-11-30", "end": "2027-03-21"},
        "cost_estimate": {"effort_person_days": 662.0},
    }
    assert phase_highlights("planning", steps) == (
        "8 waves (5 production, 3 non-production); 38 move groups; rules not met: left_behind 233, pilot 1; "
        "2026-11-30 to 2027-03-21; 662 person-days"
    )


def test_discovery_line_names_sheets_not_imported_and_header_warnings() -> None:
    skipped = {f"Sheet{n}": "no known layout; vInfo is read" for n in range(2, 9)}
    steps = {"data_import": {"files": [{"file": "book.xlsx", "format": "rvtools_vinfo", "role": "inventory",
                                        "skipped": skipped, "warnings": ["row 1 is blank, so row 2 was taken"]}]}}
    assert phase_highlights("discovery", steps) == (
        "1 file: book.xlsx (rvtools_vinfo, inventory); book.xlsx: 7 sheets not imported: "
        + "; ".join(f"Sheet{n} (no known layout; vInfo is read)" for n in range(2, 7))
        + "; 2 more in `imports list`; book.xlsx: row 1 is blank, so row 2 was taken"
    )


def test_execution_names_waves_that_did_not_complete() -> None:
    line = phase_highlights("execution", {"wave_execution": {
        "waves_executed": 1, "assets_migrated": 12, "assets_abandoned": 2, "waves_rolled_back": [2],
        "waves_not_completed": {"3": "held back: a wave it depends on did not complete"}}})
    assert line == ("1 wave executed, 12 assets migrated; 2 abandoned; rolled back: wave 2; "
                    "not completed: wave 3 held back: a wave it depends on did not complete")
