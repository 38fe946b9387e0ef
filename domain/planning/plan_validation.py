"""A person's edited wave plan (one row per asset: its wave), checked against the portfolio's rules.

Errors refuse the whole edit: a row naming an unknown asset or the same asset twice, a wave that is
not a whole number from 1 to the number of migrating assets (no plan has more waves than that), a
migrating asset without a wave or a retired/retained one with a wave, wave numbers with a gap, a
move group split across waves (its ties are binding: same application, hard dependencies,
runs_on/hosts/member_of, two-way dependencies), a dependency ordered the wrong way round although it
could be honoured, a wave mixing non-production and production move groups, non-production after
production, and a pilot that is not wave 1.

Warnings are what `domain.planning.checks` reports on the edited plan; they are applied with it:
caps exceeded, order broken inside an ordering cycle or by the non-production-first rule, high
criticality or complexity in early waves, no pilot, mixed-environment groups, ties to assets that stay.
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
from dataclasses import dataclass

from domain.planning.checks import find_violations
from domain.planning.groups import GroupedPortfolio, group_portfolio
from domain.planning.model import Placement, PlanAsset, PlanEdge, PlanSettings, WaveKind, WavePlan
from domain.planning.order import GroupOrder, order_groups
from domain.planning.planner import waves_of_schedule
from domain.planning.schedule import Schedule

QUOTED_CHARS = 60  # of a cell or a name quoted in a message
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_SHOWN = 5


@dataclass(frozen=True, slots=True)
class PlanEditRow:
    """One row of an edited plan as written: its row number in the file, asset id, wave and wave kind."""

    row: int
    asset_id: str
    wave: str
    kind: str = ""


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
    wave_of_asset, pilot_rows, errors = _read_rows(portfolio, rows)
    if errors:
        return PlanEdit(tuple(errors), (), None)
    wave_of_group = _group_waves(portfolio, wave_of_asset, errors)
    if errors:
        return PlanEdit(tuple(errors), (), None)
    errors += _gaps(wave_of_group)
    kinds = _kinds(portfolio, wave_of_group, pilot_rows, errors)
    order = order_groups(len(portfolio.groups), portfolio.prerequisites)
    errors += _order_errors(portfolio, order, wave_of_group)
    if errors:
        return PlanEdit(tuple(errors), (), None)

    members: dict[int, list[int]] = defaultdict(list)
    for group, wave in enumerate(wave_of_group):
        members[wave].append(group)
    schedule = Schedule(wave_of_group, [(kinds[wave], members[wave]) for wave in sorted(members)])
    waves = waves_of_schedule(portfolio, schedule, settings)
    violations = tuple(find_violations(portfolio, order, wave_of_group, waves, settings))
    plan = WavePlan(
        waves=waves,
        placements={asset_id: Placement(wave, reason) for asset_id, wave in sorted(wave_of_asset.items())},
        move_groups=portfolio.groups,
        shared_services=portfolio.shared_services,
        ordering_cycles=tuple(tuple(portfolio.groups[g].id for g in cycle) for cycle in order.cycles),
        violations=violations,
        not_migrated=portfolio.not_migrated,
    )
    return PlanEdit((), tuple(f"{v.rule}: {v.detail}" for v in violations), plan)


def _read_rows(
    portfolio: GroupedPortfolio, rows: Sequence[PlanEditRow]
) -> tuple[dict[str, int], dict[int, list[bool]], list[str]]:
    """Each migrating asset's wave, per wave whether its rows say pilot, and the row errors."""
    errors: list[str] = []
    first_row: dict[str, int] = {}
    wave_of_asset: dict[str, int] = {}
    pilot_rows: dict[int, list[bool]] = defaultdict(list)
    most_waves = len(portfolio.group_of)  # one wave per migrating asset at most
    for row in rows:
        asset_id, wave_text = row.asset_id.strip(), row.wave.strip()
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
            errors.append(f"{where}: the wave of asset {name} must be a whole number from 1 to {most_waves} (the "
                          f"number of migrating assets), not {shown}")
            continue
        wave_of_asset[asset_id] = wave
        pilot_rows[wave].append(row.kind.strip().lower() == "pilot")
    missing = [a for a in portfolio.group_of if a not in first_row]
    if missing:
        errors.append(f"{len(missing)} migrating asset(s) have no row, so no wave: {_names(portfolio, missing)}")
    return wave_of_asset, pilot_rows, errors


