"""Planning stage 5: check the finished plan against every rule and list what it could not meet.

The checks read the plan as it is, not how it was built, so whatever the scheduler had to give up
(an ordering cycle, a group over a cap, an early wave with nothing else ready) appears here.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.planning.groups import NON_PRODUCTION, GroupedPortfolio
from domain.planning.model import PlanSettings, Violation, Wave
from domain.planning.order import GroupOrder
from domain.planning.schedule import GB_PER_TB


def find_violations(
    portfolio: GroupedPortfolio, order: GroupOrder, wave_of_group: Sequence[int], waves: Sequence[Wave],
    settings: PlanSettings,
) -> list[Violation]:
    """Every rule the plan breaks, in the order of the rules in `domain.planning.planner`."""
    groups = portfolio.groups
    found = [
        Violation("left_behind", f"{source} is tied to {target}, which stays ({why})", (source, target))
        for source, target, why in portfolio.left_behind
    ]
    found += [
        Violation(
            "mixed_environment",
            f"{group.id} holds production and non-production assets; planned with production",
            tuple(a for a in group.asset_ids if portfolio.assets[a].environment in NON_PRODUCTION),
        )
        for group in groups if group.mixed_environment
    ]
    if settings.pilot_size > 0 and groups and not any(w.kind == "pilot" for w in waves):
        found.append(Violation(
            "pilot", "no move group qualifies for the pilot (low criticality, risk and complexity known and low, "
            "environment known, its dependencies in the pilot too)", ()))
    for index, group in enumerate(groups):
        if group.held_back and wave_of_group[index] <= settings.early_waves_excluding_high:
            found.append(Violation(
                "early_wave",
                f"{group.id} ({group.held_back}) is in wave {wave_of_group[index]}, within the first "
                f"{settings.early_waves_excluding_high}: nothing else was ready to migrate",
                group.asset_ids,
            ))
    for (dependent, prerequisite), edges in sorted(portfolio.prerequisites.items()):
        if wave_of_group[prerequisite] > wave_of_group[dependent]:
            found.append(Violation(
                "dependency_order",
                f"{groups[dependent].id} (wave {wave_of_group[dependent]}) depends on {groups[prerequisite].id} "
                f"(wave {wave_of_group[prerequisite]}){_why_out_of_order(portfolio, order, dependent, prerequisite)}",
                tuple(sorted({asset for edge in edges for asset in edge})),
            ))
    found += [violation for wave in waves for violation in _over_caps(wave, settings)]
    return found


def _why_out_of_order(portfolio: GroupedPortfolio, order: GroupOrder, dependent: int, prerequisite: int) -> str:
    if order.component[dependent] == order.component[prerequisite]:
        return ": they are in an ordering cycle"
    if portfolio.groups[dependent].phase != portfolio.groups[prerequisite].phase:
        return ": non-production waves come before production waves"
    return ""


def _over_caps(wave: Wave, settings: PlanSettings) -> list[Violation]:
    measures = [("assets", len(wave.asset_ids), settings.max_assets, "max_assets")]
    if settings.max_storage_tb is not None:
        measures.append(("storage TB", wave.storage_gb / GB_PER_TB, settings.max_storage_tb, "max_storage_tb"))
    if settings.max_effort_days is not None:
        measures.append(("effort person-days", wave.effort_days, settings.max_effort_days, "max_effort_days"))
    return [
        Violation("wave_cap", f"wave {wave.number} holds {value:g} {what}, over {setting} = {cap:g}: "
                  "a move group is never split", wave.asset_ids)
        for what, value, cap, setting in measures
        if value > cap + 1e-9
    ]
