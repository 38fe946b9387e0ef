"""Planning stage 1: who migrates, which assets are shared services, and the move groups.

See `domain.planning.planner` for the rules; this module applies rules 1 to 4 and collects the
ordering constraints between move groups that rule 5 schedules.

Assets that are not migrated because of what they are (ADR-0014) break no tie by staying:
- a record (an application, service or cluster with nothing of its own to move) still binds: the
  migrating assets its binding ties join, directly or through other records, are one move group
  (a business service's servers, a cluster's members), though the record itself gets no wave;
- a network device binds nothing: the landing zone's network replaces it.
An asset that stays because nothing runs on it (ADR-0015: its install or operational status is retired, absent,
non-operational or in stock, or it is a VM template) binds nothing either: its ties are records of what it
once did, not work that moves, and its not-migrated reason names the status.
A tie to any other asset that stays (a retained server, an asset of no recognised type) is `left_behind`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.assessment.effort import EFFORT_DAYS
from domain.assessment.strategy_rules import out_of_service
from domain.planning.model import MoveGroup, Phase, PlanAsset, PlanEdge, PlanSettings, SharedService
from domain.planning.move_groups import move_groups
from domain.planning.shared_services import (
    default_hub_threshold,
    fan_in,
    hubs_by_fan_in,
    is_foundation_tag,
    is_shared_service_tag,
    move_group_name,
)
from domain.wording import counted

NOT_MIGRATED: dict[str, str] = {
    "retire": "strategy retire: decommissioned, not migrated",
    "retain": "strategy retain: stays where it is, not migrated",
}
GLUE_TYPES: tuple[str, ...] = ("runs_on", "hosts", "member_of")  # co-located or clustered: cannot be parted
RECORD_TYPES: frozenset[str] = frozenset({"application", "service", "cluster"})  # bind what they tie, staying
REPLACED_TYPES: frozenset[str] = frozenset({"network"})  # the landing zone replaces them: their ties bind nothing
_STAYING_BY_TYPE = {
    "application": "an application record: the assets it ties together move as one group",
    "service": "a service record: the assets it ties together move as one group",
    "cluster": "a cluster record: its members move as one group",
    "network": "a network device: the landing zone's network replaces it",
}
NON_PRODUCTION: frozenset[str] = frozenset({"development", "test", "uat", "staging"})
HIGH_CRITICALITIES: frozenset[str] = frozenset({"critical", "high"})
_GLUE_LABELS = {"hard": "hard dependencies", "two_way": "two-way dependencies",
                "record": "ties through application, service or cluster records"}


@dataclass(frozen=True, slots=True)
class GroupedPortfolio:
    """The migrating assets in move groups, and the constraints between the groups."""

    assets: dict[str, PlanAsset]  # every input asset by id
    not_migrated: dict[str, str]
    shared_services: tuple[SharedService, ...]
    groups: tuple[MoveGroup, ...]
    group_of: dict[str, int]  # migrating asset id -> index in `groups`
    prerequisites: dict[tuple[int, int], list[tuple[str, str]]]  # (dependent, prerequisite) group -> edges
    shared_ties: dict[tuple[int, int], list[tuple[str, str]]]  # the same, for dependencies with a shared service
    left_behind: tuple[tuple[str, str, str], ...]  # (source, target, why) binding ties to assets that stay
    environment_splits: tuple[tuple[str, str, str], ...]  # (source, target, glue) binding ties across phases


def phase_of(asset: PlanAsset) -> Phase:
    """Non-production for development, test, uat and staging; production else (unknown counts as production)."""
    return "non_production" if asset.environment in NON_PRODUCTION else "production"


def environment_of(asset: PlanAsset) -> str:
    """The environment whose assets of one application move together: a non-production one, else production."""
    return asset.environment if asset.environment in NON_PRODUCTION else "production"


def glue_of(edge: PlanEdge, two_way: bool) -> str | None:
    """Why an edge glues its two ends into one move group, or None for an ordering-only dependency."""
    if edge.strength == "hard":
        return "hard"
    if edge.dependency_type in GLUE_TYPES:
        return edge.dependency_type
    return "two_way" if two_way else None


def group_portfolio(assets: Sequence[PlanAsset], edges: Sequence[PlanEdge], settings: PlanSettings) -> GroupedPortfolio:
    """Rules 1-4: leave retired and retained assets out, detach shared services, glue move groups per
    environment, and choose the foundation wave's groups."""
    by_id = _index(assets)
    _check_edge_ends(edges, by_id)
    not_migrated = {a.id: _not_migrated(a) for a in assets if a.strategy in NOT_MIGRATED}
    records = {a for a in not_migrated if by_id[a].asset_type in RECORD_TYPES}
    binds_nothing = {a for a in not_migrated if by_id[a].asset_type in REPLACED_TYPES or _no_workload(by_id[a])}
    directed = {(e.source, e.target) for e in edges}
    moving_edges: list[tuple[PlanEdge, str | None]] = []
    record_ties: list[tuple[str, str]] = []  # binding ties with a record at one end at least, none staying else
    left_behind: list[tuple[str, str, str]] = []
    for edge in edges:
        if edge.source == edge.target:
            continue
        glue = glue_of(edge, (edge.target, edge.source) in directed)
        source_stays, target_stays = edge.source in not_migrated, edge.target in not_migrated
        if not (source_stays or target_stays):
            moving_edges.append((edge, glue))
        elif glue is None or edge.source in binds_nothing or edge.target in binds_nothing:
            continue
        elif (edge.source in records or not source_stays) and (edge.target in records or not target_stays):
            record_ties.append((edge.source, edge.target))
        elif source_stays != target_stays:
            staying = edge.source if source_stays else edge.target
            left_behind.append((edge.source, edge.target, not_migrated[staying]))

    moving = [a for a in assets if a.id not in not_migrated]
    fan_ins = fan_in((e.source, e.target) for e, _ in moving_edges)
    threshold = settings.hub_fan_in_threshold or default_hub_threshold(len(moving))
    tagged = {a.id for a in moving if any(map(is_shared_service_tag, a.tags))}
    by_fan_in = hubs_by_fan_in(fan_ins, threshold)
    shared = tuple(
        SharedService(hub, fan_ins.get(hub, 0), "tagged as a shared service" if hub in tagged
                      else f"{fan_ins[hub]} dependents, at least the threshold of {threshold:g}")
        for hub in sorted(tagged | by_fan_in)
    )
    hubs = {s.asset_id for s in shared}

    glued: list[tuple[str, str, str]] = []
    environment_splits: list[tuple[str, str, str]] = []
    for edge, glue in moving_edges:
        if glue is None or edge.source in hubs or edge.target in hubs:
            continue
        if phase_of(by_id[edge.source]) == phase_of(by_id[edge.target]):
            glued.append((edge.source, edge.target, glue))
        else:
            environment_splits.append((edge.source, edge.target, glue))
    first_of_application: dict[tuple[str, str], str] = {}
    for asset in moving:
        if asset.application is not None and asset.id not in hubs:
            first = first_of_application.setdefault((asset.application, environment_of(asset)), asset.id)
            if first != asset.id:
                glued.append((first, asset.id, "application"))
    through = _record_ties_per_environment(
        [(s, t) for s, t in record_ties if s not in hubs and t not in hubs], by_id, records)
    binding = sorted({a for tie in through for a in tie if a not in by_id})
    # records join the groups' union as nodes (one per environment) and leave them again: they bind within an
    # environment, they do not move.
    # The earliest requested wave first (groups asking for none after those that ask), then the largest, then
    # by the members' names: the same inventory imported into another engagement (other ids) gets the same plan
    components = sorted(
        (kept for members in move_groups([a.id for a in moving] + binding, [(s, t) for s, t, _ in glued] + through)
         if (kept := [a for a in members if a in by_id])),
        key=lambda members: (_requested_rank([by_id[a] for a in members]), -len(members),
                             min((by_id[a].name, a) for a in members)))
    group_of = {asset_id: index for index, members in enumerate(components) for asset_id in members}

    glue_counts: dict[tuple[int, str], int] = defaultdict(int)
    for source, _, glue in glued:
        if glue != "application":
            glue_counts[group_of[source], glue] += 1
    for tie in through:
        for end in {a for a in tie if a in group_of}:
            glue_counts[group_of[end], "record"] += 1

    prerequisites: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    shared_ties: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for edge, glue in moving_edges:
        dependent, prerequisite = group_of[edge.source], group_of[edge.target]
        if dependent == prerequisite:
            continue
        if edge.source in hubs or edge.target in hubs:
            shared_ties[dependent, prerequisite].append((edge.source, edge.target))
        elif glue is None:
            prerequisites[dependent, prerequisite].append((edge.source, edge.target))
    members_of = [[by_id[a] for a in members] for members in components]
    hub_ties = [(group_of[e.source], group_of[e.target]) for e, glue in moving_edges
                if glue is not None and e.source in hubs and e.target not in hubs]
    foundation = _foundation(members_of, hubs, settings, hub_ties)
    groups = tuple(
        _move_group(index, members, hubs, glue_counts, foundation.get(index), settings)
        for index, members in enumerate(members_of)
    )
    return GroupedPortfolio(
        by_id, not_migrated, shared, groups, group_of, dict(prerequisites), dict(shared_ties),
        tuple(sorted(set(left_behind))), tuple(sorted(set(environment_splits))),
    )


