"""Strategy rules one by one on small hand-checked portfolios: evidence-driven confidence, evidence and
goal adjustments between close candidates, application roll-up, and complexity components."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.assessment.strategy_rules import (
    COMPLEXITY_WEIGHTS,
    EVIDENCE_FACTS,
    AssetFacts,
    BusinessGoals,
    database_engine,
    recommend_application,
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
        ({"asset_type": "storage"}, "repurchase", "infrastructure_appliance", 0.7),
        # what the asset is decides before how busy it is
        ({"asset_type": "network", "cpu_utilization_avg": 1.0, "cpu_utilization_peak": 3.0}, "retain",
         "network_device", 0.7),
        ({"asset_type": "service"}, "retain", "logical_record", 0.7),
        ({"asset_type": "cluster"}, "retain", "logical_record", 0.7),
        # .70 x (0.5 + 0.5 x 6/8): an application record knows no OS
        ({"asset_type": "application", "operating_system": None, "os_version": None}, "retain", "logical_record",
         0.61),
        ({"asset_type": "other"}, "retain", "unrecognised_type", 0.4),
        ({"asset_type": "container"}, "replatform", "container_workload", 0.75),
        ({"cpu_utilization_avg": 1.0, "cpu_utilization_peak": 3.0}, "retire", "zombie", 0.85),
        ({"cpu_utilization_avg": 1.0, "cpu_utilization_peak": 3.0, "business_criticality": "high"}, "retire",
         "zombie", 0.65),
        ({"cpu_utilization_avg": 1.0, "cpu_utilization_peak": 3.0, "network_throughput_mbps": 5.0}, "retire",
         "low_utilisation", 0.6),
        ({"cpu_utilization_avg": 1.0, "cpu_utilization_peak": 3.0, "dependent_count": 1}, "retire",
         "low_utilisation", 0.45),
        ({"cpu_utilization_avg": 2.0, "cpu_utilization_peak": 3.0}, "retire", "low_utilisation", 0.6),
        ({"cpu_utilization_avg": 1.0, "cpu_utilization_peak": 5.0}, "retire", "low_utilisation", 0.6),
        ({"asset_type": "database"}, "replatform", "managed_database", 0.6),
        ({"asset_type": "database", "database_engine": "PostgreSQL 14"}, "replatform", "managed_database", 0.75),
        ({"database_engine": "Sybase ASE 16"}, "rehost", "managed_database", 0.65),
        # replatform .55 - .10 (AIX database: complexity high) = .45 < retain .50
        ({"asset_type": "database", "operating_system": "AIX 7.2", "os_version": "7.2"}, "retain",
         "managed_database", 0.5),
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


def test_targets_follow_the_rule_and_the_engine() -> None:
    def target(**facts: object) -> str | None:
        return recommend_strategy(AssetFacts(**{**COMPLETE, **facts})).target_platform

    assert target() == "cloud VM (IaaS)"
    assert target(asset_type="database", database_engine="Microsoft SQL Server 2019") == "managed SQL Server service"
    assert target(database_engine="Informix 14") == "cloud VM (self-managed Informix)"
    assert target(asset_type="container") == "managed container platform"
    assert target(operating_system="CentOS 6", os_version="6") == "cloud VM with a supported OS"
    assert target(power_state="powered_off", cpu_utilization_avg=0.0) is None


@pytest.mark.parametrize(
    ("text", "engine"),
    [("Microsoft SQL Server 2019", "SQL Server"), ("MSSQL", "SQL Server"), ("PostgreSQL 15", "PostgreSQL"),
     ("postgres", "PostgreSQL"), ("Oracle Database 19c", "Oracle"), ("MariaDB 10.6", "MariaDB"),
     ("MySQL 8.0", "MySQL"), ("Sybase ASE 16", "SAP ASE"), ("IBM Informix", "Informix"), ("FoxPro", None)],
)
def test_database_engines_are_recognised(text: str, engine: str | None) -> None:
    found = database_engine(text)
    assert (found.name if found else None) == engine


def test_unrecognised_engine_is_named_in_the_reason() -> None:
    recommendation = recommend_strategy(AssetFacts(**{**COMPLETE, "database_engine": "FoxPro 9"}))
    assert recommendation.reasons[0] == (
        "managed_database: database engine 'FoxPro 9' is not recognised; confirm it has a managed equivalent")
    assert (recommendation.strategy, recommendation.confidence) == ("replatform", 0.6)


# A small portfolio, hand-checked (strength + goal adjustment, module docstring):
#   web01  supported Windows server      rehost .85, replatform .65
#   batch01 idle production Ubuntu       retire .45, rehost .40, replatform .35 (avg 2.5% is idle, not zombie)
PORTFOLIO = {
    "web01": AssetFacts(**COMPLETE, name="web01"),
    "batch01": AssetFacts(**{**COMPLETE, "name": "batch01", "operating_system": "Ubuntu 22.04", "os_version": "22.04",
                             "environment": "production", "cpu_utilization_avg": 2.5, "cpu_utilization_peak": 8.0}),
}


@pytest.mark.parametrize(
    ("goals", "web01", "batch01"),
    [
        ({}, ("rehost", 0.85), ("retire", 0.45)),
        # cost 5: rehost .85 + .15 x .5 = .925; retire .45 + .15 = .60 (rehost .475, replatform .35)
        ({"cost_reduction": 5}, ("rehost", 0.925), ("retire", 0.6)),
        # modernisation 5: replatform .65 + .15 = .80 > rehost .70; replatform .35 + .15 = .50 > retire .45
        ({"modernisation": 5}, ("replatform", 0.8), ("replatform", 0.5)),
    ],
)
def test_goals_tip_the_decision_between_close_candidates(
    goals: dict[str, int], web01: tuple[str, float], batch01: tuple[str, float]
) -> None:
    decided = {name: recommend_strategy(facts, BusinessGoals(**goals)) for name, facts in PORTFOLIO.items()}
    assert (decided["web01"].strategy, decided["web01"].score) == web01
    assert (decided["batch01"].strategy, decided["batch01"].score) == batch01


def test_a_goal_flip_is_explained_and_keeps_the_evidence_confidence() -> None:
    recommendation = recommend_strategy(PORTFOLIO["web01"], BusinessGoals(modernisation=5))
    assert recommendation.strategy == "replatform" and recommendation.rule == "standard_server"
    assert recommendation.components == {"rule": 0.65, "goals": 0.15}
    assert recommendation.confidence == 0.65  # goals are preference, not evidence
    assert recommendation.reasons[:2] == [
        "standard_server: Windows Server 2019 is within vendor support",
        "once adjusted for the goals (modernisation 5), replatform (0.80) beats rehost (0.70)",
    ]
    [rehost] = recommendation.runner_ups
    assert (rehost.strategy, rehost.score, rehost.components) == ("rehost", 0.7, {"rule": 0.85, "goals": -0.15})
    assert recommendation.target_platform == "managed cloud platform (PaaS)"


def test_goals_that_do_not_flip_are_still_reported() -> None:
    recommendation = recommend_strategy(PORTFOLIO["web01"], BusinessGoals(cost_reduction=5))
    assert recommendation.reasons[1] == "goals (cost reduction 5) move rehost by +0.07"
    assert recommendation.confidence == 0.85


def test_speed_relocates_an_end_of_support_vmware_vm() -> None:
    facts = AssetFacts(**{**COMPLETE, "operating_system": "Windows Server 2008 R2", "os_version": "2008 R2",
                          "is_virtual": True, "hypervisor": "VMware ESXi 7.0"})
    assert recommend_strategy(facts).strategy == "replatform"
    # speed 5: relocate .60 + .15 = .75 > replatform .75 - .075 = .675 > rehost .55 + .075 = .625
    fast = recommend_strategy(facts, BusinessGoals(speed=5))
    assert (fast.strategy, fast.score, fast.target_platform) == ("relocate", 0.75, "cloud VMware service")
    assert [(c.strategy, c.score) for c in fast.runner_ups] == [("replatform", 0.675), ("rehost", 0.625)]
    not_vmware = recommend_strategy(facts.model_copy(update={"hypervisor": "Hyper-V"}), BusinessGoals(speed=5))
    assert "relocate" not in [not_vmware.strategy, *not_vmware.alternatives]


def test_modernisation_refactors_a_proprietary_application() -> None:
    facts = AssetFacts(**{**COMPLETE, "asset_type": "application", "operating_system": "z/OS 2.5", "os_version": "2.5"})
    assert recommend_strategy(facts).strategy == "retain"
    # retain .75 - .15 = .60, refactor .55 + .15 = .70, rewrite .50 + .15 = .65
    modern = recommend_strategy(facts, BusinessGoals(modernisation=5))
    assert [(c.strategy, c.score) for c in [modern, *modern.runner_ups]] == [
        ("refactor", 0.7), ("rewrite", 0.65), ("retain", 0.6)]


def test_goal_adjustment_is_limited() -> None:
    assert BusinessGoals(speed=5, modernisation=1).adjustment("rehost") == 0.2  # .15 x (.5 + 1) = .225
    assert BusinessGoals().adjustment("refactor") == 0.0
    assert BusinessGoals(speed=5, cost_reduction=5, modernisation=5, managed_services=5).adjustment("refactor") == 0.0


def test_goals_are_validated_and_accept_spellings() -> None:
    assert BusinessGoals.model_validate({"modernization": 5, "speed_of_migration": 4}) == BusinessGoals(
        modernisation=5, speed=4)
    with pytest.raises(ValidationError, match="less than or equal to 5"):
        BusinessGoals(speed=6)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        BusinessGoals.model_validate({"sped": 4})


def test_high_complexity_is_an_evidence_adjustment_that_can_flip_the_choice() -> None:
    facts = AssetFacts(**{**COMPLETE, "asset_type": "database", "operating_system": "AIX 7.2", "os_version": "7.2"})
    recommendation = recommend_strategy(facts)
    assert recommendation.reasons[1].startswith("high_complexity: complexity 68.75 is high")
    assert recommendation.reasons[2] == "once adjusted, retain (0.50) beats replatform (0.45)"
    assert recommendation.runner_ups[0].components == {"rule": 0.55, "high_complexity": -0.1}


def test_restricted_data_favours_retain_over_saas() -> None:
    facts = AssetFacts(**{**COMPLETE, "asset_type": "load_balancer", "data_classification": "Highly Confidential"})
    assert facts.data_classification == "restricted"
    recommendation = recommend_strategy(facts)
    # repurchase .70 - .10 = .60 ties retain .50 + .10 = .60: the tie goes to the rule's own strategy.
    assert (recommendation.strategy, recommendation.score) == ("repurchase", 0.6)
    assert recommendation.runner_ups[0].components == {"rule": 0.5, "restricted_data": 0.1}
    assert recommendation.reasons[1].startswith("restricted_data: restricted data")
    assert AssetFacts(data_classification="Class B").data_classification == "Class B"  # unknown: kept as written


def test_physical_server_rehost_is_weaker() -> None:
    recommendation = recommend_strategy(AssetFacts(**{**COMPLETE, "is_virtual": False, "hypervisor": "VMware"}))
    assert (recommendation.strategy, recommendation.confidence) == ("rehost", 0.75)
    assert recommendation.reasons[1] == (
        "physical_server: a physical server needs a physical-to-virtual conversion to rehost")
    assert "relocate" not in recommendation.alternatives


def _app_asset(name: str, **facts: object) -> AssetFacts:
    return AssetFacts(**{**COMPLETE, "name": name, "application_name": "Payments", **facts})


def test_application_follows_the_confidence_weighted_majority() -> None:
    assets = [
        _app_asset("web01"),  # rehost .85
        _app_asset("web02"),  # rehost .85
        _app_asset("db01", asset_type="database", database_engine="PostgreSQL"),  # replatform .75
        _app_asset("old01", power_state="powered_off", cpu_utilization_avg=0.0),  # retire .90
    ]
    app = recommend_application(assets)
    assert (app.application_name, app.strategy, app.target_platform) == ("Payments", "rehost", "cloud VM (IaaS)")
    assert app.votes == {"rehost": 1.7, "replatform": 0.75}
    assert app.confidence == round(1.7 / 3, 2)
    assert app.runner_ups == ["replatform"]
    assert app.reasons == [
        "2 of 3 voting assets recommend rehost (summed confidence 1.70)",
        "old01: retire candidates, decommissioned with the move, not voting",
        "replatform (summed confidence 0.75): db01 (managed_database)",
    ]
    assert app.asset_strategies == {"web01": "rehost", "web02": "rehost", "db01": "replatform", "old01": "retire"}


def test_an_applications_own_record_does_not_vote_unless_it_is_alone() -> None:
    record = _app_asset("Payments", asset_type="application", operating_system=None, os_version=None)
    app = recommend_application([record, _app_asset("web01")])
    assert (app.strategy, app.votes) == ("rehost", {"rehost": 0.85})
    assert app.reasons[1] == "Payments: records with nothing of their own to move, not voting"
    alone = recommend_application([record])
    assert (alone.strategy, alone.asset_strategies) == ("retain", {"Payments": "retain"})


def test_network_devices_service_and_cluster_records_are_never_rehosted_like_servers() -> None:
    for asset_type in ("network", "service", "cluster", "other"):
        recommendation = recommend_strategy(AssetFacts(asset_type=asset_type))
        assert recommendation.strategy == "retain" and "rehost" not in recommendation.alternatives, asset_type


def test_application_of_retire_candidates_is_retired() -> None:
    app = recommend_application([_app_asset("a", cpu_utilization_avg=1.0, cpu_utilization_peak=2.0),
                                 _app_asset("b", power_state="powered_off", cpu_utilization_avg=0.0)])
    assert (app.strategy, app.confidence) == ("retire", round((0.85 + 0.9) / 2, 2))
    assert app.reasons[1] == "all 2 assets are retire candidates"


def test_application_tie_goes_to_the_strongest_vote_then_canonical_order() -> None:
    physical = _app_asset("p1", is_virtual=False)  # rehost .75
    container = _app_asset("c1", asset_type="container")  # replatform .75
    assert recommend_application([container, physical]).strategy == "rehost"
    weak = [_app_asset(f"p{i}", operating_system="Plan 9", os_version="4") for i in (1, 2)]  # rehost .35 each
    strong = _app_asset("s1", asset_type="database", database_engine="MySQL", operating_system="Windows Server",
                        os_version=None)  # replatform .75 x (0.5 + 0.5 x 7/8) = .70
    app = recommend_application([*weak, strong])
    assert app.votes == {"rehost": 0.7, "replatform": 0.7}
    assert app.strategy == "replatform"  # the strongest single vote, before canonical order


def test_application_goals_pass_through() -> None:
    assets = [_app_asset("web01"), _app_asset("web02")]
    assert recommend_application(assets, BusinessGoals(modernisation=5)).strategy == "replatform"


def test_application_input_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="needs at least one asset"):
        recommend_application([])
    with pytest.raises(ValueError, match=r"assets of several applications given: \['Billing', 'Payments'\]"):
        recommend_application([_app_asset("a"), _app_asset("b", application_name="Billing")])


def test_complexity_counts_fan_in_and_fan_out_and_named_engines() -> None:
    score = score_complexity(AssetFacts(asset_type="server", database_engine="Oracle", dependency_count=3,
                                        dependent_count=2))
    assert score.components == {"database": 25 / 50 * 100, "dependencies": 0.5 * 25 / 50 * 100}


def test_people_decisions_vote_with_full_weight() -> None:
    assets = [
        _app_asset("web01"),  # rehost .85
        _app_asset("web02"),  # rehost .85
        _app_asset("db01", asset_type="database", database_engine="PostgreSQL"),  # replatform .75
    ]
    app = recommend_application(assets, decided={0: "replatform", 1: "replatform"})
    assert app.votes == {"replatform": 2.75}
    assert (app.strategy, app.target_platform) == ("replatform", "managed PostgreSQL service")  # db01, not the people
    assert app.asset_strategies == {"web01": "replatform", "web02": "replatform", "db01": "replatform"}
    assert "web01, web02: decided by a person, voting with full weight" in app.reasons
    retired = recommend_application(assets, decided={2: "retire"})
    assert retired.votes == {"rehost": 1.7} and retired.strategy == "rehost"
