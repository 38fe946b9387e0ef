"""The business case's pure parts: the sensitivity of the savings to each driver (exact, the model being
linear in its prices), the horizon with the one-off labour, and savings worded as a person says them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.assessment.business_case import DRIVERS, BusinessCase, difference_text, sensitivity

COMPONENTS = {("current", "hardware"): 1000.0, ("current", "labour"): 3000.0, ("projected", "labour"): 2000.0,
              ("current", "power"): 500.0, ("current", "os_licence"): 400.0, ("projected", "os_licence"): 900.0,
              ("projected", "compute"): 2500.0}


def test_each_driver_moves_the_savings_by_its_share_of_each_side() -> None:
    rows = {row.driver: (row.lower, row.higher) for row in sensitivity(100.0, COMPONENTS)}
    assert list(rows) == list(DRIVERS)
    assert rows == {
        "server hardware": (-100.0, 300.0),  # 20 % of 1,000 on the current side
        "administration labour": (-100.0, 300.0),  # 20 % of (3,000 - 2,000)
        "power": (0.0, 200.0),
        "licences": (200.0, 0.0),  # 20 % of (400 - 900): dearer licences favour staying
        "cloud compute price": (600.0, -400.0),  # 20 % of -2,500
    }


@pytest.mark.parametrize(("savings", "period", "text"), [
    (1200.0, "a month", "saves 1,200 USD a month"),
    (-4763.2, "a month", "costs 4,763 USD more a month"),
    (0.4, "a month", "costs the same a month"),
    (-1.0, "", "costs 1 USD more"),
    (36_000.0, "over 3 years", "saves 36,000 USD over 3 years"),
])
def test_savings_are_said_as_people_say_them(savings: float, period: str, text: str) -> None:
    assert difference_text(savings, "USD", period) == text


def test_over_the_horizon_the_one_off_labour_is_paid_once() -> None:
    case = BusinessCase(currency="USD", assets=2, assets_left_out=0, current_monthly=1000.0, projected_monthly=700.0,
                        horizon_years=3, pricing_term="payg", migration_cost=5000.0, assumptions=(), sensitivity=())
    assert (case.savings_monthly, case.savings_over_horizon) == (300.0, 300.0 * 36 - 5000.0)
    assert replace(case, migration_cost=None).savings_over_horizon == 10800.0  # not planned yet: none counted
