"""Cost model on hand-checked assets: current cost from input or model, right-sizing on p95 x comfort
factor against a dated price table, savings, and totals per application, wave and engagement."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from domain.assessment.cost_model import CostEstimate, estimate_cost, roll_up, total
from domain.assessment.price_table import PriceTable, bundled_price_table, parse_price_table

# Monthly (x 730 h): s 73.00, hm 109.50, m 146.00, l 292.00; storage 0.10 per GB; Windows 30 per vCPU.
SMALL_TABLE = {
    "provider": "testcloud", "region": "lab-1", "currency": "USD", "as_of": "2026-10-01", "source": "hand-made",
    "hours_per_month": 730, "storage_gb_month": 0.1, "windows_vcpu_month": 30.0,
    "instances": [
        {"name": "s", "vcpu": 2, "memory_gb": 4, "hourly": 0.1},
        {"name": "m", "vcpu": 4, "memory_gb": 16, "hourly": 0.2},
        {"name": "hm", "vcpu": 2, "memory_gb": 16, "hourly": 0.15},
        {"name": "l", "vcpu": 8, "memory_gb": 32, "hourly": 0.4},
    ],
}


@pytest.fixture
def table(tmp_path: Path) -> PriceTable:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(SMALL_TABLE))
    return parse_price_table(path.read_text(), path.name)


# 8 cores, 32 GB, 500 GB: on-premises model 28 x 8 + 4.5 x 32 + 0.12 x 500 = 224 + 144 + 60 = 428.00
SERVER = dict(strategy="rehost", cpu_cores=8, memory_gb=32.0, storage_gb=500.0, cpu_p95_pct=25.0,
              memory_p95_pct=30.0, current_monthly_cost=None)


def _estimate(table: PriceTable, **changes: object) -> CostEstimate:
    return estimate_cost(**{**SERVER, **changes}, prices=table)


def test_right_sizing_picks_the_smallest_instance_that_fits_p95_times_comfort(table: PriceTable) -> None:
    estimate = _estimate(table)
    # needs 8 x 25% x 1.3 = 2.6 vCPU and 32 x 30% x 1.3 = 12.48 GB: hm (2 vCPU) is too small, m fits.
    assert (estimate.needed_vcpu, estimate.needed_memory_gb, estimate.instance_type) == (2.6, 12.48, "m")
    assert estimate.components == {"compute": 146.0, "storage": 50.0}
    assert (estimate.current_monthly, estimate.current_source) == (428.0, "model")
    assert (estimate.projected_monthly, estimate.savings_monthly) == (196.0, 232.0)
    assert estimate.reasons == [
        "current cost modelled from 8 cores, 32 GB memory, 500 GB storage",
        "needs 2.6 vCPU = 8 x p95 25% x 1.3",
        "needs 12.48 GB memory = 32 x p95 30% x 1.3",
        "m (4 vCPU, 16 GB) is the smallest fit in testcloud lab-1, prices as of 2026-10-01",
    ]


def test_the_result_records_the_price_table(table: PriceTable) -> None:
    estimate = _estimate(table)
    assert (estimate.price_provider, estimate.price_region, estimate.prices_as_of, estimate.currency) == (
        "testcloud", "lab-1", date(2026, 10, 1), "USD")
    assert estimate.comfort_factor == 1.3


@pytest.mark.parametrize(
    ("changes", "instance", "projected"),
    [
        ({"cpu_p95_pct": 15.0}, "hm", 159.5),  # 1.56 vCPU, 12.48 GB: hm 109.50 + 50
        ({"comfort_factor": 1.0}, "hm", 159.5),  # 2.0 vCPU, 9.6 GB
        ({"cpu_p95_pct": 10.0, "memory_p95_pct": 5.0}, "s", 123.0),  # 1.04 vCPU, 2.08 GB: s 73 + 50
        ({"cpu_p95_pct": None, "memory_p95_pct": None}, "l", 342.0),  # allocation as it is: 8 vCPU, 32 GB
        ({"os_family": "windows"}, "m", 316.0),  # + 4 vCPU x 30
        ({"storage_used_gb": 100.0}, "m", 159.0),  # storage 100 x 1.3 = 130 GB
        ({"storage_used_gb": 450.0}, "m", 196.0),  # 585 GB capped at the 500 allocated
    ],
)
def test_sizing_variants(table: PriceTable, changes: dict[str, object], instance: str, projected: float) -> None:
    estimate = _estimate(table, **changes)
    assert (estimate.instance_type, estimate.projected_monthly) == (instance, projected)
    assert estimate.projected_monthly == round(sum(estimate.components.values()), 2)


def test_unknown_utilisation_is_said(table: PriceTable) -> None:
    reasons = _estimate(table, cpu_p95_pct=None).reasons
    assert "needs 8 vCPU: utilisation unknown, so the allocation as it is" in reasons


@pytest.mark.parametrize(
    ("strategy", "projected", "savings"),
    [("retire", 0.0, 428.0), ("retain", 428.0, 0.0), ("repurchase", None, None), ("replatform", 196.0, 232.0),
     ("relocate", 196.0, 232.0), (None, 196.0, 232.0)],
)
def test_projection_by_strategy(
    table: PriceTable, strategy: str | None, projected: float | None, savings: float | None
) -> None:
    estimate = _estimate(table, strategy=strategy)
    assert (estimate.projected_monthly, estimate.savings_monthly) == (projected, savings)


def test_repurchase_says_why_it_has_no_projection(table: PriceTable) -> None:
    assert _estimate(table, strategy="repurchase").reasons[-1] == (
        "repurchase: the SaaS subscription price is not in the price table")


def test_input_cost_wins_over_the_model(table: PriceTable) -> None:
    estimate = _estimate(table, current_monthly_cost=500)
    assert (estimate.current_monthly, estimate.current_source, estimate.savings_monthly) == (500.0, "input", 304.0)


def test_without_sizing_nothing_is_invented(table: PriceTable) -> None:
    estimate = _estimate(table, cpu_cores=None)
    assert (estimate.current_monthly, estimate.current_source, estimate.projected_monthly) == (None, "unknown", None)
    assert estimate.reasons == ["current cost unknown: no cost in the input and no cores/memory to model it",
                                "no projection: cores and memory are needed to size the instance"]
    assert _estimate(table, cpu_cores=None, strategy="retire").savings_monthly is None


def test_too_big_for_the_table(table: PriceTable) -> None:
    estimate = _estimate(table, cpu_cores=64, cpu_p95_pct=None)
    assert (estimate.projected_monthly, estimate.instance_type, estimate.needed_vcpu) == (None, None, 64.0)
    assert estimate.reasons[-1] == (
        "no instance in testcloud lab-1, prices as of 2026-10-01 has 64 vCPU and 12.48 GB memory")


def test_another_currency_is_not_compared(table: PriceTable) -> None:
    estimate = _estimate(table, current_monthly_cost=400, cost_currency="EUR")
    assert (estimate.current_monthly, estimate.projected_monthly, estimate.savings_monthly) == (400.0, None, None)
    assert estimate.reasons[-1] == "the price table is in USD, the asset's costs in EUR"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy": "lift and shift"}, "'lift and shift' is not one of"),
        ({"comfort_factor": 0.9}, "the comfort factor must be at least 1, not 0.9"),
        ({"cpu_cores": -2}, "cpu_cores must not be negative, not -2"),
        ({"cpu_p95_pct": 120.0}, r"cpu_p95_pct must be a percentage 0\.\.100, not 120\.0"),
        ({"current_monthly_cost": -1}, "current_monthly_cost must not be negative"),
    ],
)
def test_bad_input_is_refused_clearly(table: PriceTable, changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _estimate(table, **changes)


def test_totals_per_application_wave_and_engagement(table: PriceTable) -> None:
    web = _estimate(table)  # current 428, projected 196, savings 232
    old = _estimate(table, strategy="retire")  # current 428, projected 0, savings 428
    saas = _estimate(table, strategy="repurchase", current_monthly_cost=100)  # current 100, no projection
    bare = _estimate(table, cpu_cores=None)  # nothing known
    by_application = roll_up([("Payments", web), ("Payments", old), ("CRM", saas), ("CRM", bare)])
    assert list(by_application) == ["Payments", "CRM"]
    assert by_application["Payments"].model_dump() == {
        "assets": 2, "current_monthly": 856.0, "projected_monthly": 196.0, "savings_monthly": 660.0,
        "without_current": 0, "without_projection": 0}
    assert by_application["CRM"].model_dump() == {
        "assets": 2, "current_monthly": 100.0, "projected_monthly": 0.0, "savings_monthly": 0.0,
        "without_current": 1, "without_projection": 2}
    by_wave = roll_up([(1, web), (2, old), (2, saas)])
    assert (by_wave[1].savings_monthly, by_wave[2].savings_monthly) == (232.0, 428.0)
    engagement = total([web, old, saas, bare])
    assert (engagement.assets, engagement.current_monthly, engagement.savings_monthly) == (4, 956.0, 660.0)
    assert total([]).assets == 0


def test_bundled_table_is_dated_and_sizes_on_real_instance_types() -> None:
    bundled = bundled_price_table()
    assert (bundled.provider, bundled.region, bundled.currency, bundled.as_of) == (
        "aws", "us-east-1", "USD", date(2026, 10, 1))
    assert [bundled.smallest_fitting(*need).name for need in [(2, 4), (2, 8), (2, 16), (3, 8), (3, 20)]] == [
        "c6i.large", "m6i.large", "r6i.large", "c6i.xlarge", "r6i.xlarge"]
    assert bundled.monthly(bundled.smallest_fitting(2, 8)) == 70.08  # 0.096 x 730
    default = estimate_cost(**SERVER)
    # 2.6 vCPU, 12.48 GB: m6i.xlarge (4, 16) at 140.16 is cheaper than c6i.2xlarge (8, 16) at 248.20
    assert (default.instance_type, default.price_region) == ("m6i.xlarge", "us-east-1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"prices\.json: not JSON"),
        (json.dumps({**SMALL_TABLE, "currency": "usd"}), r"prices\.json: not a price table \(currency: String should"),
        (json.dumps({k: v for k, v in SMALL_TABLE.items() if k != "as_of"}), r"as_of: Field required"),
        (json.dumps({**SMALL_TABLE, "instances": []}), r"instances: .*at least 1 item"),
        (json.dumps({**SMALL_TABLE, "instances": SMALL_TABLE["instances"] * 2}),
         "instance types listed twice: hm, l, m, s"),
        (json.dumps({**SMALL_TABLE, "instances": [{"name": "x", "vcpu": 0, "memory_gb": 1, "hourly": 1}]}),
         r"instances\.0\.vcpu: Input should be greater than 0"),
    ],
)
def test_a_bad_price_table_names_its_file_and_fault(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        parse_price_table(path.read_text(), path.name)