def _record_ties_per_environment(
    ties: list[tuple[str, str]], by_id: dict[str, PlanAsset], records: set[str]
) -> list[tuple[str, str]]:
    """Ties through records, each record one node per environment: a business service's production servers are
    one group, its test servers another."""
    environments = sorted({environment_of(by_id[a]) for tie in ties for a in tie if a not in records})

    def node(record: str, environment: str) -> str:
        return f"{record}\x1f{environment}"  # no asset id holds a unit separator: the planner's ids are keys

    out: list[tuple[str, str]] = []
    for source, target in ties:
        if source in records and target in records:
            out += [(node(source, env), node(target, env)) for env in environments]
        elif source in records:
            out.append((node(source, environment_of(by_id[target])), target))
        else:
            out.append((source, node(target, environment_of(by_id[source]))))
    return out


def _foundation(
    members_of: list[list[PlanAsset]], hubs: set[str], settings: PlanSettings, hub_ties: list[tuple[int, int]]
) -> dict[int, str]:
    """The groups of the foundation wave and why: those tagged landing zone, the shared services (when the rule is
    `foundation`), and the groups a foundation hub has a binding tie on (`hub_ties`: hub's group, the other's
    group), which move with it. A hub's soft dependencies pull nothing: a monitoring server that
    polls every host would pull the estate; they are reached across the network and reported."""
    reasons: dict[int, str] = {}
    for index, members in enumerate(members_of):
        if settings.shared_services == "foundation" and members[0].id in hubs:
            reasons[index] = "a shared service: moves first, before its dependents"
        elif any(is_foundation_tag(tag) for asset in members for tag in asset.tags):
            reasons[index] = "tagged landing zone: moves first"
    for hub_group, tied in sorted(hub_ties):
        if hub_group in reasons and tied not in reasons:
            hub = members_of[hub_group][0]
            reasons[tied] = f"the foundation's {asset_name(hub)} has a binding tie on it: moves with it"
    return reasons


