"""Planning stage 5: check the finished plan against every rule and list what it could not meet.

The checks read the plan as it is, not how it was built, so whatever the scheduler had to give up
(an ordering cycle, a group over a cap, an early wave with nothing else ready) or a person's edit
changed (a move group split across waves) appears here. They read each asset's wave, so a group a
person split is judged by where each of its assets went. Details name assets and move groups as people
read them (`group_label`); the violation's asset ids are its keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from domain.planning.groups import GroupedPortfolio, asset_name, group_label
from domain.planning.model import PlanSettings, Violation, Wave
from domain.planning.order import GroupOrder
from domain.planning.schedule import GB_PER_TB
from domain.wording import counted

_NAMED = 3  # assets or groups a detail names before "and N more"


def find_violations(
    portfolio: GroupedPortfolio, order: GroupOrder, wave_of_asset: Mapping[str, int], waves: Sequence[Wave],
    settings: PlanSettings,
) -> list[Violation]:
    """Every rule the plan breaks, in the order of the rules in `domain.planning.planner`."""
    groups, assets = portfolio.groups, portfolio.assets
    found = [
        Violation("left_behind", f"{asset_name(assets[source])} is tied to {asset_name(assets[target])}, which "
                  f"stays ({why})", (source, target))
        for source, target, why in portfolio.left_behind
    ]
    found += [
        Violation("environment_split",
                  f"{_with_environment(portfolio, source)} has a {glue.replace('_', '-')} tie to "
                  f"{_with_environment(portfolio, target)}: production and non-production move in separate waves, so "
                  "the tie is parted while they move", (source, target))
        for source, target, glue in portfolio.environment_splits
    ]
    if settings.pilot_size > 0 and groups and not any(w.kind == "pilot" for w in waves):
        found.append(Violation(
            "pilot", "no move group qualifies for the pilot (low criticality, risk and complexity known and low, "
            "environment known, its dependencies in the pilot or the foundation)", ()))
    for group in groups:
        early = sorted({w for a in group.asset_ids if 0 < (w := wave_of_asset[a]) <= settings.early_waves_excluding_high})
        if group.held_back and early:
            found.append(Violation(
                "early_wave",
                f"{group_label(group, assets)} is in wave {early[0]}, within the first "
                f"{settings.early_waves_excluding_high}, though it holds {group.held_back}: nothing else was ready to "
                "migrate",
                group.asset_ids,
            ))
    for (dependent, prerequisite), edges in sorted(portfolio.prerequisites.items()):
        broken = _broken(edges, wave_of_asset)
        if broken:
            found.append(Violation(
                "dependency_order",
                f"{_edges_text(portfolio, broken, wave_of_asset)}"
                f"{_why_out_of_order(portfolio, order, dependent, prerequisite)}",
                tuple(sorted({asset for edge in broken for asset in edge})),
            ))
    found += _shared_service_order(portfolio, wave_of_asset, settings)
    found += [violation for wave in waves for violation in _over_caps(wave, settings)]
    if settings.finish_by is not None and waves and max(w.end_date for w in waves) > settings.finish_by:
        last = max(w.end_date for w in waves)
        found.append(Violation("finish_by", f"the last wave ends on {last.isoformat()}, "
                               f"{(last - settings.finish_by).days} days after finish_by = {settings.finish_by}", ()))
    return found


def _broken(edges: Iterable[tuple[str, str]], wave_of_asset: Mapping[str, int]) -> list[tuple[str, str]]:
    """The (dependent, prerequisite) asset pairs whose prerequisite moves in a later wave, in id order (the first
    names the violation, whatever order the input's edges came in)."""
    return sorted((s, t) for s, t in edges if wave_of_asset[t] > wave_of_asset[s])


def _edges_text(portfolio: GroupedPortfolio, edges: Sequence[tuple[str, str]], wave_of_asset: Mapping[str, int]) -> str:
    """`web-01 (wave 2) depends on db-01 (wave 3)`, and how many more such dependencies."""
    assets = portfolio.assets
    source, target = edges[0]
    more = len(edges) - 1
    return (f"{asset_name(assets[source])} (wave {wave_of_asset[source]}) depends on {asset_name(assets[target])} "
            f"(wave {wave_of_asset[target]})" + (f", and {counted(more, 'more dependency')} between "
                                                  "their move groups" if more else ""))


def _shared_service_order(
    portfolio: GroupedPortfolio, wave_of_asset: Mapping[str, int], settings: PlanSettings
) -> list[Violation]:
    """Per shared service (or other group) that moves after some of its dependents: who moves before it."""
    early_dependents: dict[int, list[tuple[str, str]]] = {}
    for (_, prerequisite), edges in sorted(portfolio.shared_ties.items()):
        early_dependents.setdefault(prerequisite, []).extend(_broken(edges, wave_of_asset))
    found = []
    for prerequisite, broken in early_dependents.items():
        if not broken:
            continue
        group = portfolio.groups[prerequisite]
        dependents = sorted({s for s, _ in broken})
        named = ", ".join(asset_name(portfolio.assets[a]) for a in dependents[:_NAMED])
        more = f" and {len(dependents) - _NAMED} more" if len(dependents) > _NAMED else ""
        why = ("recorded by shared_services = with_dependents: they reach it across the network until it moves"
               if settings.shared_services == "with_dependents" else "they reach it across the network until it moves")
        wave = wave_of_asset[group.asset_ids[0]]
        found.append(Violation(
            "shared_service_order",
            f"{counted(len(dependents), 'asset')} ({named}{more}) {'moves' if len(dependents) == 1 else 'move'} "
            f"before {group_label(group, portfolio.assets)}, in wave {wave}, which "
            f"{'it depends' if len(dependents) == 1 else 'they depend'} on: {why}",
            tuple(sorted({a for edge in broken for a in edge})),
        ))
    return found


def _with_environment(portfolio: GroupedPortfolio, asset_id: str) -> str:
    asset = portfolio.assets[asset_id]
    return f"{asset_name(asset)} ({(asset.environment or 'environment unknown').replace('_', ' ')})"


def _why_out_of_order(portfolio: GroupedPortfolio, order: GroupOrder, dependent: int, prerequisite: int) -> str:
    if order.component[dependent] == order.component[prerequisite]:
        return ": they are in an ordering cycle"
    if portfolio.groups[dependent].foundation and not portfolio.groups[prerequisite].foundation:
        return ": the foundation moves first and reaches it across the network until it moves"
    if portfolio.groups[dependent].phase != portfolio.groups[prerequisite].phase:
        return ": non-production waves come before production waves"
    return ""


def _over_caps(wave: Wave, settings: PlanSettings) -> list[Violation]:
    measures = [("assets", len(wave.asset_ids), settings.max_assets, "max_assets")]
    if settings.max_storage_tb is not None:
        measures.append(("storage TB", wave.storage_gb / GB_PER_TB, settings.max_storage_tb, "max_storage_tb"))
    if settings.max_effort_days is not None:
        measures.append(("effort person-days", wave.effort_days, settings.max_effort_days, "max_effort_days"))
    why = "the foundation moves as one wave" if wave.kind == "foundation" else "a move group is never split"
    return [
        Violation("wave_cap", f"wave {wave.number} holds {value:g} {what}, over {setting} = {cap:g}: {why}",
                  wave.asset_ids)
        for what, value, cap, setting in measures
        if value > cap + 1e-9
    ]
