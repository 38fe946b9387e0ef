"""Shared services: hubs that very many assets depend on (DNS, directory, monitoring ...).

Hard-dependency edges into a hub are not allowed to glue its dependents into one move group:
every migration keeps reaching shared services across the network during the move, so they are
planned as their own group instead. A hub is an asset whose fan-in (distinct assets depending on
it) is at least `max(MIN_HUB_FAN_IN, HUB_SHARE * number of assets)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

SHARED_SERVICE_GROUP_PREFIX = "SHARED-"  # move-group names of hubs (the SQL plan checks rely on it)
MIN_HUB_FAN_IN = 10
HUB_SHARE = 0.05


def shared_service_hubs(asset_count: int, edges: Sequence[tuple[str, str]]) -> set[str]:
    """The targets of (source, target) edges whose fan-in makes them shared services."""
    dependents: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        if source != target:
            dependents[target].add(source)
    threshold = max(MIN_HUB_FAN_IN, HUB_SHARE * asset_count)
    return {target for target, sources in dependents.items() if len(sources) >= threshold}


def without_hub_edges(edges: Sequence[tuple[str, str]], hubs: set[str]) -> list[tuple[str, str]]:
    """The edges that still bind move groups: those touching no hub."""
    return [(s, t) for s, t in edges if s not in hubs and t not in hubs]
