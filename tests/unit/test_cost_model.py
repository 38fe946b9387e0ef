"""Cost model on hand-checked assets: current cost from input or model, right-sizing on p95 x comfort
factor against a dated price table, savings, and totals per application, wave and engagement."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from domain.assessment.assumptions import (
    bundled_assumptions,
    parse_assignments,
    parse_assumption_table,
    resolve,
)
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


# Round assumptions, so every figure below is checked by hand (a month = 730 h; licences over 5 years).
HAND = {
    "hardware_price_per_core": 240, "hardware_price_per_memory_gb": 12, "hardware_refresh_years": 4,
    "vcpus_per_core": 1, "storage_price_per_gb": 2.4, "storage_refresh_years": 4, "storage_maintenance_rate": 0.1,
    "backup_per_server_year": 600, "network_share": 0.1, "network_refresh_years": 5, "network_maintenance_rate": 0.15,
    "watts_per_core": 20, "pue": 1.5, "electricity_price_kwh": 0.1, "facility_unused_capacity": 0.2,
    "colocation_price_per_kw_month": 200, "windows_price_per_core": 60, "linux_subscription_year": 720,
    "linux_vms_per_subscription": 2, "sql_server_price_per_core": 1200, "oracle_price_per_core": 12000,
    "licence_amortisation_years": 5, "microsoft_support_rate": 0.25, "oracle_support_rate": 0.2,
    "virtualisation_price_per_core_year": 360, "admin_salary_year": 100000, "labour_overhead": 1.2,
    "physical_servers_per_admin": 50, "virtual_machines_per_admin": 100, "cloud_discount_1y": 0.3,
    "cloud_discount_3y": 0.5, "cloud_backup_gb_month": 0.05, "cloud_network_share": 0.1,
    "cloud_sql_server_per_vcpu_month": 50, "managed_database_multiplier": 2,
}
# 8 cores, 32 GB, 500 GB, the same for every asset of these tests:
SHARED = {
    "hardware": 48.0,  # (8 x 240 + 32 x 12) / 48 months
    "storage": 35.0,  # 500 x 2.4 = 1,200: / 48 + 1,200 x 10% / 12
    "backup": 50.0,  # 600 / 12
    "network": 10.22,  # 10% x (2,304 + 1,200) = 350.40: / 60 + 350.40 x 15% / 12
    "power": 17.52,  # 8 x 20 W = 0.16 kW x PUE 1.5 x 730 h x 0.10
    "facilities": 40.0,  # 0.16 kW / (1 - 20% unused) x 200
}
# a VMware VM with Windows and SQL Server: Windows 8 cores x (60/60 + 60 x 25%/12 = 2.25); SQL Server 8 x
# (1,200/60 + 1,200 x 25%/12 = 45); VMware 8 host cores x 360 / 12; labour 100,000 x 1.2 / 100 VMs / 12
WINDOWS_SQL_CURRENT = {**SHARED, "os_licence": 18.0, "database_licence": 360.0, "virtualisation": 240.0,
                       "labour": 100.0}  # 918.74
SERVER = dict(strategy="rehost", cpu_cores=8, memory_gb=32.0, storage_gb=500.0, cpu_p95_pct=25.0,
              memory_p95_pct=30.0, current_monthly_cost=None, os_family="windows", is_virtual=True,
              hypervisor="VMware ESXi 7", database_engine="MSSQL")


def _estimate(table: PriceTable, overrides: dict[str, object] | None = None, **changes: object) -> CostEstimate:
    return estimate_cost(**{**SERVER, **changes}, prices=table, assumptions=resolve({**HAND, **(overrides or {})}))


def test_windows_sql_server_vm_current_tco_and_projection(table: PriceTable) -> None:
    estimate = _estimate(table)
    assert estimate.current_components == WINDOWS_SQL_CURRENT
    assert (estimate.current_monthly, estimate.current_source) == (918.74, "model")
    # needs 8 x 25% x 1.3 = 2.6 vCPU and 32 x 30% x 1.3 = 12.48 GB: hm (2 vCPU) is too small, m (4, 16) fits.
    assert (estimate.needed_vcpu, estimate.needed_memory_gb, estimate.instance_type) == (2.6, 12.48, "m")
    # m 146; storage 500 x 0.10; backup 500 x 0.05; network 10% x (146 + 50); Windows 4 vCPU x 30 (the table);
    # SQL Server 4 vCPU x 50; labour of a VM 100
    assert estimate.components == {"compute": 146.0, "storage": 50.0, "backup": 25.0, "network": 19.6,
                                   "os_licence": 120.0, "database_licence": 200.0, "labour": 100.0}
    assert (estimate.projected_monthly, estimate.savings_monthly, estimate.pricing_term) == (660.6, 258.14, "payg")
    assert estimate.reasons == [
        "current cost modelled as total cost of ownership of a virtual machine on VMware ESXi 7: 8 cores, "
        "32 GB memory, 500 GB storage; licences: Windows Server, SQL Server",
        "needs 2.6 vCPU = 8 x p95 25% x 1.3",
        "needs 12.48 GB memory = 32 x p95 30% x 1.3",
        "m (4 vCPU, 16 GB) is the smallest fit in testcloud lab-1, prices as of 2026-10-01, pay-as-you-go",
    ]


def test_bring_your_own_licence_keeps_only_software_assurance_in_the_cloud(table: PriceTable) -> None:
    estimate = _estimate(table, {"byol": True})
    assert estimate.current_monthly == 918.74  # the licences are still owned and counted on-premises
    # Windows: 8 cores x 60 x 25% / 12 = 10; SQL Server: 8 cores x 1,200 x 25% / 12 = 200
    assert (estimate.components["os_licence"], estimate.components["database_licence"]) == (10.0, 200.0)
    assert estimate.projected_monthly == 550.6
    assert estimate.reasons[-1].startswith("bring your own licence")


@pytest.mark.parametrize(("term", "compute", "projected"), [("payg", 146.0, 660.6), ("1y", 102.2, 612.42),
                                                            ("3y", 73.0, 580.3)])
def test_reserved_terms_discount_compute_only(table: PriceTable, term: str, compute: float, projected: float) -> None:
    estimate = _estimate(table, {"cloud_pricing_term": term})  # network follows: 10% x (compute + 50)
    assert (estimate.components["compute"], estimate.projected_monthly) == (compute, projected)
    assert estimate.components["os_licence"] == 120.0


def test_linux_physical_server(table: PriceTable) -> None:
    estimate = _estimate(table, os_family="linux", operating_system="Red Hat Enterprise Linux 8", is_virtual=False,
                         hypervisor=None, database_engine=None)
    # a whole RHEL subscription (720 / 12), no VMware, labour 120,000 / 50 servers / 12
    assert estimate.current_components == {**SHARED, "os_licence": 60.0, "database_licence": 0.0,
                                           "virtualisation": 0.0, "labour": 200.0}
    assert estimate.current_monthly == 460.74
    # in the cloud a VM: half a subscription (30), a VM's labour (100)
    assert (estimate.components["os_licence"], estimate.components["labour"], estimate.projected_monthly) == (
        30.0, 100.0, 370.6)
    assert estimate.savings_monthly == 90.14
    assert "of a physical server" in estimate.reasons[0]


def test_missing_utilisation_sizes_as_is_and_says_so(table: PriceTable) -> None:
    estimate = _estimate(table, cpu_p95_pct=None, memory_p95_pct=None, os_family="linux", operating_system="Ubuntu 22.04",
                         database_engine=None)
    assert (estimate.needed_vcpu, estimate.needed_memory_gb, estimate.instance_type) == (8.0, 32.0, "l")
    assert estimate.projected_monthly == 501.2  # l 292 + 50 + 25 + 10% x 342 + no licence + 100
    assert "needs 8 vCPU: utilisation unknown, so the allocation as it is" in estimate.reasons
    assert "needs 32 GB memory: utilisation unknown, so the allocation as it is" in estimate.reasons


def test_replatformed_database_is_priced_as_a_managed_database(table: PriceTable) -> None:
    estimate = _estimate(table, strategy="replatform", asset_type="database", os_family="linux",
                         operating_system="Ubuntu 22.04", database_engine="PostgreSQL 15")
    assert estimate.current_monthly == 540.74  # no licences: 48 + 35 + 50 + 10.22 + 17.52 + 40 + 240 + 100
    # m 146 x 2; no OS licence on a managed database; network 10% x (292 + 50)
    assert estimate.components == {"compute": 292.0, "storage": 50.0, "backup": 25.0, "network": 34.2,
                                   "os_licence": 0.0, "database_licence": 0.0, "labour": 100.0}
    assert estimate.reasons[-1] == "replatformed database priced as a managed database: the instance x 2"
    assert _estimate(table, database_engine="PostgreSQL 15").components["compute"] == 146.0  # rehost: a VM


def test_oracle_brings_its_licence_always(table: PriceTable) -> None:
    estimate = _estimate(table, os_family="linux", operating_system="Oracle Linux 8", database_engine="Oracle 19c")
    # owned: 8 x (12,000 / 60 + 12,000 x 20% / 12) = 3,200; in the cloud its support: 8 x 12,000 x 20% / 12
    assert (estimate.current_components["database_licence"], estimate.components["database_licence"]) == (
        3200.0, 1600.0)


def test_a_vm_on_another_hypervisor_has_no_vmware_licence(table: PriceTable) -> None:
    assert _estimate(table, hypervisor="Microsoft Hyper-V").current_components["virtualisation"] == 0.0
    unsaid = _estimate(table, is_virtual=None, hypervisor=None)
    assert unsaid.current_components["virtualisation"] == 240.0
    assert "does not say whether it is one" in unsaid.reasons[0]


def test_the_result_records_the_price_table(table: PriceTable) -> None:
    estimate = _estimate(table)
    assert (estimate.price_provider, estimate.price_region, estimate.prices_as_of, estimate.currency) == (
        "testcloud", "lab-1", date(2026, 10, 1), "USD")
    assert estimate.comfort_factor == 1.3


@pytest.mark.parametrize(
    ("changes", "instance", "compute"),
    [
        ({"cpu_p95_pct": 15.0}, "hm", 109.5),  # 1.56 vCPU, 12.48 GB
        ({"comfort_factor": 1.0}, "hm", 109.5),  # 2.0 vCPU, 9.6 GB
        ({"cpu_p95_pct": 10.0, "memory_p95_pct": 5.0}, "s", 73.0),  # 1.04 vCPU, 2.08 GB
        ({"cpu_p95_pct": None, "memory_p95_pct": None}, "l", 292.0),  # allocation as it is: 8 vCPU, 32 GB
    ],
)
def test_sizing_variants(table: PriceTable, changes: dict[str, object], instance: str, compute: float) -> None:
    estimate = _estimate(table, **changes)
    assert (estimate.instance_type, estimate.components["compute"]) == (instance, compute)
    assert estimate.projected_monthly == round(sum(estimate.components.values()), 2)


@pytest.mark.parametrize(("used", "storage"), [(100.0, 13.0), (450.0, 50.0)])  # 130 GB; 585 GB capped at 500
def test_cloud_storage_follows_the_used_space(table: PriceTable, used: float, storage: float) -> None:
    assert _estimate(table, storage_used_gb=used).components["storage"] == storage


# Windows VM without a database: 918.74 - 360 = 558.74 now, 660.60 - 200 = 460.60 in the cloud
@pytest.mark.parametrize(
    ("strategy", "projected", "savings"),
    [("retire", 0.0, 558.74), ("retain", 558.74, 0.0), ("repurchase", None, None), ("replatform", 460.6, 98.14),
     ("relocate", 460.6, 98.14), (None, 460.6, 98.14)],
)
def test_projection_by_strategy(
    table: PriceTable, strategy: str | None, projected: float | None, savings: float | None
) -> None:
    estimate = _estimate(table, strategy=strategy, database_engine=None)
    assert (estimate.projected_monthly, estimate.savings_monthly) == (projected, savings)
    if strategy == "retain":
        assert estimate.components == estimate.current_components


def test_repurchase_says_why_it_has_no_projection(table: PriceTable) -> None:
    assert _estimate(table, strategy="repurchase").reasons[-1] == (
        "repurchase: the SaaS subscription price is not in the price table")


def test_input_cost_wins_over_the_model(table: PriceTable) -> None:
    estimate = _estimate(table, current_monthly_cost=500)
    assert (estimate.current_monthly, estimate.current_source, estimate.savings_monthly) == (500.0, "input", -160.6)
    assert estimate.current_components == {}
    assert estimate.reasons[0] == "current cost as given in the input (it wins over the model)"


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
    web = _estimate(table, database_engine=None)  # current 558.74, projected 460.60, savings 98.14
    old = _estimate(table, strategy="retire", database_engine=None)  # current 558.74, projected 0
    saas = _estimate(table, strategy="repurchase", current_monthly_cost=100)  # current 100, no projection
    bare = _estimate(table, cpu_cores=None)  # nothing known
    by_application = roll_up([("Payments", web), ("Payments", old), ("CRM", saas), ("CRM", bare)])
    assert list(by_application) == ["Payments", "CRM"]
    assert by_application["Payments"].model_dump() == {
        "assets": 2, "current_monthly": 1117.48, "projected_monthly": 460.6, "savings_monthly": 656.88,
        "without_current": 0, "without_projection": 0}
    assert by_application["CRM"].model_dump() == {
        "assets": 2, "current_monthly": 100.0, "projected_monthly": 0.0, "savings_monthly": 0.0,
        "without_current": 1, "without_projection": 2}
    by_wave = roll_up([(1, web), (2, old), (2, saas)])
    assert (by_wave[1].savings_monthly, by_wave[2].savings_monthly) == (98.14, 558.74)
    engagement = total([web, old, saas, bare])
    assert (engagement.assets, engagement.current_monthly, engagement.savings_monthly) == (4, 1217.48, 656.88)
    assert total([]).assets == 0


def test_bundled_table_is_dated_and_sizes_on_real_instance_types() -> None:
    bundled = bundled_price_table()
    assert (bundled.provider, bundled.region, bundled.currency, bundled.as_of) == (
        "aws", "us-east-1", "USD", date(2026, 10, 1))
    assert [bundled.smallest_fitting(*need).name for need in [(2, 4), (2, 8), (2, 16), (3, 8), (3, 20)]] == [
        "c6i.large", "m6i.large", "r6i.large", "c6i.xlarge", "r6i.xlarge"]
    assert bundled.monthly(bundled.smallest_fitting(2, 8)) == 70.08  # 0.096 x 730
    default = estimate_cost(**SERVER)  # the bundled assumptions too
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


def test_bundled_assumptions_are_complete_dated_and_sourced() -> None:
    bundled = bundled_assumptions()
    assert (bundled.currency, bundled.as_of) == ("USD", date(2026, 10, 1))
    assert all(entry.source and entry.unit and entry.as_of <= bundled.as_of for entry in bundled.assumptions.values())
    assert resolve({}).cloud_pricing_term == "payg" and resolve({}).byol is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pue": "abc"}, r"^pue: Input should be a valid number.*; allowed: number >= 1 and <= 4$"),
        ({"pue": 0.5}, r"^pue: Input should be greater than or equal to 1 \(got 0\.5\)"),
        ({"cloud_pricing_term": "5y"}, r"allowed: one of payg, 1y, 3y$"),
        ({"byol": "maybe"}, r"^byol: .*allowed: true or false$"),
        ({"horizon_years": 2.5}, r"^horizon_years: .*allowed: whole number >= 1 and <= 20$"),
        ({"watts": 10}, r"^unknown assumption 'watts'; `costs assumptions show` lists them$"),
    ],
)
def test_a_bad_override_is_one_line_naming_the_key(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        resolve(overrides)
    assert "\n" not in str(caught.value)


def test_assignments_are_parsed_checked_and_reset() -> None:
    assert parse_assignments(["byol=yes", "cloud_pricing_term=3y", "pue=1.4"], {}) == {
        "byol": True, "cloud_pricing_term": "3y", "pue": 1.4}
    assert parse_assignments(["pue="], {"pue": 1.4, "byol": True}) == {"byol": True}
    with pytest.raises(ValueError, match="give assumptions as key=value"):
        parse_assignments(["pue"], {})


def test_a_bad_assumption_table_names_its_file_and_fault() -> None:
    text = json.dumps({"currency": "USD", "as_of": "2026-10-01", "assumptions": {}})
    with pytest.raises(ValueError, match=r"tco\.json: not an assumption table \(table: Value error, missing: admin_salary_year, "):
        parse_assumption_table(text, "tco.json")
