"""A person's edited wave plan (one row per asset: its wave), checked against the portfolio's rules.

The `move group` column is honoured: rows with the same name are one move group, a blank cell keeps the
planner's group. Renaming some of a group's rows splits it (their binding ties are parted: a
`split_group` warning says which and when); giving rows of several groups one name joins them.

Errors refuse the whole edit: a row naming an unknown asset or the same asset twice, a wave that is
not a whole number from 0 (the foundation wave) to the number of migrating assets (no plan has more
waves than that), a migrating asset without a wave or a retired/retained one with a wave, wave numbers
from 1 with a gap, a move group (as the file names them) across waves, a group name reserved for shared
services or longer than `MOVE_GROUP_CHARS`, a group joining production and non-production, a dependency
ordered the wrong way round although it could be honoured, a wave mixing non-production and production
move groups, non-production after production, and a pilot that is not wave 1.

Warnings are what `domain.planning.checks` reports on the edited plan; they are applied with it:
caps exceeded, order broken inside an ordering cycle or by the non-production-first rule, high
criticality or complexity in early waves, no pilot, groups split by the edit, dependents moving before
a shared service, ties parted between environments or to assets that stay.
Move groups, shared services and ordering cycles are the planner's own (`domain.planning.groups`,
`domain.planning.order`), so an edit is judged by exactly the rules that built the plan.

No value of the file sizes the work: a wave's digits are counted before they are read as a number, the gap
check runs over the waves in use (not up to the largest), and a message quotes at most `QUOTED_CHARS` of a
cell and lists at most five names or runs of wave numbers ("waves 2-4999"), then how many more.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.planning.checks import find_violations
from domain.planning.groups import (
    GroupedPortfolio,
    effort_of,
    environment_of,
    group_label,
    group_portfolio,
    phase_of,
)
from domain.planning.model import (
    MoveGroup,
    Placement,
    PlanAsset,
    PlanEdge,
    PlanSettings,
    Violation,
    WaveKind,
    WavePlan,
)
from domain.planning.order import GroupOrder, order_groups
from domain.planning.planner import waves_of_schedule
from domain.planning.schedule import Schedule
from domain.planning.shared_services import SHARED_SERVICE_GROUP_PREFIX
from domain.wording import counted

QUOTED_CHARS = 60  # of a cell or a name quoted in a message
MOVE_GROUP_CHARS = 100  # a longer name arrives cut (db.plan_review.KEPT_CHARS), so two could become one
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_SHOWN = 5


@dataclass(frozen=True, slots=True)
class PlanEditRow:
    """One row of an edited plan as written: its row number in the file, asset id, wave, wave kind and move group."""

    row: int
    asset_id: str
    wave: str
    kind: str = ""
    move_group: str = ""


@dataclass(frozen=True, slots=True)
class PlanEdit:
    """The verdict on an edit: errors (then `plan` is None), or the plan to apply and its warnings."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    plan: WavePlan | None


def check_plan_edit(
    assets: Sequence[PlanAsset], edges: Sequence[PlanEdge], settings: PlanSettings, rows: Sequence[PlanEditRow],
    reason: str,
) -> PlanEdit:
    """Check `rows` against the assets, edges and settings; a valid edit becomes a plan whose every
    placement has `reason` (e.g. "set by alice@example.com in a plan import")."""
    portfolio = group_portfolio(assets, edges, settings)
    read = _read_rows(portfolio, rows)
    if read.errors:
        return PlanEdit(tuple(read.errors), (), None)
    groups = _named_groups(portfolio, read)
    errors = _group_errors(portfolio, groups, read.wave_of_asset) + _foundation_errors(portfolio, groups, read.wave_of_asset)
    if errors:
        return PlanEdit(tuple(errors), (), None)
    wave_of_group = [read.wave_of_asset[group[0]] for group in groups.values()]
    errors += _gaps(wave_of_group)
    kinds = _kinds(portfolio, list(groups.values()), wave_of_group, read.pilot_rows, errors)
    order = order_groups(len(portfolio.groups), portfolio.prerequisites)
    errors += _order_errors(portfolio, order, read.wave_of_asset)
    if errors:
        return PlanEdit(tuple(errors), (), None)

    move_groups = tuple(_move_group(portfolio, name, members) for name, members in groups.items())
    members: dict[int, list[int]] = defaultdict(list)
    for group, wave in enumerate(wave_of_group):
        members[wave].append(group)
    schedule = Schedule(wave_of_group, [(kinds[wave], members[wave]) for wave in sorted(members)], min(members, default=1))
    waves = waves_of_schedule(move_groups, portfolio.assets, schedule, settings)
    violations = (*_splits(portfolio, groups, read.wave_of_asset),
                  *find_violations(portfolio, order, read.wave_of_asset, waves, settings))
    plan = WavePlan(
        waves=waves,
        placements={asset_id: Placement(wave, reason) for asset_id, wave in sorted(read.wave_of_asset.items())},
        move_groups=move_groups,
        shared_services=portfolio.shared_services,
        ordering_cycles=tuple(tuple(portfolio.groups[g].id for g in cycle) for cycle in order.cycles),
        violations=violations,
        not_migrated=portfolio.not_migrated,
    )
    return PlanEdit((), tuple(f"{v.rule}: {v.detail}" for v in violations), plan)


