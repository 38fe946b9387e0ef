"""Shared services: hubs that very many assets depend on (DNS, directory, monitoring ...).

Dependencies on a hub are not allowed to glue its dependents into one move group, nor to order
them: every migration keeps reaching shared services across the network during the move, so each
hub is planned as a move group of its own. A hub is an asset tagged as a shared service (see
`is_shared_service_tag`) or one whose fan-in (distinct other assets depending on it) reaches the
threshold, by default `max(MIN_HUB_FAN_IN, HUB_SHARE * number of assets)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

SHARED_SERVICE_GROUP_PREFIX = "SHARED-"  # move-group names of hubs (the SQL plan checks rely on it)
MOVE_GROUP_PREFIX = "MG-"
MIN_HUB_FAN_IN = 10
HUB_SHARE = 0.05
SHARED_SERVICE_TAGS = frozenset({"shared_service", "shared_services", "shared"})
FOUNDATION_TAGS = frozenset({"landing_zone", "foundation"})  # landing-zone prerequisites: the foundation wave


def default_hub_threshold(asset_count: int) -> float:
    """The fan-in that makes a hub when the engagement sets none."""
    return max(MIN_HUB_FAN_IN, HUB_SHARE * asset_count)


def is_shared_service_tag(tag: str) -> bool:
    """True for `shared_service`, `Shared-Service`, `shared services`, `shared` ... (case, `-` and spaces ignored)."""
    return _tag_key(tag) in SHARED_SERVICE_TAGS


def is_foundation_tag(tag: str) -> bool:
    """True for `landing_zone`, `Landing Zone`, `foundation` ... (case, `-` and spaces ignored)."""
    return _tag_key(tag) in FOUNDATION_TAGS


def _tag_key(tag: str) -> str:
    return "_".join(tag.strip().lower().replace("-", " ").split())


def fan_in(edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Distinct dependents per target of (source, target) edges; self-edges do not count."""
    dependents: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        if source != target:
            dependents[target].add(source)
    return {target: len(sources) for target, sources in dependents.items()}


def hubs_by_fan_in(fan_ins: Mapping[str, int], threshold: float) -> set[str]:
    """The assets whose fan-in reaches `threshold`."""
    return {target for target, count in fan_ins.items() if count >= threshold}


def shared_service_hubs(asset_count: int, edges: Iterable[tuple[str, str]]) -> set[str]:
    """The targets of (source, target) edges whose fan-in makes them shared services (default threshold)."""
    return hubs_by_fan_in(fan_in(edges), default_hub_threshold(asset_count))


def without_hub_edges(edges: Iterable[tuple[str, str]], hubs: set[str]) -> list[tuple[str, str]]:
    """The edges that still bind move groups: those touching no hub."""
    return [(s, t) for s, t in edges if s not in hubs and t not in hubs]


def move_group_name(index: int, shared_service: bool) -> str:
    """MG-0001 ... for the group at `index` (from 0); SHARED-0001 ... when it is a shared-service hub."""
    return f"{SHARED_SERVICE_GROUP_PREFIX if shared_service else MOVE_GROUP_PREFIX}{index + 1:04d}"
