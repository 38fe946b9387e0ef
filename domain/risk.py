"""Migration risk and readiness of one asset, with the components that produced them.

Risk (0..100) adds documented weights:

| component | weight | when |
| --- | --- | --- |
| end_of_life | 25 | the OS is past its end of general support |
| criticality | 30/20/10/0 | critical / high / medium / low (unknown: 10, and it is a readiness blocker) |
| fan_in | up to 25 | 5 per asset that depends on this one |
| production | 10 | environment is production |
| powered_off | -10 | nobody uses it today (floor 0) |

Readiness (0..100) starts at 100 and loses 20 per blocker: unknown OS, unknown environment,
unknown criticality, no sizing (cores/memory), end-of-life OS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_CRITICALITY_RISK = {"critical": 30.0, "high": 20.0, "medium": 10.0, "low": 0.0}


@dataclass(frozen=True)
class RiskAssessment:
    risk_score: float
    readiness_score: float
    components: dict[str, float] = field(default_factory=dict)
    blockers: list[str] = field(default_factory=list)


def assess_risk(
    *,
    end_of_life: bool,
    criticality: str | None,
    dependent_count: int,
    environment: str | None,
    powered_off: bool,
    operating_system: str | None,
    has_sizing: bool,
) -> RiskAssessment:
    components = {
        "end_of_life": 25.0 if end_of_life else 0.0,
        "criticality": _CRITICALITY_RISK.get(criticality or "", 10.0),
        "fan_in": float(min(25, 5 * dependent_count)),
        "production": 10.0 if environment == "production" else 0.0,
        "powered_off": -10.0 if powered_off else 0.0,
    }
    risk = max(0.0, min(100.0, sum(components.values())))
    blockers = [
        message
        for present, message in (
            (operating_system is None, "operating system unknown"),
            (environment is None, "environment unknown"),
            (criticality is None, "business criticality unknown"),
            (not has_sizing, "no CPU/memory sizing"),
            (end_of_life, "operating system past end of support"),
        )
        if present
    ]
    return RiskAssessment(risk, max(0.0, 100.0 - 20.0 * len(blockers)), components, blockers)