@dataclass(frozen=True, slots=True)
class _Rows:
    wave_of_asset: dict[str, int]
    group_of_asset: dict[str, str]  # the move group a row names, else the planner's
    pilot_rows: dict[int, list[bool]]  # per wave, whether each of its rows says pilot
    errors: list[str]


def _read_rows(portfolio: GroupedPortfolio, rows: Sequence[PlanEditRow]) -> _Rows:
    """Each migrating asset's wave and move group, per wave whether its rows say pilot, and the row errors."""
    errors: list[str] = []
    first_row: dict[str, int] = {}
    wave_of_asset: dict[str, int] = {}
    group_of_asset: dict[str, str] = {}
    pilot_rows: dict[int, list[bool]] = defaultdict(list)
    most_waves = len(portfolio.group_of)  # one wave per migrating asset at most
    for row in rows:
        asset_id, wave_text, group_name = row.asset_id.strip(), row.wave.strip(), row.move_group.strip()
        where = f"row {row.row}"
        if asset_id not in portfolio.assets:
            errors.append(f"{where}: unknown asset {_quoted(asset_id)} (not an asset id of this engagement)")
            continue
        name = _name(portfolio, asset_id)
        if asset_id in first_row:
            errors.append(f"{where}: asset {name} appears again (first in row {first_row[asset_id]})")
            continue
        first_row[asset_id] = row.row
        if asset_id in portfolio.not_migrated:
            if wave_text:
                errors.append(f"{where}: asset {name} is not migrated ({portfolio.not_migrated[asset_id]}); "
                              "leave its wave empty")
            continue
        wave = _wave_number(wave_text, most_waves)
        if wave is None:
            shown = _quoted(wave_text) if wave_text else "empty"
            errors.append(f"{where}: the wave of asset {name} must be a whole number from 0 (the foundation) to "
                          f"{most_waves} (the number of migrating assets), not {shown}")
            continue
        own = portfolio.groups[portfolio.group_of[asset_id]].id
        if group_name.upper().startswith(SHARED_SERVICE_GROUP_PREFIX) and group_name != own:
            errors.append(f"{where}: move group {_quoted(group_name)} of asset {name}: names starting "
                          f"{SHARED_SERVICE_GROUP_PREFIX} are the shared services' own; choose another name")
            continue
        if len(group_name) > MOVE_GROUP_CHARS:
            errors.append(f"{where}: move group {_quoted(group_name)} of asset {name} is longer than "
                          f"{MOVE_GROUP_CHARS} characters; choose a shorter name")
            continue
        wave_of_asset[asset_id] = wave
        group_of_asset[asset_id] = group_name or own
        pilot_rows[wave].append(row.kind.strip().lower() == "pilot")
    missing = [a for a in portfolio.group_of if a not in first_row]
    if missing:
        errors.append(f"{counted(len(missing), 'migrating asset')} {'has' if len(missing) == 1 else 'have'} no row, "
                      f"so no wave: {_names(portfolio, missing)}")
    return _Rows(wave_of_asset, group_of_asset, pilot_rows, errors)


def _named_groups(portfolio: GroupedPortfolio, read: _Rows) -> dict[str, list[str]]:
    """The move groups as the file names them, in the planner's group order, members in the planner's order."""
    groups: dict[str, list[str]] = {}
    for group in portfolio.groups:
        for asset_id in group.asset_ids:
            groups.setdefault(read.group_of_asset[asset_id], []).append(asset_id)
    return groups


def _group_errors(portfolio: GroupedPortfolio, groups: dict[str, list[str]], wave_of_asset: dict[str, int]) -> list[str]:
    """Move groups (as named) whose assets name several waves, or that join production and non-production."""
    errors = []
    for name, members in groups.items():
        waves = sorted({wave_of_asset[a] for a in members})
        if len(waves) > 1:
            glue = _glue(portfolio, members)
            errors.append(f"move group {_quoted(name)} is split across {_waves(waves)}: its assets "
                          f"{_names(portfolio, members)} move together{f' ({glue})' if glue else ''}; to move some "
                          "of them apart, give those a move group of their own name")
        phases = {phase_of(portfolio.assets[a]) for a in members}
        if len(phases) > 1:
            non_production = [a for a in members if phase_of(portfolio.assets[a]) == "non_production"]
            errors.append(f"move group {_quoted(name)} joins production and non-production assets (non-production: "
                          f"{_names(portfolio, non_production)}): they move in separate waves")
    return errors