def group_label(group: MoveGroup, assets: Mapping[str, PlanAsset]) -> str:
    """A move group as people read it: its id, then its application (else its first member's name), how many
    more assets it holds, and its environment: `MG-0003 (billing: 4 assets, production)`."""
    applications = sorted({a.application for a in map(assets.__getitem__, group.asset_ids) if a.application})
    size = len(group.asset_ids)
    if applications:
        named = f"{_short(applications[0])}: {counted(size, 'asset')}"
    else:
        named = asset_name(assets[group.asset_ids[0]]) + (f" and {size - 1} more" if size > 1 else "")
    return f"{group.id} ({named}, {group.environment.replace('_', ' ')})"


def asset_name(asset: PlanAsset) -> str:
    """An asset as a message names it: its name (cut to 40 characters), else its id."""
    return _short(asset.name) if asset.name else asset.id


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def wave_label_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """A requested wave's sort key: numbers by value, the rest without case (`Wave 2` before `wave 10`)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.findall(r"\d+|[^\W\d_]+", label.casefold()))


def _requested_rank(members: Sequence[PlanAsset]) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """The earliest wave any member's intake asked for; after every request when none did."""
    requested = [wave_label_key(a.requested_wave) for a in members if a.requested_wave]
    return (0, min(requested)) if requested else (1, ())


