"""Monthly cost of an asset today and in the cloud, the savings, and their totals per group.

Current cost: the input's own figure when it has one (taken as the asset's whole monthly cost and never
replaced by the model); otherwise, when cores and memory are known, the total cost of ownership the model
adds up from the engagement's assumptions (`domain.assessment.assumptions`, docs/business-case.md):
- hardware: purchase price per core and per GB memory over the refresh cycle (a VM's vCPUs count as host
  cores at `vcpus_per_core`; an asset not said to be physical is taken as a VM, and the reasons say so);
- storage: purchase per GB over its refresh cycle plus yearly maintenance; backup per server;
- network: a share of the server and storage purchase over its refresh cycle plus yearly maintenance;
- power: the host cores' watts x PUE x hours x price per kWh; facilities: the contracted kW (the IT load
  over the share of capacity in use) x the colocation price per kW and month;
- licences: Windows Server per core (at least 16 on a physical server, 8 on a VM), Red Hat or SUSE
  subscriptions per server (a VM shares one with `linux_vms_per_subscription - 1` others), SQL Server per
  core (at least 4) and Oracle per core when the asset runs one (its database engine, else its name or
  description names it), perpetual licences amortised plus their yearly support; VMware per host core;
- labour: loaded administrator salary / servers per administrator (physical and virtual differ).

Projected cost, by strategy:
- retire: 0. retain: the current cost, with its components.
- repurchase: unknown (SaaS subscription prices are not in the price table).
- rehost, relocate, replatform, refactor, rewrite, or no strategy yet: the right-sized instance of the
  price table at the engagement's pricing term (pay-as-you-go, or the 1- or 3-year discount), storage,
  backup per GB, network as a share of compute and storage, licences, and the labour of a virtual machine.
  A replatformed database is priced as a managed database: the instance x `managed_database_multiplier`,
  with no OS licence. Licences: Windows per vCPU from the price table and SQL Server per vCPU from the
  assumptions, unless the engagement brings its own licences (`byol`): then the cloud carries the yearly
  Software Assurance of the licences counted on-premises instead. Oracle always brings its own licences
  (support only); Linux subscriptions are the same on both sides.

Right-sizing: needed vCPUs = cores x p95 CPU % x comfort factor (default 1.3), needed memory = memory
GB x p95 memory % x comfort factor; a utilisation that is unknown sizes to the allocation as it is
(no factor), and the reasons say so. p95 is the 95th percentile of the samples when the input has it;
otherwise the peak, which is at least as high. An inventory core counts as one vCPU. The smallest
instance of the table that fits is chosen (`PriceTable.smallest_fitting`); when none is big enough the
projection is unknown. Storage = used GB x comfort factor when used is known (never above the
allocation), else the allocated GB.

Savings = current - projected when both are known. A cost that cannot be computed is None with a
reason, never an invented number; so is a projection whose price table has another currency than
the asset's costs or the assumptions. Totals (`total`, `roll_up` per application, wave or engagement)
add the known figures and count the assets that had none; savings add only the assets that have both.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from domain.assessment.assumptions import PRICING_TERMS, TcoAssumptions, bundled_assumptions, resolve
from domain.assessment.price_table import InstanceType, PriceTable, bundled_price_table
from domain.assessment.strategy_rules import database_engine as engine_named
from domain.os_catalogue import identify_os
from domain.vocabulary import SIX_R_STRATEGIES

COMFORT_FACTOR = 1.3
WINDOWS_MIN_CORES = {"physical": 16, "virtual": 8}  # Windows Server core licensing minimums
SQL_SERVER_MIN_CORES = 4
SUBSCRIBED_LINUX = ("Red Hat Enterprise Linux", "SUSE Linux Enterprise Server")
LICENSED_ENGINES = ("SQL Server", "Oracle")

K = TypeVar("K", bound=Hashable)


class CostEstimate(BaseModel):
    """One asset's monthly costs, how they were made, and the price table behind the projection."""

    model_config = ConfigDict(frozen=True)

    current_monthly: float | None
    current_source: Literal["input", "model", "unknown"]
    projected_monthly: float | None
    savings_monthly: float | None
    instance_type: str | None
    needed_vcpu: float | None
    needed_memory_gb: float | None
    current_components: dict[str, float]
    components: dict[str, float]  # of the projection
    pricing_term: str
    comfort_factor: float
    price_provider: str
    price_region: str
    prices_as_of: date
    currency: str
    reasons: list[str]


class CostTotals(BaseModel):
    """Summed monthly costs of a group of assets, and how many lacked a figure."""

    model_config = ConfigDict(frozen=True)

    assets: int
    current_monthly: float
    projected_monthly: float
    savings_monthly: float
    without_current: int
    without_projection: int


