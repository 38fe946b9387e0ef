"""The business case's pure parts: the sensitivity of the savings to each driver (exact, the model being
linear in its prices), the horizon with the one-off labour, and savings worded as a person says them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.assessment.assumptions import resolve
from domain.assessment.business_case import DRIVERS, BusinessCase, difference_text, savings_by_term, sensitivity

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


def test_savings_at_each_pricing_term_follow_the_compute_and_its_network_share() -> None:
    payg = resolve({"cloud_discount_1y": 0.3, "cloud_discount_3y": 0.5, "cloud_network_share": 0.1})
    # on demand 1,000 a month: 1 year saves 300 more, 3 years 500, each with 10 % network on top
    assert savings_by_term(-200.0, 1000.0, payg) == (("payg", -200.0), ("1y", 130.0), ("3y", 350.0))
    committed = payg.model_copy(update={"cloud_pricing_term": "3y"})  # the same estate priced at 3 years: 500
    assert savings_by_term(350.0, 500.0, committed) == (("payg", -200.0), ("1y", 130.0), ("3y", 350.0))


def test_a_retained_assets_hardware_and_power_move_on_both_sides() -> None:
    kept = {("current", "hardware"): 100.0, ("projected", "hardware"): 100.0, ("current", "power"): 50.0,
            ("projected", "power"): 50.0}
    assert all((row.lower, row.higher) == (0.0, 0.0) for row in sensitivity(0.0, kept))
