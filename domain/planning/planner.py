"""Dependency-aware wave planning: move groups, ordering, pilot, phases, caps and dates, with reasons.

`plan_waves(assets, edges, settings)` applies these rules, in this order of precedence. When a rule
cannot be met the plan still places every asset and lists a `Violation` under the rule's name.

1. Not migrated: strategy retire or retain gets no wave; `not_migrated` says why.
   Broken (`left_behind`): a binding tie (rule 3) joins a migrating asset to such an asset, unless
   that asset is a record (application, service, cluster), whose binding ties still glue the assets
   they join (rule 3), or a network device, whose ties bind nothing (`domain.planning.groups`).
2. Shared services: an asset tagged shared service, or whose fan-in (distinct dependents) is at least
   `hub_fan_in_threshold` (default `max(10, 5% of the migrating assets)`), is a move group alone;
   dependencies on it never glue.
3. Move groups: connected components of binding ties, within one environment: the same application and
   the same environment (development, test, uat and staging each, production and everything else one);
   strength hard, type runs_on, hosts or member_of, or two dependencies in opposite directions, between
   assets of one phase (rule 4); ties through a record bind per environment. A group is never split.
   Broken (`environment_split`): such a tie between production and non-production is parted.
4. Environments: a group is non-production when its assets are development, test, uat or staging,
   else production (unknown counts as production). All non-production waves come before all
   production waves; no wave holds both: an application's non-production groups move first.
5. Foundation: wave 0 holds the groups tagged landing zone (`landing_zone`, `foundation`), the shared
   services when `shared_services` is `foundation` (the default), and the groups a shared service there
   has a binding tie on, so no dependent moves before a shared service; it has no caps' balance (broken
   caps are reported) and is no early wave. With `with_dependents`, shared services are scheduled like
   other groups. Broken (`shared_service_order`): assets move before a shared service they depend on
   (with `with_dependents`, or after an edit), or a foundation hub depends on a later wave (it reaches
   it across the network; `dependency_order` for a landing-zone group).
6. Ordering: every other dependency orders groups: the target's group is in the same or an earlier
   wave than the source's. Groups depending on each other in a circle are in `ordering_cycles`.
   Broken (`dependency_order`): inside a cycle, or a non-production group depends on production.
7. Pilot (when `pilot_size` > 0): wave 1 holds groups of the first phase whose assets all have
   criticality low, known environment, known risk <= `pilot_max_risk`, known complexity
   < `high_complexity_score`, and whose dependencies are all in the pilot or the foundation too, taken in
   dependency order while they fit in `pilot_size` assets. Broken (`pilot`): no group qualifies.
8. Early waves: a group with an asset of criticality critical or high, or complexity
   >= `high_complexity_score`, is in no wave numbered 1 to `early_waves_excluding_high`.
   Broken (`early_wave`): nothing else was ready for that wave.
9. Caps: a wave holds at most `max_assets` assets, `max_storage_tb` TB (1 TB = 1024 GB) and
   `max_effort_days` person-days. Broken (`wave_cap`): one group over a cap gets a wave alone.
10. Balance: as a wave opens, k is the fewest waves the caps allow for what is left of its phase;
   the wave closes once it holds 1/k of that in any capped measure, or when none of the next 16
   ready units fits (so the last wave of a phase is not a small remainder).
11. Calendar: the waves follow each other every `wave_length_days - overlap_days` days from `start_date`
   (wave 0 first); a wave that would touch a blackout period starts the day after it.
   Broken (`finish_by`): the last wave ends after `finish_by`.

Scheduling (rules 6-10) takes groups in dependency order (Kahn's algorithm over the groups' ordering
graph, a cycle's groups of one phase as one unit; among ready units the group whose assets asked for the
earliest wave first (`requested_wave`, an intake's wave such as the Cloud Migration Factory `wave_name`, compared
with numbers by value: a preference, never over rules 4 to 8), then the largest group, then by the first member
name, then id), so the plan is the same for the same input in any order and
under other ids. Effort per asset is its own `effort_days`, else the table in `domain.assessment.effort` by
strategy (undecided: the middle estimate; each wave counts such assets). Every migrating asset has a placement
(wave and reason). Near-linear: union-find, Tarjan's algorithm and
Kahn's with heaps; nothing compares all pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

from domain.planning.checks import find_violations
from domain.planning.groups import GroupedPortfolio, group_label, group_portfolio
from domain.planning.model import (
    MoveGroup,
    Placement,
    PlanAsset,
    PlanEdge,
    PlanSettings,
    Wave,
    WaveKind,
    WavePlan,
)
from domain.planning.order import GroupOrder, order_groups
from domain.planning.schedule import Schedule, schedule_waves
from domain.wording import counted

LAST_PLAN_DAY = date(2999, 12, 31)  # a plan's calendar ends here: charts and date arithmetic keep clear of date.max
_KIND_TEXT: dict[WaveKind, str] = {"foundation": "foundation", "pilot": "pilot", "non_production": "non-production", "production": "production"}


def plan_waves(
    assets: Sequence[PlanAsset],
    edges: Sequence[PlanEdge],
    settings: PlanSettings,
    observe: Callable[[str], None] | None = None,
) -> WavePlan:
    """The wave plan for a portfolio; `observe(stage)` is called as each stage ends (for benchmarks)."""
    done = observe or (lambda stage: None)
    portfolio = group_portfolio(assets, edges, settings)
    done("move groups")
    order = order_groups(len(portfolio.groups), portfolio.prerequisites)
    done("ordering")
    schedule = schedule_waves(portfolio.groups, portfolio.prerequisites, order.component, settings)
    done("scheduling")
    waves = waves_of_schedule(portfolio.groups, portfolio.assets, schedule, settings)
    plan = WavePlan(
        waves=waves,
        placements=_placements(portfolio, order, schedule, settings),
        move_groups=portfolio.groups,
        shared_services=portfolio.shared_services,
        ordering_cycles=tuple(tuple(portfolio.groups[g].id for g in cycle) for cycle in order.cycles),
        violations=tuple(find_violations(portfolio, order, _wave_of_asset(portfolio, schedule), waves, settings)),
        not_migrated=portfolio.not_migrated,
    )
    done("report")
    return plan


def waves_of_schedule(
    groups: Sequence[MoveGroup], assets: Mapping[str, PlanAsset], schedule: Schedule, settings: PlanSettings
) -> tuple[Wave, ...]:
    """The waves of a schedule with their dates (`wave_dates`) and totals; `groups` are the schedule's groups."""
    waves = []
    dates = wave_dates(len(schedule.waves), settings)
    for position, (kind, group_indexes) in enumerate(schedule.waves):
        members = [groups[g] for g in group_indexes]
        asset_ids = tuple(sorted(a for group in members for a in group.asset_ids))
        start, end = dates[position]
        waves.append(Wave(
            number=position + schedule.first_number,
            kind=kind,
            asset_ids=asset_ids,
            group_ids=tuple(group.id for group in members),
            start_date=start,
            end_date=end,
            storage_gb=sum(group.storage_gb for group in members),
            effort_days=sum(group.effort_days for group in members),
            undecided_assets=sum(1 for a in asset_ids if assets[a].strategy is None),
        ))
    return tuple(waves)


