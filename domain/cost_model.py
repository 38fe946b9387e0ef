"""Monthly cost of an asset today and in the cloud, from a documented unit-price model.

On-premises (used only when the input has no cost): 28.00 per core, 4.50 per GB of memory,
0.12 per GB of storage per month (fully loaded: hardware, power, space, licences, operations).
Cloud (list prices of general-purpose compute and block storage, 2026-10): 22.00 per core,
2.90 per GB of memory, 0.08 per GB of storage per month, after right-sizing cores and memory to
the observed peak utilisation with a 30 % comfort margin (never below 1 core / 1 GB).
Retired assets cost nothing in the cloud; retained ones keep their current cost.
A cost that cannot be computed (no sizing) is None, never an invented number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ON_PREM = {"core": 28.00, "memory_gb": 4.50, "storage_gb": 0.12}
CLOUD = {"core": 22.00, "memory_gb": 2.90, "storage_gb": 0.08}
COMFORT_MARGIN = 1.30


@dataclass(frozen=True)
class CostEstimate:
    current_monthly: float | None
    projected_monthly: float | None
    current_source: str  # "input", "model" or "unknown"


def _price(prices: dict[str, float], cores: float, memory_gb: float, storage_gb: float) -> float:
    return round(prices["core"] * cores + prices["memory_gb"] * memory_gb + prices["storage_gb"] * storage_gb, 2)


def estimate_cost(
    *,
    strategy: str | None,
    cpu_cores: int | None,
    memory_gb: float | None,
    storage_gb: float | None,
    cpu_peak_pct: float | None,
    current_monthly_cost: float | None,
) -> CostEstimate:
    storage = float(storage_gb or 0.0)
    if current_monthly_cost is not None:
        current, source = float(current_monthly_cost), "input"
    elif cpu_cores and memory_gb:
        current, source = _price(ON_PREM, cpu_cores, float(memory_gb), storage), "model"
    else:
        current, source = None, "unknown"
    if strategy == "retire":
        return CostEstimate(current, 0.0, source)
    if strategy == "retain":
        return CostEstimate(current, current, source)
    if not (cpu_cores and memory_gb):
        return CostEstimate(current, None, source)
    utilisation = (cpu_peak_pct / 100.0) if cpu_peak_pct is not None else 1.0
    cores = max(1, math.ceil(cpu_cores * utilisation * COMFORT_MARGIN))
    cores = min(cores, cpu_cores)
    return CostEstimate(current, _price(CLOUD, cores, max(1.0, float(memory_gb)), storage), source)