def _group_waves(portfolio: GroupedPortfolio, wave_of_asset: dict[str, int], errors: list[str]) -> list[int]:
    """The wave of each move group; a group whose assets name several waves is an error."""
    wave_of_group = []
    for group in portfolio.groups:
        waves = sorted({wave_of_asset[a] for a in group.asset_ids})
        if len(waves) > 1:
            glue = "; ".join(_cut(reason) for reason in group.glued_by[:_SHOWN]) + _more(len(group.glued_by))
            errors.append(f"move group {group.id} is split across {_waves(waves)}: its assets "
                          f"{_names(portfolio, group.asset_ids)} move together ({glue})")
        wave_of_group.append(waves[0])
    return wave_of_group


def _gaps(wave_of_group: list[int]) -> list[str]:
    """The runs of wave numbers below the largest that no group uses; over the waves in use, not up to the
    largest."""
    empty, expected = [], 1
    for wave in sorted(set(wave_of_group)):
        if wave > expected:
            empty.append((expected, wave - 1))
        expected = wave + 1
    if not empty:
        return []
    return [f"wave numbers must run from 1 without gaps; no asset is in {_listed_runs(empty)}"]


def _kinds(
    portfolio: GroupedPortfolio, wave_of_group: list[int], pilot_rows: dict[int, list[bool]], errors: list[str]
) -> dict[int, WaveKind]:
    """Each wave's kind from its groups' phases (wave 1 is the pilot when all its rows say so)."""
    phases: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for index, wave in enumerate(wave_of_group):
        group = portfolio.groups[index]
        phases[wave][group.phase].append(group.id)
    for wave, phase_groups in sorted(phases.items()):
        if len(phase_groups) > 1:
            errors.append(f"wave {wave} mixes non-production move groups ({_ids(phase_groups['non_production'])}) "
                          f"and production ones ({_ids(phase_groups['production'])})")
    non_production = [w for w, p in phases.items() if "non_production" in p]
    production = [w for w, p in phases.items() if "production" in p]
    if non_production and production and max(non_production) > min(production):
        errors.append(f"wave {max(non_production)} holds non-production move groups after production wave "
                      f"{min(production)}: every non-production wave comes before the production waves")
    late_pilots = sorted(wave for wave, says in pilot_rows.items() if wave != 1 and any(says))
    if late_pilots:
        errors.append(f"only wave 1 can be the pilot; rows of {_waves(late_pilots)} say pilot")
    first = pilot_rows.get(1, [])
    if any(first) and not all(first):
        errors.append(f"wave 1 is the pilot in {sum(first)} row(s) but not in {len(first) - sum(first)}: "
                      "mark all its rows pilot, or none")
    return {
        wave: "pilot" if wave == 1 and first and all(first)
        else "production" if "production" in phase_groups else "non_production"
        for wave, phase_groups in phases.items()
    }


def _order_errors(portfolio: GroupedPortfolio, order: GroupOrder, wave_of_group: list[int]) -> list[str]:
    """Dependencies placed after their dependents although nothing forced it (no cycle, same phase)."""
    groups = portfolio.groups
    errors = []
    for (dependent, prerequisite), edges in sorted(portfolio.prerequisites.items()):
        if (wave_of_group[prerequisite] > wave_of_group[dependent]
                and order.component[dependent] != order.component[prerequisite]
                and groups[dependent].phase == groups[prerequisite].phase):
            source, target = edges[0]
            errors.append(
                f"move group {groups[dependent].id} (wave {wave_of_group[dependent]}) depends on "
                f"{groups[prerequisite].id} (wave {wave_of_group[prerequisite]}), e.g. {_name(portfolio, source)} "
                f"on {_name(portfolio, target)}: a dependency must move in the same or an earlier wave"
            )
    return errors


def _wave_number(text: str, most: int) -> int | None:
    """The wave `text` names if it is a whole number from 1 to `most`, else None; its digits are counted before
    they are read, so a cell of a million digits costs no more than one of ten."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("0")
    if not digits or len(digits) > len(str(most)):
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
    return f"{_quoted(name)} ({asset_id})" if name else repr(asset_id)


def _names(portfolio: GroupedPortfolio, asset_ids: Sequence[str]) -> str:
    return ", ".join(_name(portfolio, a) for a in asset_ids[:_SHOWN]) + _more(len(asset_ids))


def _ids(group_ids: list[str]) -> str:
    return ", ".join(group_ids[:_SHOWN]) + _more(len(group_ids))
