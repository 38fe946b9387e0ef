"""Monthly cost of an asset today and in the cloud, the savings, and their totals per group.

Current cost: the input's own figure when it has one; otherwise the on-premises model `ON_PREM`
(fully loaded: hardware, power, space, licences, operations) of 28.00 per core, 4.50 per GB of
memory and 0.12 per GB of storage a month, when cores and memory are known; otherwise unknown.

Projected cost, by strategy:
- retire: 0. retain: the current cost.
- repurchase: unknown (SaaS subscription prices are not in the price table).
- rehost, relocate, replatform, refactor, rewrite, or no strategy yet: the right-sized instance of
  the price table plus storage (and the Windows licence per vCPU for Windows). For the changes
  beyond rehost this is the VM the workload needs; managed-service prices are not in the table.

Right-sizing: needed vCPUs = cores x p95 CPU % x comfort factor (default 1.3), needed memory = memory
GB x p95 memory % x comfort factor; a utilisation that is unknown sizes to the allocation as it is
(no factor). p95 is the 95th percentile of the samples when the input has it; otherwise the peak,
which is at least as high. An inventory core counts as one vCPU. The smallest instance of the table
that fits is chosen (`PriceTable.smallest_fitting`); when none is big enough the projection is
unknown. Storage = used GB x comfort factor when used is known (never above the allocation), else
the allocated GB.

Savings = current - projected when both are known. A cost that cannot be computed is None with a
reason, never an invented number; so is a projection whose price table has another currency than
the asset's costs. Totals (`total`, `roll_up` per application, wave or engagement) add the known
figures and count the assets that had none; savings add only the assets that have both figures.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from domain.assessment.price_table import PriceTable, bundled_price_table
from domain.vocabulary import SIX_R_STRATEGIES

ON_PREM: dict[str, float] = {"core": 28.00, "memory_gb": 4.50, "storage_gb": 0.12}
COMFORT_FACTOR = 1.3

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
    components: dict[str, float]
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
    current_monthly_cost: float | None,
    cost_currency: str | None = None,
    prices: PriceTable | None = None,
    comfort_factor: float = COMFORT_FACTOR,
) -> CostEstimate:
    """Current, projected and saved monthly cost of one asset (module docstring); `prices` default: bundled."""
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
    reasons: list[str] = []
    storage = float(storage_gb or 0.0)
    if storage_used_gb is not None:
        storage = min(storage_used_gb * comfort_factor, storage or math.inf)
    if current_monthly_cost is not None:
        current, source = round(float(current_monthly_cost), 2), "input"
    elif cpu_cores and memory_gb:
        current, source = round(ON_PREM["core"] * cpu_cores + ON_PREM["memory_gb"] * memory_gb
                                + ON_PREM["storage_gb"] * float(storage_gb or 0.0), 2), "model"
        reasons.append(f"current cost modelled from {cpu_cores} cores, {memory_gb:g} GB memory, "
                       f"{float(storage_gb or 0):g} GB storage")
    else:
        current, source = None, "unknown"
        reasons.append("current cost unknown: no cost in the input and no cores/memory to model it")

    def estimate(projected: float | None, instance: str | None = None, vcpu: float | None = None,
                 memory: float | None = None, components: dict[str, float] | None = None) -> CostEstimate:
        savings = None if current is None or projected is None else round(current - projected, 2)
        return CostEstimate(
            current_monthly=current, current_source=source, projected_monthly=projected, savings_monthly=savings,
            instance_type=instance, needed_vcpu=vcpu, needed_memory_gb=memory, components=components or {},
            comfort_factor=comfort_factor, price_provider=table.provider, price_region=table.region,
            prices_as_of=table.as_of, currency=table.currency, reasons=reasons,
        )

    if strategy == "retire":
        return estimate(0.0)
    if strategy == "retain":
        return estimate(current)
    if strategy == "repurchase":
        reasons.append("repurchase: the SaaS subscription price is not in the price table")
        return estimate(None)
    if cost_currency is not None and cost_currency != table.currency:
        reasons.append(f"the price table is in {table.currency}, the asset's costs in {cost_currency}")
        return estimate(None)
    if not (cpu_cores and memory_gb):
        reasons.append("no projection: cores and memory are needed to size the instance")
        return estimate(None)
    vcpu = _needed(cpu_cores, cpu_p95_pct, comfort_factor)
    memory = _needed(memory_gb, memory_p95_pct, comfort_factor)
    reasons.append(_sizing_reason("vCPU", cpu_cores, cpu_p95_pct, comfort_factor, vcpu))
    reasons.append(_sizing_reason("GB memory", memory_gb, memory_p95_pct, comfort_factor, memory))
    instance = table.smallest_fitting(vcpu, memory)
    if instance is None:
        reasons.append(f"no instance in {table.label} has {vcpu:g} vCPU and {memory:g} GB memory")
        return estimate(None, vcpu=vcpu, memory=memory)
    components = {"compute": table.monthly(instance), "storage": round(storage * table.storage_gb_month, 2)}
    if os_family == "windows":
        components["windows_licence"] = round(instance.vcpu * table.windows_vcpu_month, 2)
    reasons.append(f"{instance.name} ({instance.vcpu} vCPU, {instance.memory_gb:g} GB) is the smallest fit "
                   f"in {table.label}")
    return estimate(round(sum(components.values()), 2), instance.name, vcpu, memory, components)


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
