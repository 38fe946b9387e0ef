"""Risk and readiness on small hand-checked assets: every component and blocker, and their sums."""

from __future__ import annotations

import pytest

from domain.assessment.risk import BLOCKERS, assess_risk
from domain.assessment.strategy_rules import AssetFacts

# A supported, sized, measured test server of medium criticality with internal data: 10 + 0 points of risk.
READY = dict(
    operating_system="Ubuntu 22.04",
    environment="test",
    business_criticality="medium",
    data_classification="internal",
    cpu_cores=4,
    memory_gb=16,
    cpu_utilization_avg=20.0,
    cpu_utilization_peak=60.0,
    power_state="powered_on",
)


def _assess(**facts: object):
    return assess_risk(AssetFacts(**{**READY, **facts}))


def test_a_ready_asset_has_only_its_criticality_risk_and_no_blockers() -> None:
    result = _assess()
    assert result.risk_components == {"end_of_life": 0.0, "criticality": 10.0, "fan_in": 0.0,
                                      "data_classification": 0.0, "production": 0.0, "powered_off": 0.0}
    assert (result.risk_score, result.risk_level) == (10.0, "low")
    assert (result.readiness_score, result.readiness_components, result.blockers) == (100.0, {}, [])


def test_risky_asset_adds_every_component() -> None:
    # 25 end of life + 30 critical + 25 (fan-in 7, capped) + 15 restricted + 10 production = 105 -> 100
    result = _assess(operating_system="Windows Server 2012 R2", business_criticality="critical", dependent_count=7,
                     data_classification="PCI", environment="production")
    assert result.risk_components == {"end_of_life": 25.0, "criticality": 30.0, "fan_in": 25.0,
                                      "data_classification": 15.0, "production": 10.0, "powered_off": 0.0}
    assert (result.risk_score, result.risk_level) == (100.0, "high")
    assert result.readiness_components == {"end_of_life_os": -20.0, "restricted_data": -15.0}
    assert result.readiness_score == 65.0
    assert result.blockers == ["operating system past vendor support: upgrade or replatform first",
                               "restricted data: needs compliance approval before it moves"]


@pytest.mark.parametrize(
    ("facts", "component", "points"),
    [
        ({"business_criticality": "high"}, "criticality", 20.0),
        ({"business_criticality": "low"}, "criticality", 0.0),
        ({"business_criticality": None}, "criticality", 10.0),
        ({"dependent_count": 2}, "fan_in", 10.0),
        ({"data_classification": "Confidential"}, "data_classification", 10.0),
        ({"data_classification": "public"}, "data_classification", 0.0),
        ({"data_classification": None}, "data_classification", 5.0),
        ({"data_classification": "Class B"}, "data_classification", 5.0),  # unrecognised counts as unknown
        ({"power_state": "poweredOff"}, "powered_off", -10.0),
        ({"operating_system": "Windows Server", "os_version": None}, "end_of_life", 0.0),  # support not known
    ],
)
def test_risk_components(facts: dict[str, object], component: str, points: float) -> None:
    result = _assess(**facts)
    assert result.risk_components[component] == points
    assert result.risk_score == max(0.0, sum(result.risk_components.values()))


def test_risk_levels_and_floor() -> None:
    assert _assess(business_criticality="low", power_state="powered_off").risk_score == 0.0  # -10 floored
    medium = _assess(business_criticality="high", environment="production")  # 20 + 10
    assert (medium.risk_score, medium.risk_level) == (30.0, "medium")
    high = _assess(business_criticality="critical", environment="production", dependent_count=4)  # 30 + 10 + 20
    assert (high.risk_score, high.risk_level) == (60.0, "high")


def test_an_unknown_asset_is_blocked_for_every_missing_fact() -> None:
    result = assess_risk(AssetFacts())
    assert list(result.readiness_components) == ["os_unknown", "no_sizing", "criticality_unknown",
                                                 "environment_unknown", "no_utilisation"]
    assert result.readiness_score == 100 - 20 - 20 - 15 - 10 - 10
    assert result.blockers == [BLOCKERS[name][1] for name in result.readiness_components]


def test_sizing_needs_cores_and_memory() -> None:
    assert _assess(memory_gb=None).readiness_components == {"no_sizing": -20.0}
    assert _assess(cpu_cores=0).readiness_components == {"no_sizing": -20.0}
    assert _assess(cpu_utilization_avg=None).blockers == []  # the peak alone still sizes it
    assert _assess(cpu_utilization_peak=None).readiness_components == {"no_utilisation": -10.0}
