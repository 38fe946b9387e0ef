"""Strategy rules one by one, evidence-driven confidence, and complexity components."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.strategy_rules import (
    COMPLEXITY_WEIGHTS,
    EVIDENCE_FACTS,
    AssetFacts,
    recommend_strategy,
    score_complexity,
)
from domain.vocabulary import SIX_R_STRATEGIES

# Every evidence fact known: a busy, supported production server.
COMPLETE = dict(
    asset_type="server",
    operating_system="Windows Server 2019",
    os_version="2019",
    environment="test",
    business_criticality="medium",
    cpu_utilization_avg=30.0,
    cpu_utilization_peak=70.0,
    power_state="powered_on",
)


def _recommend(**facts: object) -> tuple[str, str, float]:
    """(strategy, deciding rule id, confidence) for COMPLETE facts overridden by `facts`."""
    recommendation = recommend_strategy(AssetFacts(**{**COMPLETE, **facts}))
    assert recommendation.source == "rule"
    assert recommendation.strategy in SIX_R_STRATEGIES
    return recommendation.strategy, recommendation.reasons[0].split(":")[0], recommendation.confidence


@pytest.mark.parametrize(
    ("facts", "strategy", "rule", "confidence"),
    [
        ({}, "rehost", "standard_server", 0.85),
        ({"power_state": "powered_off", "cpu_utilization_avg": 0.0, "cpu_utilization_peak": 0.0}, "retire",
         "powered_off_idle", 0.9),
        ({"cpu_utilization_avg": 2.0, "cpu_utilization_peak": 9.0}, "retire", "low_utilisation", 0.6),
        ({"cpu_utilization_avg": 2.0, "cpu_utilization_peak": 9.0, "environment": "production"}, "retire",
         "low_utilisation", 0.45),
        ({"asset_type": "load_balancer"}, "repurchase", "infrastructure_appliance", 0.7),
        ({"asset_type": "container"}, "replatform", "container_workload", 0.75),
        ({"asset_type": "database"}, "replatform", "managed_database", 0.7),
        ({"asset_type": "database", "operating_system": "AIX 7.2", "os_version": "7.2"}, "replatform",
         "managed_database", 0.55),
        ({"operating_system": "AIX 7.2", "os_version": "7.2"}, "retain", "proprietary_platform", 0.75),
        ({"operating_system": "Solaris 11", "os_version": "11"}, "retain", "proprietary_platform", 0.75),
        ({"operating_system": "z/OS 2.5", "os_version": "2.5"}, "retain", "proprietary_platform", 0.75),
        ({"operating_system": "Windows Server 2008 R2", "os_version": "2008 R2"}, "replatform",
         "end_of_support_os", 0.75),
        ({"operating_system": "CentOS 6", "os_version": "6"}, "replatform", "end_of_support_os", 0.75),
        ({"operating_system": "Red Hat Enterprise Linux 6", "os_version": "6", "asset_type": "application"},
         "refactor", "end_of_support_os", 0.75),
        ({"operating_system": "Ubuntu 22.04", "os_version": "22.04"}, "rehost", "standard_server", 0.85),
    ],
)
def test_each_rule_with_complete_evidence(
    facts: dict[str, object], strategy: str, rule: str, confidence: float
) -> None:
    assert _recommend(**facts) == (strategy, rule, confidence)


def test_dr_standby_is_not_retired_for_being_idle() -> None:
    strategy, rule, _ = _recommend(environment="disaster_recovery", power_state="powered_off",
                                   cpu_utilization_avg=0.0, cpu_utilization_peak=1.0)
    assert (strategy, rule) == ("rehost", "standard_server")


def test_powered_off_without_utilisation_is_a_weaker_retire() -> None:
    recommendation = recommend_strategy(AssetFacts(**{**COMPLETE, "power_state": "poweredOff",
                                                      "cpu_utilization_avg": None, "cpu_utilization_peak": None}))
    assert recommendation.strategy == "retire"
    assert recommendation.reasons[0] == "powered_off_idle: powered off; no utilisation data to confirm it is idle"
    assert recommendation.reasons[-1] == "missing facts: cpu_utilization_avg, cpu_utilization_peak"
    assert recommendation.confidence == round(0.75 * (0.5 + 0.5 * 6 / 8), 2)


def test_runner_ups_become_reasons_and_alternatives() -> None:
    facts = {**COMPLETE, "asset_type": "database", "power_state": "powered_off", "cpu_utilization_avg": 0.5,
             "cpu_utilization_peak": 2.0, "operating_system": "Windows Server 2008 R2"}
    recommendation = recommend_strategy(AssetFacts(**facts))
    assert recommendation.strategy == "retire"
    assert [reason.split(":")[0] for reason in recommendation.reasons] == [
        "powered_off_idle", "runner-up low_utilisation", "runner-up managed_database", "runner-up end_of_support_os"]
    assert recommendation.alternatives == ["retain", "replatform"]
    assert recommendation.target_platform is None


def test_missing_evidence_gives_low_confidence_rehost_that_says_why() -> None:
    recommendation = recommend_strategy(AssetFacts())
    assert recommendation.strategy == "rehost"
    assert recommendation.reasons[0].startswith("insufficient_evidence: no rule could decide")
    assert "operating system is unknown" in recommendation.reasons[0]
    assert recommendation.reasons[-1] == "missing facts: " + ", ".join(EVIDENCE_FACTS)
    assert recommendation.confidence < 0.2


def test_unrecognised_os_is_named_in_the_reason() -> None:
    recommendation = recommend_strategy(AssetFacts(**{**COMPLETE, "operating_system": "Plan 9", "os_version": "4"}))
    assert recommendation.strategy == "rehost"
    assert "'Plan 9' is not recognised" in recommendation.reasons[0]
    assert recommendation.confidence == 0.35


def test_same_rule_is_less_confident_with_less_evidence() -> None:
    full = recommend_strategy(AssetFacts(**COMPLETE)).confidence
    partial = recommend_strategy(AssetFacts(operating_system="Windows Server 2019", asset_type="server")).confidence
    bare = recommend_strategy(AssetFacts(os_family="windows")).confidence
    assert full > partial > bare


def test_unknown_os_version_weakens_standard_server() -> None:
    strategy, rule, confidence = _recommend(operating_system="Windows Server", os_version=None)
    assert (strategy, rule, confidence) == ("rehost", "standard_server", round(0.6 * (0.5 + 0.5 * 7 / 8), 2))


def test_facts_must_use_canonical_vocabularies() -> None:
    with pytest.raises(ValidationError):
        AssetFacts(environment="prod")
    with pytest.raises(ValidationError):
        AssetFacts(cpu_utilization_avg=120)
    assert AssetFacts(power_state="Stopped").power_state == "powered_off"


def test_facts_accept_cleansed_values_with_extra_keys() -> None:
    facts = AssetFacts.model_validate({"name": "web01", "os_family": "linux", "ip_addresses": ["10.0.0.1"]})
    assert facts.os_family == "linux"


def test_deterministic() -> None:
    facts = AssetFacts(**{**COMPLETE, "asset_type": "database"})
    assert recommend_strategy(facts) == recommend_strategy(facts)


def test_complexity_components_add_up_with_documented_weights() -> None:
    score = score_complexity(AssetFacts(operating_system="Windows Server 2019", storage_gb=1000,
                                        asset_type="server", dependency_count=5))
    # os 0.2, storage log10(1000/100)/2 = 0.5, database 0, dependencies 0.5; all components known.
    assert score.components == {"os": 0.2 * 30, "storage": 0.5 * 20, "database": 0.0, "dependencies": 0.5 * 25}
    assert score.score == 28.5 and score.level == "low"
    assert set(score.components) == set(COMPLEXITY_WEIGHTS)


def test_complex_asset_scores_high() -> None:
    score = score_complexity(AssetFacts(operating_system="AIX 7.2", storage_gb=20480, asset_type="database",
                                        dependency_count=25))
    assert score.score == 100.0 and score.level == "high"


def test_unknown_components_are_left_out_and_weights_rescaled() -> None:
    score = score_complexity(AssetFacts(asset_type="database", dependency_count=0))
    assert score.components == {"database": 50.0, "dependencies": 0.0}
    assert score.score == 50.0 and score.level == "medium"


@pytest.mark.parametrize(
    ("operating_system", "os_points"),
    [("Windows Server 2019", 6.0), ("Windows Server", 12.0), ("Windows Server 2008 R2", 21.0),
     ("Plan 9", 18.0), ("Solaris 11", 30.0)],
)
def test_os_component(operating_system: str, os_points: float) -> None:
    score = score_complexity(AssetFacts(operating_system=operating_system, storage_gb=50, asset_type="server"))
    assert score.components["os"] == os_points
