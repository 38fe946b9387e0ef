"""Migration risk and readiness of one asset, each with the components that produced it.

Risk (0..100, clipped) adds documented points:

| component           | points                   | when                                                       |
|---------------------|--------------------------|------------------------------------------------------------|
| end_of_life         | 25                       | the OS is past its vendor support (domain.os_catalogue)    |
| criticality         | 30 / 20 / 10 / 0         | critical / high / medium / low; unknown counts as 10       |
| fan_in              | 5 each, at most 25       | per asset that depends on this one                         |
| data_classification | 15 / 10 / 0 / 0          | restricted / confidential / internal / public; unknown or  |
|                     |                          | unrecognised counts as 5                                   |
| production          | 10                       | environment is production                                  |
| powered_off         | -10                      | nobody uses it today                                       |

Levels: low below 30, medium below 60, high from 60.

Readiness (0..100) starts at 100 and loses the points of each blocker; `readiness_components` holds
each blocker's (negative) points and `blockers` its sentence, in this order:

| blocker              | points | when                                                          |
|----------------------|--------|---------------------------------------------------------------|
| os_unknown           | 20     | no operating system named                                     |
| end_of_life_os       | 20     | the OS is past vendor support: upgrade or replatform first    |
| no_sizing            | 20     | cores or memory unknown: nothing to size the target from      |
| criticality_unknown  | 15     | business criticality unknown                                  |
| restricted_data      | 15     | restricted data: compliance approval before it moves          |
| environment_unknown  | 10     | environment unknown                                           |
| no_utilisation       | 10     | no peak CPU: right-sizing falls back to the allocation        |
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.assessment.strategy_rules import DATA_CLASSIFICATIONS, AssetFacts
from domain.os_catalogue import identify_os

CRITICALITY_RISK: dict[str | None, float] = {"critical": 30.0, "high": 20.0, "medium": 10.0, "low": 0.0, None: 10.0}
CLASSIFICATION_RISK: dict[str | None, float] = {"restricted": 15.0, "confidential": 10.0, "internal": 0.0,
                                                "public": 0.0, None: 5.0}
FAN_IN_POINTS, FAN_IN_LIMIT = 5.0, 25.0

BLOCKERS: dict[str, tuple[float, str]] = {
    "os_unknown": (20.0, "operating system unknown"),
    "end_of_life_os": (20.0, "operating system past vendor support: upgrade or replatform first"),
    "no_sizing": (20.0, "no CPU/memory sizing: nothing to size the target from"),
    "criticality_unknown": (15.0, "business criticality unknown"),
    "restricted_data": (15.0, "restricted data: needs compliance approval before it moves"),
    "environment_unknown": (10.0, "environment unknown"),
    "no_utilisation": (10.0, "no peak CPU utilisation: right-sizing falls back to the allocation"),
}


class RiskAssessment(BaseModel):
    """Risk and readiness scores with the points of each component and the readiness blockers."""

    model_config = ConfigDict(frozen=True)

    risk_score: float = Field(ge=0.0, le=100.0)
    risk_level: Literal["low", "medium", "high"]
    risk_components: dict[str, float]
    readiness_score: float = Field(ge=0.0, le=100.0)
    readiness_components: dict[str, float]
    blockers: list[str]


def assess_risk(facts: AssetFacts) -> RiskAssessment:
    """Risk from end of life, criticality, fan-in, data classification and use; readiness from blockers."""
    os = identify_os(facts.operating_system, facts.os_version) if facts.operating_system else None
    end_of_life = os is not None and os.end_of_support is True
    classification = facts.data_classification if facts.data_classification in DATA_CLASSIFICATIONS else None
    risk_components = {
        "end_of_life": 25.0 if end_of_life else 0.0,
        "criticality": CRITICALITY_RISK[facts.business_criticality],
        "fan_in": min(FAN_IN_LIMIT, FAN_IN_POINTS * facts.dependent_count),
        "data_classification": CLASSIFICATION_RISK[classification],
        "production": 10.0 if facts.environment == "production" else 0.0,
        "powered_off": -10.0 if facts.power_state == "powered_off" else 0.0,
    }
    risk = max(0.0, min(100.0, sum(risk_components.values())))
    present = {
        "os_unknown": not facts.operating_system,
        "end_of_life_os": end_of_life,
        "no_sizing": not (facts.cpu_cores and facts.memory_gb),
        "criticality_unknown": facts.business_criticality is None,
        "restricted_data": classification == "restricted",
        "environment_unknown": facts.environment is None,
        "no_utilisation": facts.cpu_utilization_peak is None,
    }
    found = [name for name in BLOCKERS if present[name]]
    readiness_components = {name: -BLOCKERS[name][0] for name in found}
    return RiskAssessment(
        risk_score=risk,
        risk_level="low" if risk < 30 else "medium" if risk < 60 else "high",
        risk_components=risk_components,
        readiness_score=max(0.0, 100.0 + sum(readiness_components.values())),
        readiness_components=readiness_components,
        blockers=[BLOCKERS[name][1] for name in found],
    )