def _foundation_errors(portfolio: GroupedPortfolio, groups: dict[str, list[str]], wave_of_asset: dict[str, int]
                       ) -> list[str]:
    """Move groups in wave 0 holding assets the rules do not put in the foundation: it is no wave for anything else
    (it may mix production and non-production, and its dependencies on later waves are only warnings)."""
    errors = []
    for name, members in groups.items():
        outside = [a for a in members if wave_of_asset[a] == 0 and not portfolio.groups[portfolio.group_of[a]].foundation]
        if outside:
            errors.append(f"move group {_quoted(name)} is in wave 0, the foundation, with assets that are not part of it "
                          f"({_names(portfolio, outside)}): it holds the shared services, the assets tagged landing "
                          "zone and what the shared services have binding ties on; tag an asset landing_zone to put it "
                          "there")
    return errors


def _glue(portfolio: GroupedPortfolio, members: Sequence[str]) -> str:
    """What bound the planner's groups of `members`, at most `_SHOWN` reasons."""
    reasons = list(dict.fromkeys(r for g in dict.fromkeys(portfolio.group_of[a] for a in members)
                                 for r in portfolio.groups[g].glued_by))
    return "; ".join(_cut(reason) for reason in reasons[:_SHOWN]) + _more(len(reasons))


def _splits(portfolio: GroupedPortfolio, groups: dict[str, list[str]], wave_of_asset: dict[str, int]) -> list[Violation]:
    """The planner's move groups an edit parted over waves, and which of their binding ties it parts."""
    parts_of: dict[int, dict[str, int]] = defaultdict(dict)
    for name, members in groups.items():
        for asset_id in members:
            parts_of[portfolio.group_of[asset_id]][name] = wave_of_asset[asset_id]
    found = []
    for index, parts in sorted(parts_of.items()):
        if len(set(parts.values())) < 2:
            continue
        group = portfolio.groups[index]
        ordered = sorted(parts.items(), key=lambda part: (part[1], part[0]))
        shown = ", ".join(f"{_quoted(name)} (wave {wave})" for name, wave in ordered[:_SHOWN])
        glue = "; ".join(_cut(r) for r in group.glued_by[:_SHOWN]) + _more(len(group.glued_by))
        found.append(Violation(
            "split_group", f"{group_label(group, portfolio.assets)} is split into {shown}{_more(len(parts))}: its "
            f"ties ({glue or 'none recorded'}) are parted while its parts move in different waves", group.asset_ids))
    return found


def _move_group(portfolio: GroupedPortfolio, name: str, members: list[str]) -> MoveGroup:
    """A move group as the file names it: the planner's own when unchanged, else one of those members."""
    planner = {portfolio.group_of[a] for a in members}
    first = portfolio.groups[min(planner)]
    if len(planner) == 1 and first.id == name and len(first.asset_ids) == len(members):
        return first
    groups = [portfolio.groups[g] for g in sorted(planner)]
    environments = {environment_of(portfolio.assets[a]) for a in members}
    assets = [portfolio.assets[a] for a in members]
    return replace(
        first, id=name, asset_ids=tuple(members),
        # the first reasons of each: a part of a group of thousands of applications does not copy them all
        glued_by=(f"named {name!r} in a plan import", *dict.fromkeys(r for g in groups for r in g.glued_by[:_SHOWN])),
        shared_service=all(g.shared_service for g in groups) and len(members) == 1,
        environment=environments.pop() if len(environments) == 1 else "non-production",
        held_back=next((g.held_back for g in groups if g.held_back), None),
        storage_gb=sum(a.storage_gb for a in assets), effort_days=sum(effort_of(a) for a in assets),
    )


def _gaps(wave_of_group: list[int]) -> list[str]:
    """The runs of wave numbers from 1 below the largest that no group uses; over the waves in use, not up to the
    largest. Wave 0, the foundation, may be empty."""
    empty, expected = [], 1
    for wave in sorted(set(wave_of_group) - {0}):
        if wave > expected:
            empty.append((expected, wave - 1))
        expected = wave + 1
    if not empty:
        return []
    return [f"wave numbers must run from 1 without gaps; no asset is in {_listed_runs(empty)}"]