@dataclass(frozen=True)
class _Asset:
    """The facts the model prices, as it reads them."""

    cores: int
    memory_gb: float
    storage_gb: float
    virtual: bool
    vmware: bool
    windows: bool
    subscribed_linux: bool
    engine: str | None  # SQL Server, Oracle, or None (no licensed database)
    managed_database: bool

    @property
    def windows_cores(self) -> int:
        return max(self.cores, WINDOWS_MIN_CORES["virtual" if self.virtual else "physical"])

    @property
    def database_cores(self) -> int:
        return max(self.cores, SQL_SERVER_MIN_CORES) if self.engine == "SQL Server" else self.cores


def estimate_cost(
    *,
    strategy: str | None,
    cpu_cores: int | None,
    memory_gb: float | None,
    storage_gb: float | None,
    storage_used_gb: float | None = None,
    cpu_p95_pct: float | None,
    memory_p95_pct: float | None = None,
    os_family: str | None = None,
    operating_system: str | None = None,
    is_virtual: bool | None = None,
    hypervisor: str | None = None,
    asset_type: str | None = None,
    database_engine: str | None = None,
    current_monthly_cost: float | None,
    cost_currency: str | None = None,
    prices: PriceTable | None = None,
    assumptions: TcoAssumptions | None = None,
    comfort_factor: float = COMFORT_FACTOR,
) -> CostEstimate:
    """Current, projected and saved monthly cost of one asset (module docstring); `prices` default: the
    bundled table, `assumptions` default: the bundled assumptions. `database_engine` names the engine the
    asset runs (as imported, or read from its name)."""
    if strategy is not None and strategy not in SIX_R_STRATEGIES:
        raise ValueError(f"{strategy!r} is not one of {SIX_R_STRATEGIES}")
    if comfort_factor < 1:
        raise ValueError(f"the comfort factor must be at least 1, not {comfort_factor}")
    for name, value in (("cpu_cores", cpu_cores), ("memory_gb", memory_gb), ("storage_gb", storage_gb),
                        ("storage_used_gb", storage_used_gb), ("current_monthly_cost", current_monthly_cost)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, not {value}")
    for name, value in (("cpu_p95_pct", cpu_p95_pct), ("memory_p95_pct", memory_p95_pct)):
        if value is not None and not 0 <= value <= 100:
            raise ValueError(f"{name} must be a percentage 0..100, not {value}")
    table = prices or bundled_price_table()
    tco = assumptions or resolve({})
    reasons: list[str] = []
    sized = bool(cpu_cores and memory_gb)
    named = engine_named(database_engine) if database_engine else None
    engine = named.name if named else None
    asset = _Asset(
        cores=cpu_cores or 0, memory_gb=float(memory_gb or 0.0), storage_gb=float(storage_gb or 0.0),
        virtual=is_virtual is not False, vmware=is_virtual is not False and _vmware(hypervisor),
        windows=os_family == "windows", subscribed_linux=_subscribed_linux(os_family, operating_system),
        engine=engine if engine in LICENSED_ENGINES else None,
        managed_database=strategy == "replatform" and (asset_type == "database" or engine is not None),
    )
    current_components: dict[str, float] = {}
    if current_monthly_cost is not None:
        current, source = round(float(current_monthly_cost), 2), "input"
        reasons.append("current cost as given in the input (it wins over the model)")
    elif sized:
        current_components = _current_components(asset, tco, table.hours_per_month)
        current, source = round(sum(current_components.values()), 2), "model"
        reasons.append(_current_reason(asset, is_virtual, hypervisor))
    else:
        current, source = None, "unknown"
        reasons.append("current cost unknown: no cost in the input and no cores/memory to model it")

    def estimate(projected: float | None, instance: str | None = None, vcpu: float | None = None,
                 memory: float | None = None, components: dict[str, float] | None = None) -> CostEstimate:
        savings = None if current is None or projected is None else round(current - projected, 2)
        return CostEstimate(
            current_monthly=current, current_source=source, projected_monthly=projected, savings_monthly=savings,
            instance_type=instance, needed_vcpu=vcpu, needed_memory_gb=memory,
            current_components=current_components, components=components or {},
            pricing_term=tco.cloud_pricing_term, comfort_factor=comfort_factor, price_provider=table.provider,
            price_region=table.region, prices_as_of=table.as_of, currency=table.currency, reasons=reasons,
        )

    if strategy == "retire":
        return estimate(0.0)
    if strategy == "retain":
        return estimate(current, components=current_components)
    if strategy == "repurchase":
        reasons.append("repurchase: the SaaS subscription price is not in the price table")
        return estimate(None)
    if cost_currency is not None and cost_currency != table.currency:
        reasons.append(f"the price table is in {table.currency}, the asset's costs in {cost_currency}")
        return estimate(None)
    if bundled_assumptions().currency != table.currency:
        reasons.append(f"the price table is in {table.currency}, the assumptions in {bundled_assumptions().currency}")
        return estimate(None)
    if not sized:
        reasons.append("no projection: cores and memory are needed to size the instance")
        return estimate(None)
    vcpu = _needed(asset.cores, cpu_p95_pct, comfort_factor)
    memory = _needed(asset.memory_gb, memory_p95_pct, comfort_factor)
    reasons.append(_sizing_reason("vCPU", asset.cores, cpu_p95_pct, comfort_factor, vcpu))
    reasons.append(_sizing_reason("GB memory", asset.memory_gb, memory_p95_pct, comfort_factor, memory))
    instance = table.smallest_fitting(vcpu, memory)
    if instance is None:
        reasons.append(f"no instance in {table.label} has {vcpu:g} vCPU and {memory:g} GB memory")
        return estimate(None, vcpu=vcpu, memory=memory)
    storage = asset.storage_gb
    if storage_used_gb is not None:
        storage = min(storage_used_gb * comfort_factor, storage or math.inf)
    components = _projected_components(asset, instance, storage, table, tco)
    reasons.append(f"{instance.name} ({instance.vcpu} vCPU, {instance.memory_gb:g} GB) is the smallest fit "
                   f"in {table.label}, {PRICING_TERMS[tco.cloud_pricing_term]}")
    if asset.managed_database:
        reasons.append(f"replatformed database priced as a managed database: the instance x "
                       f"{tco.managed_database_multiplier:g}")
    if tco.byol and (asset.windows or asset.engine == "SQL Server"):
        reasons.append("bring your own licence: the cloud price leaves out Windows Server and SQL Server; "
                       "their Software Assurance stays")
    return estimate(round(sum(components.values()), 2), instance.name, vcpu, memory, components)


def _vmware(hypervisor: str | None) -> bool:
    """A VM's hypervisor is VMware unless the inventory names another (Hyper-V, KVM ... carry no licence here)."""
    return hypervisor is None or any(word in hypervisor.casefold() for word in ("vmware", "esx", "vsphere"))


def _subscribed_linux(os_family: str | None, operating_system: str | None) -> bool:
    if os_family != "linux" or not operating_system:
        return False
    product = identify_os(operating_system).product
    return product is not None and product.name in SUBSCRIBED_LINUX


def _monthly(price: float, years: int, support_rate: float = 0.0) -> float:
    """A purchase spread over `years`, plus its yearly support or maintenance, per month."""
    return price / (years * 12) + price * support_rate / 12


def _current_components(asset: _Asset, tco: TcoAssumptions, hours_per_month: float) -> dict[str, float]:
    """The on-premises total cost of ownership of one asset a month, by component (module docstring)."""
    host_cores = asset.cores / tco.vcpus_per_core if asset.virtual else float(asset.cores)
    server = host_cores * tco.hardware_price_per_core + asset.memory_gb * tco.hardware_price_per_memory_gb
    storage = asset.storage_gb * tco.storage_price_per_gb
    it_kw = host_cores * tco.watts_per_core / 1000
    per_admin = tco.virtual_machines_per_admin if asset.virtual else tco.physical_servers_per_admin
    components = {
        "hardware": _monthly(server, tco.hardware_refresh_years),
        "storage": _monthly(storage, tco.storage_refresh_years, tco.storage_maintenance_rate),
        "backup": tco.backup_per_server_year / 12,
        "network": _monthly(tco.network_share * (server + storage), tco.network_refresh_years,
                            tco.network_maintenance_rate),
        "power": it_kw * tco.pue * hours_per_month * tco.electricity_price_kwh,
        "facilities": it_kw / (1 - tco.facility_unused_capacity) * tco.colocation_price_per_kw_month,
        "os_licence": _os_licence(asset, tco),
        "database_licence": _database_licence(asset, tco, owned=True),
        "virtualisation": host_cores * tco.virtualisation_price_per_core_year / 12 if asset.vmware else 0.0,
        "labour": tco.admin_salary_year * tco.labour_overhead / per_admin / 12,
    }
    return {name: round(value, 2) for name, value in components.items()}


def _os_licence(asset: _Asset, tco: TcoAssumptions) -> float:
    if asset.windows:
        return asset.windows_cores * _monthly(tco.windows_price_per_core, tco.licence_amortisation_years,
                                              tco.microsoft_support_rate)
    if asset.subscribed_linux:
        return tco.linux_subscription_year / 12 / (tco.linux_vms_per_subscription if asset.virtual else 1)
    return 0.0


def _database_licence(asset: _Asset, tco: TcoAssumptions, *, owned: bool) -> float:
    """The database licence a month: owned (amortised and supported), or brought to the cloud (support only)."""
    if asset.engine is None:
        return 0.0
    price, support = ((tco.sql_server_price_per_core, tco.microsoft_support_rate) if asset.engine == "SQL Server"
                      else (tco.oracle_price_per_core, tco.oracle_support_rate))
    per_core = _monthly(price, tco.licence_amortisation_years, support) if owned else price * support / 12
    return asset.database_cores * per_core


def _projected_components(asset: _Asset, instance: InstanceType, storage_gb: float, table: PriceTable,
                          tco: TcoAssumptions) -> dict[str, float]:
    """The cloud's monthly cost of one asset on `instance`, by component (module docstring)."""
    compute = table.monthly(instance) * (1 - tco.term_discount)
    if asset.managed_database:
        compute *= tco.managed_database_multiplier
    storage = storage_gb * table.storage_gb_month
    if asset.managed_database:
        os_licence = 0.0
    elif asset.windows and tco.byol:
        os_licence = asset.windows_cores * tco.windows_price_per_core * tco.microsoft_support_rate / 12
    elif asset.windows:
        os_licence = instance.vcpu * table.windows_vcpu_month
    else:
        os_licence = _os_licence(_virtual(asset), tco)
    if asset.engine == "SQL Server" and not tco.byol:
        database = instance.vcpu * tco.cloud_sql_server_per_vcpu_month
    else:
        database = _database_licence(asset, tco, owned=False)
    components = {
        "compute": compute,
        "storage": storage,
        "backup": storage_gb * tco.cloud_backup_gb_month,
        "network": tco.cloud_network_share * (compute + storage),
        "os_licence": os_licence,
        "database_licence": database,
        "labour": tco.admin_salary_year * tco.labour_overhead / tco.virtual_machines_per_admin / 12,
    }
    return {name: round(value, 2) for name, value in components.items()}


def _virtual(asset: _Asset) -> _Asset:
    """The asset as a cloud VM (its Linux subscription then covers VMs, not a physical server)."""
    return _Asset(asset.cores, asset.memory_gb, asset.storage_gb, True, False, asset.windows,
                  asset.subscribed_linux, asset.engine, asset.managed_database)


def _current_reason(asset: _Asset, is_virtual: bool | None, hypervisor: str | None) -> str:
    if is_virtual is False:
        kind = "a physical server"
    elif is_virtual is None:
        kind = "a virtual machine (the inventory does not say whether it is one)"
    else:
        kind = f"a virtual machine on {hypervisor or 'VMware (hypervisor not recorded)'}"
    licences = [name for name, held in (("Windows Server", asset.windows), ("Linux subscription",
                asset.subscribed_linux), (asset.engine, asset.engine is not None)) if held]
    return (f"current cost modelled as total cost of ownership of {kind}: {asset.cores} cores, "
            f"{asset.memory_gb:g} GB memory, {asset.storage_gb:g} GB storage; licences: "
            f"{', '.join(licences) or 'none'}")


def _needed(allocated: float, p95_pct: float | None, comfort_factor: float) -> float:
    return float(allocated) if p95_pct is None else round(allocated * p95_pct / 100 * comfort_factor, 2)


def _sizing_reason(unit: str, allocated: float, p95_pct: float | None, comfort_factor: float, needed: float) -> str:
    if p95_pct is None:
        return f"needs {needed:g} {unit}: utilisation unknown, so the allocation as it is"
    return f"needs {needed:g} {unit} = {allocated:g} x p95 {p95_pct:g}% x {comfort_factor:g}"


def total(estimates: Iterable[CostEstimate]) -> CostTotals:
    """The summed costs of a group of assets (module docstring)."""
    items = list(estimates)
    return CostTotals(
        assets=len(items),
        current_monthly=round(sum(e.current_monthly for e in items if e.current_monthly is not None), 2),
        projected_monthly=round(sum(e.projected_monthly for e in items if e.projected_monthly is not None), 2),
        savings_monthly=round(sum(e.savings_monthly for e in items if e.savings_monthly is not None), 2),
        without_current=sum(e.current_monthly is None for e in items),
        without_projection=sum(e.projected_monthly is None for e in items),
    )


def roll_up(estimates: Iterable[tuple[K, CostEstimate]]) -> dict[K, CostTotals]:
    """Totals per key (an application name, a wave number ...), keys in order of first appearance."""
    groups: dict[K, list[CostEstimate]] = {}
    for key, estimate in estimates:
        groups.setdefault(key, []).append(estimate)
    return {key: total(group) for key, group in groups.items()}