def _no_workload(asset: PlanAsset) -> str | None:
    """Why nothing runs on the asset (a status out of service, a template), or None."""
    found = out_of_service(asset.lifecycle_state, asset.operational_state)
    if found is not None:
        return f"{found[1]} {found[0].replace('_', '-')}: nothing runs on it, its ties are past records"
    return "a VM template: an image, not a workload" if asset.is_template else None


def _not_migrated(asset: PlanAsset) -> str:
    """Why an asset of strategy retire or retain gets no wave, naming what it is when that matters."""
    why = _no_workload(asset) or _STAYING_BY_TYPE.get(asset.asset_type or "")
    return NOT_MIGRATED[asset.strategy or ""] + (f"; {why}" if why else "")


def effort_of(asset: PlanAsset) -> float:
    """The asset's own estimate, else the strategy's person-days from `domain.assessment.effort.EFFORT_DAYS`."""
    return asset.effort_days if asset.effort_days is not None else EFFORT_DAYS[asset.strategy or "undecided"]


def _index(assets: Sequence[PlanAsset]) -> dict[str, PlanAsset]:
    by_id: dict[str, PlanAsset] = {}
    for asset in assets:
        if by_id.setdefault(asset.id, asset) is not asset:
            raise ValueError(f"asset id {asset.id!r} appears more than once")
    return by_id


def _check_edge_ends(edges: Sequence[PlanEdge], by_id: dict[str, PlanAsset]) -> None:
    unknown = sorted({end for e in edges for end in (e.source, e.target) if end not in by_id})
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(f"dependencies name {len(unknown)} unknown asset ids: {shown}{more}")


def _move_group(
    index: int,
    members: list[PlanAsset],
    hubs: set[str],
    glue_counts: dict[tuple[int, str], int],
    foundation: str | None,
    settings: PlanSettings,
) -> MoveGroup:
    shared_service = members[0].id in hubs
    environments = {environment_of(a) for a in members}
    applications = sorted({a.application for a in members if a.application is not None})
    glued_by = [f"application {name!r}" for name in applications] + [
        f"{_GLUE_LABELS.get(glue, f'{glue} relations')}: {glue_counts[index, glue]}"
        for glue in ("hard", *GLUE_TYPES, "two_way", "record")
        if glue_counts.get((index, glue))
    ]
    return MoveGroup(
        id=move_group_name(index, shared_service),
        asset_ids=tuple(a.id for a in members),
        phase=phase_of(members[0]),
        glued_by=tuple(glued_by),
        shared_service=shared_service,
        environment=environments.pop() if len(environments) == 1 else "non-production",
        foundation=foundation,
        held_back=_held_back(members, settings),
        pilot_eligible=not shared_service and foundation is None and all(_pilot_ready(a, settings) for a in members),
        storage_gb=sum(a.storage_gb for a in members),
        effort_days=sum(effort_of(a) for a in members),
    )


def _held_back(members: list[PlanAsset], settings: PlanSettings) -> str | None:
    for asset in members:
        if asset.criticality in HIGH_CRITICALITIES:
            return f"criticality {asset.criticality} ({asset.name or asset.id})"
    for asset in members:
        if asset.complexity_score is not None and asset.complexity_score >= settings.high_complexity_score:
            return f"complexity {asset.complexity_score:g} ({asset.name or asset.id})"
    return None


def _pilot_ready(asset: PlanAsset, settings: PlanSettings) -> bool:
    return (
        asset.criticality == "low"
        and asset.environment is not None
        and asset.risk_score is not None
        and asset.risk_score <= settings.pilot_max_risk
        and asset.complexity_score is not None
        and asset.complexity_score < settings.high_complexity_score
    )
