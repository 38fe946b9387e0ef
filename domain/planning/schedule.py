"""Planning stage 3: cut move groups into waves (rules 5 to 10 of `domain.planning.planner`).

The foundation's groups are wave 0. Units: the groups of one ordering cycle that share a phase (and are
all in the foundation, or none) form one unit (placed whole when it fits a wave, else in
`order_within_cycle` order), else a group is a unit.
Units are taken in dependency order (Kahn's algorithm; among ready units the lowest group index,
i.e. the largest group, first), so a unit never enters a wave before the units it depends on.
Each wave is filled until it reaches its balanced size or nothing ready fits; then the next opens.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.planning.model import MoveGroup, PlanSettings, WaveKind
from domain.planning.order import order_within_cycle

PHASES: tuple[WaveKind, ...] = ("non_production", "production")
READY_UNITS_TRIED = 16  # ready units tried, in order, before a wave that none of them fits is closed
GB_PER_TB = 1024.0  # as domain.discovery.size_units reads sizes

Load = tuple[float, float, float]  # assets, storage GB, effort person-days


@dataclass(frozen=True, slots=True)
class Schedule:
    wave_of_group: list[int]  # per group, its wave number (0: the foundation wave)
    waves: list[tuple[WaveKind, list[int]]]  # per wave, its kind and its groups (ascending)
    first_number: int = 1  # the number of waves[0]: 0 when there is a foundation wave


def caps_of(settings: PlanSettings) -> Load:
    """The per-wave caps as a load; no cap is infinite."""
    storage = settings.max_storage_tb * GB_PER_TB if settings.max_storage_tb is not None else math.inf
    effort = settings.max_effort_days if settings.max_effort_days is not None else math.inf
    return float(settings.max_assets), storage, effort


def load_of(group: MoveGroup) -> Load:
    return float(len(group.asset_ids)), group.storage_gb, group.effort_days


def schedule_waves(
    groups: Sequence[MoveGroup], prerequisites: Iterable[tuple[int, int]], component: Sequence[int],
    settings: PlanSettings,
) -> Schedule:
    """Wave numbers for every group: the foundation (wave 0), the pilot, then non-production, then production
    waves. A group's prerequisites in the foundation count as met."""
    units = _Units(groups, prerequisites, component)
    foundation = [g for g, group in enumerate(groups) if group.foundation is not None]
    builder = _WaveBuilder(len(groups), caps_of(settings), settings.early_waves_excluding_high,
                           first_number=0 if foundation else 1)
    done = [False] * len(units.groups)
    if foundation:  # first, whatever they depend on: what moves later they reach across the network (reported)
        builder.add(foundation, _sum(units.group_load[g] for g in foundation))
        builder.close("foundation")
        for g in foundation:
            done[units.unit_of[g]] = True
    for phase in PHASES:
        members = [u for u in range(len(units.groups)) if units.phase[u] == phase and not done[u]]
        if members and settings.pilot_size > 0 and builder.number == 1:
            _pilot(units, members, done, builder, settings.pilot_size, set(foundation))
        _phase(units, [u for u in members if not done[u]], done, builder, phase)
    return Schedule(builder.wave_of_group, builder.waves, builder.first_number)


class _Units:
    """Units with their groups, phase, load, flags and same-phase successor units."""

    def __init__(self, groups: Sequence[MoveGroup], prerequisites: Iterable[tuple[int, int]],
                 component: Sequence[int]) -> None:
        index: dict[tuple[int, str, bool], int] = {}
        self.groups: list[list[int]] = []
        self.unit_of: list[int] = []
        for position, group in enumerate(groups):
            unit = index.setdefault((component[position], group.phase, group.foundation is not None), len(self.groups))
            if unit == len(self.groups):
                self.groups.append([])
            self.groups[unit].append(position)
            self.unit_of.append(unit)
        self.phase = [groups[members[0]].phase for members in self.groups]
        self.group_load = [load_of(group) for group in groups]
        self.load = [_sum(self.group_load[g] for g in members) for members in self.groups]
        self.held_back = [any(groups[g].held_back for g in members) for members in self.groups]
        self.pilot_eligible = [all(groups[g].pilot_eligible for g in members) for members in self.groups]
        self.prerequisite_groups: list[list[int]] = [[] for _ in groups]
        successor_sets: list[set[int]] = [set() for _ in self.groups]
        inside: dict[int, list[tuple[int, int]]] = {}
        for dependent, prerequisite in prerequisites:
            self.prerequisite_groups[dependent].append(prerequisite)
            before, after = self.unit_of[prerequisite], self.unit_of[dependent]
            if before == after:
                inside.setdefault(before, []).append((dependent, prerequisite))
            elif self.phase[before] == self.phase[after]:
                successor_sets[before].add(after)
        self.successors = [sorted(s) for s in successor_sets]
        for unit, edges in inside.items():  # a cycle split over waves goes in this order
            self.groups[unit] = order_within_cycle(self.groups[unit], edges)

    def in_degrees(self, members: list[int]) -> dict[int, int]:
        degree = dict.fromkeys(members, 0)
        for unit in members:
            for successor in self.successors[unit]:
                if successor in degree:
                    degree[successor] += 1
        return degree


