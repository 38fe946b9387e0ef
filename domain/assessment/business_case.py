"""The engagement's business case: current against projected cost, over the assumptions' horizon with
the one-off migration labour, and how it moves when a main driver is 20 % higher or lower.

Sensitivity is exact for the model: every cost component is linear in its price, so the savings with a
driver scaled by `f` are the savings plus (f - 1) x (the driver's current components - its projected
components), summed over the assets that have both figures (docs/business-case.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.assessment.assumptions import AssumptionRow, TcoAssumptions

SENSITIVITY_CHANGE = 0.20
# driver -> the (side, component) pairs it scales; components as domain.assessment.cost_model names them
# (a retained asset keeps its on-premises components on the projected side too)
DRIVERS: dict[str, tuple[tuple[str, str], ...]] = {
    "server hardware": (("current", "hardware"), ("projected", "hardware")),
    "administration labour": (("current", "labour"), ("projected", "labour")),
    "power": (("current", "power"), ("projected", "power")),
    "licences": tuple((side, name) for side in ("current", "projected")
                      for name in ("os_licence", "database_licence", "virtualisation")),
    "cloud compute price": (("projected", "compute"),),
}


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """The monthly savings with one driver 20 % lower and 20 % higher."""

    driver: str
    lower: float
    higher: float


@dataclass(frozen=True, slots=True)
class BusinessCase:
    """Current against projected monthly cost of the assets that have both figures, over the horizon."""

    currency: str
    assets: int  # with both figures
    assets_left_out: int  # without a current or a projected cost
    current_monthly: float
    projected_monthly: float
    horizon_years: int
    pricing_term: str
    migration_cost: float | None  # one-off labour from the plan's effort, None: not planned yet
    assumptions: tuple[AssumptionRow, ...]
    sensitivity: tuple[Sensitivity, ...]
    by_term: tuple[tuple[str, float], ...] = ()  # (pricing term, monthly savings at that term)

    @property
    def savings_monthly(self) -> float:
        return round(self.current_monthly - self.projected_monthly, 2)

    @property
    def savings_over_horizon(self) -> float:
        """Monthly savings over the horizon, less the one-off migration labour."""
        return round(self.savings_monthly * 12 * self.horizon_years - (self.migration_cost or 0.0), 2)


def sensitivity(savings_monthly: float, components: Mapping[tuple[str, str], float],
                change: float = SENSITIVITY_CHANGE) -> tuple[Sensitivity, ...]:
    """The savings with each driver `change` lower and higher; `components` sums (side, component) over the
    assets that have both figures."""
    rows = []
    for driver, parts in DRIVERS.items():
        weight = sum(components.get(part, 0.0) * (1 if part[0] == "current" else -1) for part in parts)
        rows.append(Sensitivity(driver, round(savings_monthly - change * weight, 2),
                                round(savings_monthly + change * weight, 2)))
    return tuple(rows)


def savings_by_term(savings_monthly: float, compute: float, assumptions: TcoAssumptions) -> tuple[tuple[str, float], ...]:
    """The monthly savings at each pricing term, from the projected `compute` at the engagement's term: compute
    at term t is the on-demand price x (1 - t's discount), and the cloud network follows it by its share."""
    on_demand = compute / (1 - assumptions.term_discount)
    discounts = {"payg": 0.0, "1y": assumptions.cloud_discount_1y, "3y": assumptions.cloud_discount_3y}
    return tuple((term, round(savings_monthly + (compute - on_demand * (1 - discount))
                              * (1 + assumptions.cloud_network_share), 2))
                 for term, discount in discounts.items())


def difference_text(savings: float, currency: str, period: str = "a month") -> str:
    """Savings as a person says them: 'saves 1,200 USD a month', 'costs 4,763 USD more a month'."""
    amount = f"{abs(savings):,.0f} {currency}"
    if round(savings) == 0:
        words = ["costs the same", period]
    else:
        words = ["saves", amount, period] if savings > 0 else ["costs", amount, "more", period]
    return " ".join(word for word in words if word)