def _kinds(
    portfolio: GroupedPortfolio, groups: list[list[str]], wave_of_group: list[int], pilot_rows: dict[int, list[bool]],
    errors: list[str],
) -> dict[int, WaveKind]:
    """Each wave's kind from its groups' phases (wave 0 is the foundation; wave 1 is the pilot when all its rows say
    so)."""
    phases: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for members, wave in zip(groups, wave_of_group):
        phases[wave][phase_of(portfolio.assets[members[0]])].append(portfolio.groups[portfolio.group_of[members[0]]].id)
    for wave, phase_groups in sorted(phases.items()):
        if len(phase_groups) > 1 and wave:
            errors.append(f"wave {wave} mixes non-production move groups ({_ids(phase_groups['non_production'])}) "
                          f"and production ones ({_ids(phase_groups['production'])})")
    non_production = [w for w, p in phases.items() if "non_production" in p and w]
    production = [w for w, p in phases.items() if "production" in p and w]
    if non_production and production and max(non_production) > min(production):
        errors.append(f"wave {max(non_production)} holds non-production move groups after production wave "
                      f"{min(production)}: every non-production wave comes before the production waves")
    late_pilots = sorted(wave for wave, says in pilot_rows.items() if wave != 1 and any(says))
    if late_pilots:
        errors.append(f"only wave 1 can be the pilot; rows of {_waves(late_pilots)} say pilot")
    first = pilot_rows.get(1, [])
    if any(first) and not all(first):
        errors.append(f"wave 1 is the pilot in {counted(sum(first), 'row')} but not in {len(first) - sum(first)}: "
                      "mark all its rows pilot, or none")
    return {
        wave: "foundation" if wave == 0 else "pilot" if wave == 1 and first and all(first)
        else "production" if "production" in phase_groups else "non_production"
        for wave, phase_groups in phases.items()
    }


def _order_errors(portfolio: GroupedPortfolio, order: GroupOrder, wave_of_asset: dict[str, int]) -> list[str]:
    """Dependencies placed after their dependents although nothing forced it (no cycle, same phase, the dependent
    not in the foundation, which moves first and reaches them across the network: a warning)."""
    groups = portfolio.groups
    errors = []
    for (dependent, prerequisite), edges in sorted(portfolio.prerequisites.items()):
        broken = [(s, t) for s, t in edges if wave_of_asset[t] > wave_of_asset[s] > 0]
        if (broken and order.component[dependent] != order.component[prerequisite]
                and groups[dependent].phase == groups[prerequisite].phase):
            source, target = broken[0]
            errors.append(
                f"{_name(portfolio, source)} (wave {wave_of_asset[source]}, move group {groups[dependent].id}) "
                f"depends on {_name(portfolio, target)} (wave {wave_of_asset[target]}, move group "
                f"{groups[prerequisite].id}): a dependency must move in the same or an earlier wave"
            )
    return errors


def _wave_number(text: str, most: int) -> int | None:
    """The wave `text` names if it is a whole number from 0 to `most`, else None; its digits are counted before
    they are read, so a cell of a million digits costs no more than one of ten."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(most)):
        return None
    wave = int(digits)
    return wave if wave <= most else None


def _waves(numbers: Sequence[int]) -> str:
    """Sorted distinct wave numbers in words: "wave 3", "waves 3, 4", "waves 2-4999, 6000"."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return _listed_runs(runs)


def _listed_runs(runs: Sequence[tuple[int, int]]) -> str:
    """Runs of wave numbers (first, last) in words, at most `_SHOWN` of them, then how many waves more."""
    count = sum(last - first + 1 for first, last in runs)
    shown = ", ".join(str(first) if first == last else f"{first}, {last}" if last == first + 1 else f"{first}-{last}"
                      for first, last in runs[:_SHOWN])
    more = sum(last - first + 1 for first, last in runs[_SHOWN:])
    return ("wave " if count == 1 else "waves ") + shown + (f" and {more:,} more" if more else "")


def _quoted(text: str) -> str:
    """A cell or name as a message quotes it: at most `QUOTED_CHARS` characters of it."""
    return repr(_cut(text))


def _cut(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…"


def _more(count: int) -> str:
    return f" and {count - _SHOWN:,} more" if count > _SHOWN else ""


def _name(portfolio: GroupedPortfolio, asset_id: str) -> str:
    name = portfolio.assets[asset_id].name
    return _quoted(name) if name else repr(asset_id)


def _names(portfolio: GroupedPortfolio, asset_ids: Sequence[str]) -> str:
    return ", ".join(_name(portfolio, a) for a in asset_ids[:_SHOWN]) + _more(len(asset_ids))


def _ids(group_ids: list[str]) -> str:
    return ", ".join(group_ids[:_SHOWN]) + _more(len(group_ids))