def wave_dates(count: int, settings: PlanSettings) -> list[tuple[date, date]]:
    """First and last day of `count` waves in a row: each starts `wave_length_days - overlap_days` after the one
    before (the first on `start_date`), and one that would touch a blackout period starts the day after it. No wave
    ends after `LAST_PLAN_DAY` (a ValueError saying why)."""
    blackouts = sorted((b.start, b.end) for b in settings.blackout_periods)
    dates: list[tuple[date, date]] = []
    upcoming = 0  # blackouts before it end before every wave still to date
    try:  # a wave longer than timedelta allows (about 2.7 million years) overflows here too
        length = timedelta(days=settings.wave_length_days - 1)
        stride = timedelta(days=settings.wave_length_days - settings.overlap_days)
        start = settings.start_date
        for _ in range(count):
            while True:
                while upcoming < len(blackouts) and blackouts[upcoming][1] < start:
                    upcoming += 1
                if upcoming == len(blackouts) or blackouts[upcoming][0] > start + length:
                    break
                start = blackouts[upcoming][1] + timedelta(days=1)
            if start + length > LAST_PLAN_DAY:
                raise OverflowError
            dates.append((start, start + length))
            start += stride
    except OverflowError:
        raise ValueError(f"wave {len(dates) + 1} would end after {LAST_PLAN_DAY.isoformat()}, the plan calendar's "
                         f"last day: the start date {settings.start_date.isoformat()} is too late (or the waves of "
                         f"{settings.wave_length_days} days too long{', or a blackout' if blackouts else ''})") from None
    return dates


def _wave_of_asset(portfolio: GroupedPortfolio, schedule: Schedule) -> dict[str, int]:
    return {a: schedule.wave_of_group[g] for a, g in portfolio.group_of.items()}


def _placements(
    portfolio: GroupedPortfolio, order: GroupOrder, schedule: Schedule, settings: PlanSettings
) -> dict[str, Placement]:
    prerequisites: dict[int, list[int]] = {}
    for dependent, prerequisite in portfolio.prerequisites:
        prerequisites.setdefault(dependent, []).append(prerequisite)
    in_cycle = {g for cycle in order.cycles for g in cycle}
    kinds = [kind for kind, _ in schedule.waves]
    # each label once: a big group may be the prerequisite of thousands, and its label reads all its assets
    labels = [group_label(group, portfolio.assets) for group in portfolio.groups]
    placements: dict[str, Placement] = {}
    for index, group in enumerate(portfolio.groups):
        wave = schedule.wave_of_group[index]
        reason = Placement(wave, _reason(portfolio, labels, index, kinds[wave - schedule.first_number],
                                         schedule.wave_of_group, prerequisites.get(index, []), index in in_cycle,
                                         settings))
        for asset_id in group.asset_ids:
            placements[asset_id] = reason
    return placements


def _reason(
    portfolio: GroupedPortfolio, labels: list[str], index: int, kind: WaveKind, wave_of_group: list[int],
    prerequisites: list[int], in_cycle: bool, settings: PlanSettings,
) -> str:
    group: MoveGroup = portfolio.groups[index]
    wave = wave_of_group[index]
    parts = [f"{_KIND_TEXT[kind]} wave {wave} with move group {labels[index]}"]
    if group.foundation:
        parts.append(group.foundation)
    if kind == "pilot":
        parts.append(f"low criticality, risk at most {settings.pilot_max_risk:g}, dependencies in the pilot too")
    if group.shared_service and not group.foundation:
        parts.append("shared service: moves alone, its dependents reach it across the network until it moves")
    if any(portfolio.assets[a].environment is None for a in group.asset_ids):
        parts.append("environment unknown: treated as production")
    if prerequisites:
        latest = max(prerequisites, key=lambda g: (wave_of_group[g], -g))
        more = len(prerequisites) - 1
        parts.append(f"depends on {labels[latest]} (wave "
                     f"{wave_of_group[latest]})" + (f" and {counted(more, 'more group')}" if more else ""))
    if in_cycle:
        parts.append("in an ordering cycle")
    if group.held_back and settings.early_waves_excluding_high:
        parts.append(f"{group.held_back}: kept out of the first {settings.early_waves_excluding_high} waves")
    return "; ".join(parts)