class _WaveBuilder:
    """The waves so far and the open one, with its load."""

    def __init__(self, group_count: int, caps: Load, early_waves: int, first_number: int) -> None:
        self.caps = caps
        self.early_waves = early_waves
        self.first_number = first_number
        self.wave_of_group = [0] * group_count
        self.waves: list[tuple[WaveKind, list[int]]] = []
        self.open_groups: list[int] = []
        self.open_load: Load = (0.0, 0.0, 0.0)

    @property
    def number(self) -> int:
        """The number of the open wave."""
        return len(self.waves) + self.first_number

    @property
    def early(self) -> bool:
        return 0 < self.number <= self.early_waves

    def fits(self, load: Load, caps: Load | None = None) -> bool:
        return all(have + need <= cap + 1e-9 for have, need, cap in zip(self.open_load, load, caps or self.caps))

    def add(self, groups: list[int], load: Load) -> None:
        self.open_groups.extend(groups)
        self.open_load = _sum((self.open_load, load))

    def close(self, kind: WaveKind) -> None:
        if not self.open_groups:
            return
        for group in self.open_groups:
            self.wave_of_group[group] = self.number
        self.waves.append((kind, sorted(self.open_groups)))
        self.open_groups, self.open_load = [], (0.0, 0.0, 0.0)


def _pilot(units: _Units, members: list[int], done: list[bool], builder: _WaveBuilder, size: int,
           foundation: set[int]) -> None:
    """Wave 1: eligible units in dependency order whose prerequisites are all in the pilot or the foundation, up
    to `size` assets."""
    pilot_caps = (min(float(size), builder.caps[0]), *builder.caps[1:])
    in_pilot = set(foundation)
    degree = units.in_degrees(members)
    ready = [unit for unit, count in degree.items() if count == 0]
    heapq.heapify(ready)
    while ready:
        unit = heapq.heappop(ready)
        groups = units.groups[unit]
        if (units.pilot_eligible[unit] and builder.fits(units.load[unit], pilot_caps)
                and all(p in in_pilot or p in groups for g in groups for p in units.prerequisite_groups[g])):
            builder.add(groups, units.load[unit])
            in_pilot.update(groups)
            done[unit] = True
        for successor in units.successors[unit]:
            if successor in degree:  # not a foundation unit, placed already
                degree[successor] -= 1
                if degree[successor] == 0:
                    heapq.heappush(ready, successor)
    builder.close("pilot")


def _phase(units: _Units, members: list[int], done: list[bool], builder: _WaveBuilder, kind: WaveKind) -> None:
    """Fill waves of one phase in dependency order, each up to its balanced size and never over a cap alone."""
    remaining = _sum(units.load[u] for u in members)
    targets = _balanced(remaining, builder.caps)
    degree = units.in_degrees(members)
    light: list[int] = []  # ready units that may go into early waves
    heavy: list[int] = []  # ready units kept out of early waves
    for unit in members:
        if degree[unit] == 0:
            (heavy if units.held_back[unit] else light).append(unit)
    heapq.heapify(light)
    heapq.heapify(heavy)

    def next_ready(allow_heavy: bool) -> int | None:
        if heavy and allow_heavy and (not light or heavy[0] < light[0]):
            return heapq.heappop(heavy)
        return heapq.heappop(light) if light else None

    def place(unit: int) -> None:
        nonlocal remaining
        if builder.fits(units.load[unit]) or len(units.groups[unit]) == 1:
            builder.add(units.groups[unit], units.load[unit])
        else:  # a cycle too big for one wave: its groups in order, over as many waves as they need
            for group in units.groups[unit]:
                if builder.open_groups and not builder.fits(units.group_load[group]):
                    builder.close(kind)
                builder.add([group], units.group_load[group])
        done[unit] = True
        remaining = _sum((remaining, tuple(-used for used in units.load[unit])))
        for successor in units.successors[unit]:
            if successor in degree:
                degree[successor] -= 1
                if degree[successor] == 0:
                    heapq.heappush(heavy if units.held_back[successor] else light, successor)

    while light or heavy:
        tried: list[int] = []
        while len(tried) < READY_UNITS_TRIED and (unit := next_ready(not builder.early)) is not None:
            if builder.fits(units.load[unit]):
                place(unit)
                break
            tried.append(unit)
        else:
            if builder.open_groups:  # nothing ready fits (or may go into an early wave): the next wave
                for unit in tried:
                    heapq.heappush(heavy if units.held_back[unit] else light, unit)
                builder.close(kind)
                targets = _balanced(remaining, builder.caps)
                continue
            # An empty wave takes the first ready unit even over a cap, or (when only units kept out of
            # early waves are ready) into an early wave; the checks report either.
            place(tried.pop(0) if tried else heapq.heappop(heavy))
        for unit in tried:
            heapq.heappush(heavy if units.held_back[unit] else light, unit)
        if any(have >= target - 1e-9 for have, target in zip(builder.open_load, targets)):
            builder.close(kind)
            targets = _balanced(remaining, builder.caps)
    builder.close(kind)


def _balanced(remaining: Load, caps: Load) -> list[float]:
    """Per capped measure, what each of the fewest waves that can hold `remaining` should hold."""
    waves = max([1] + [math.ceil(left / cap - 1e-9) for left, cap in zip(remaining, caps) if cap < math.inf])
    return [left / waves if cap < math.inf and left > 1e-9 else math.inf for left, cap in zip(remaining, caps)]


def _sum(loads: Iterable[Load]) -> Load:
    assets = storage = effort = 0.0
    for a, s, e in loads:
        assets, storage, effort = assets + a, storage + s, effort + e
    return assets, storage, effort
