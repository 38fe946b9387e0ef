"""One readable line per phase result, from the step summaries a phase returns.

Used by the CLI's `status` and the master workflow's current details in the Web UI, so both say
the same thing. Pure and tolerant: a summary without a figure simply leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domain.assessment.business_case import difference_text
from domain.wording import counted

Summaries = Mapping[str, Mapping[str, Any]]


def _mix(counts: Mapping[str, Any] | None, limit: int = 5) -> str:
    ordered = sorted((counts or {}).items(), key=lambda kv: (-int(kv[1] or 0), kv[0]))
    return ", ".join(f"{name} {count}" for name, count in ordered[:limit])


def _money(value: Any, currency: str | None) -> str:
    return f"{float(value):,.0f} {currency or ''}".strip()


def _discovery(steps: Summaries) -> list[str]:
    parts = []
    inventory = steps.get("inventory", {})
    if "assets" in inventory:
        parts.append(f"{inventory['assets']} assets")
    files = steps.get("data_import", {}).get("files")
    if files:
        parts.append(f"{counted(len(files), 'file')}: " + ", ".join(f"{f['file']} ({f['format']}, {f['role']})" for f in files))
    for f in files or ():
        parts.extend(file_notes(f["file"], f.get("skipped") or {}, f.get("warnings") or (), shown=5))
    cleansing = steps.get("data_cleansing", {})
    if cleansing.get("quarantined"):
        parts.append(f"{counted(cleansing['quarantined'], 'row')} quarantined")
    if cleansing.get("dropped_edges"):
        parts.append(f"{counted(cleansing['dropped_edges'], 'loop-back or self edge')} dropped")
    mapping = steps.get("attribute_mapping", {})
    if "mapped" in mapping:
        parts.append(f"{mapping['mapped']}/{mapping.get('columns', '?')} columns mapped "
                     f"({_mix(mapping.get('by_source'))})")
    edges = steps.get("dependency_analysis", {})
    if "edges_total" in edges:
        dangling = edges.get("dangling_references", 0)
        parts.append(counted(edges["edges_total"], "dependency") + (f", {counted(dangling, 'dangling reference')}" if dangling else ""))
    flags = steps.get("tech_debt_analysis", {}).get("flags")
    if flags:
        parts.append(f"tech debt: {_mix(flags)}")
    return parts


def file_notes(name: str, skipped: Mapping[str, str], warnings: Sequence[str], shown: int | None = None) -> list[str]:
    """A file's sheets that were not imported, with why (the first `shown`, or all), and what a person should
    check: for `status` and `imports list` alike."""
    parts = []
    if skipped:
        listed = "; ".join(f"{sheet} ({why})" for sheet, why in list(skipped.items())[:shown])
        more = f"; {len(skipped) - shown} more in `imports list`" if shown is not None and len(skipped) > shown else ""
        parts.append(f"{name}: {counted(len(skipped), 'sheet')} not imported: {listed}{more}")
    parts.extend(f"{name}: {warning}" for warning in warnings)
    return parts


def _assessment(steps: Summaries) -> list[str]:
    parts = []
    strategy = steps.get("strategy_recommendation", {})
    if strategy.get("strategy_mix"):
        parts.append(f"strategies: {_mix(strategy['strategy_mix'], 8)}")
    if strategy.get("decided_by_people"):
        parts.append(f"{strategy['decided_by_people']} decided by people")
    risk = steps.get("risk_scoring", {})
    if risk.get("risk_levels"):
        parts.append(f"risk: {_mix(risk['risk_levels'])}")
    cost = steps.get("cost_projection", {})
    if "projected_monthly" in cost:
        currency = cost.get("currency")
        parts.append(f"monthly cost {_money(cost.get('current_monthly', 0), currency)} now, "
                     f"{_money(cost['projected_monthly'], currency)} projected; where both are known the cloud "
                     f"{difference_text(float(cost.get('savings_monthly', 0)), currency or '')}")
    return parts


def _planning(steps: Summaries) -> list[str]:
    parts = []
    waves = steps.get("wave_planning", {})
    if "waves" in waves:
        kinds = ", ".join(f"{n} {kind.replace('_', '-')}" for kind, n in sorted(
            (waves.get("waves_by_kind") or {}).items(), key=lambda kv: (-int(kv[1] or 0), kv[0])))
        parts.append(counted(waves["waves"], "wave") + (f" ({kinds})" if kinds else ""))
    if "move_groups" in waves:
        parts.append(counted(waves["move_groups"], "move group"))
    if waves.get("violations_by_rule"):
        parts.append(f"rules not met: {_mix(waves['violations_by_rule'])}")
    if waves.get("ordering_cycles"):
        parts.append(counted(waves["ordering_cycles"], "dependency cycle"))
    timeline = steps.get("timeline", {})
    if timeline.get("start") and timeline.get("end"):
        parts.append(f"{timeline['start']} to {timeline['end']}")
    cost = steps.get("cost_estimate", {})
    if "effort_person_days" in cost:
        parts.append(f"{cost['effort_person_days']:g} person-days")
    return parts


def _execution(steps: Summaries) -> list[str]:
    waves = steps.get("wave_execution", {})
    if "waves_executed" not in waves:
        return []
    done = waves["waves_executed"]
    parts = [f"{counted(done, 'wave')} executed, {counted(waves.get('assets_migrated', 0), 'asset')} migrated"]
    if waves.get("assets_abandoned"):
        parts.append(f"{waves['assets_abandoned']} abandoned")
    if rolled_back := waves.get("waves_rolled_back"):
        parts.append(f"rolled back: wave {', '.join(map(str, rolled_back))}")
    if not_completed := waves.get("waves_not_completed"):
        parts.append(f"not completed: {'; '.join(f'wave {n} {why}' for n, why in not_completed.items())}")
    if not_started := waves.get("waves_not_started"):
        parts.append(f"not started: wave {', '.join(map(str, not_started))}")
    return parts


_BY_PHASE = {"discovery": _discovery, "assessment": _assessment, "planning": _planning, "execution": _execution}


def phase_highlights(phase: str, steps: Summaries) -> str:
    """The phase's result in one line ('' when nothing is known yet); a failure shows its error."""
    if "error" in steps:
        return f"failed: {steps['error']}"
    describe = _BY_PHASE.get(phase)
    return "; ".join(describe(steps)) if describe else ""
