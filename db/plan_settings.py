"""An engagement's planning settings for people: shown, changed, tried on a plan in memory, and re-planned.

Every setting is a field of `domain.planning.model.PlanSettings` (names, types, defaults and descriptions come
from its `model_fields`); `start_date` lives in `engagements.start_date`, the others in `engagements.settings`.
A change is validated by PlanSettings as a whole, as the planning phase reads it (`db.plan_review.plan_settings`).
`preview` plans in a read-only transaction; `replan` rewrites the plan (`db.plan_review.write_plan`) while the
planning phase awaits approval.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from db.plan_review import SETTING_ALIASES, Portfolio, plan_settings, read_portfolio, write_plan
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.assessment.effort import DAY_RATE
from domain.planning.model import PlanSettings, WavePlan
from domain.planning.planner import plan_waves, wave_dates
from domain.settings_text import RESET, allowed, default_of, described, split_assignment
from domain.vocabulary import REVIEWING_ROLES
from domain.wording import counted

START = "start_date"  # the setting kept in its own column
NOT_YET_PLANNED = ("the written plan does not change until it is planned again: `plan replan` while planning "
                   "awaits approval (or `reject ... planning` to re-run the phase)")


@dataclass(frozen=True)
class Setting:
    name: str
    value: Any  # as PlanSettings reads it (JSON-ready); start_date None: not set
    source: str  # "engagement" (set for it) or "default"
    allowed: str
    description: str


@dataclass(frozen=True)
class PlanOutline:
    """A plan at a glance, written or in memory."""

    waves_by_kind: dict[str, int]
    first_start: date | None
    last_end: date | None
    effort_days: float
    cost: float
    largest_wave: int
    violations_by_rule: dict[str, int]
    wave_of: dict[str, int | None]  # each asset's wave (None: in no wave)


@dataclass(frozen=True)
class MovedAsset:
    id: str
    name: str
    wave_before: int | None
    wave_after: int | None


@dataclass(frozen=True)
class PlanComparison:
    current: PlanOutline | None  # None: no plan is written yet
    proposed: PlanOutline
    moved: tuple[MovedAsset, ...]  # assets whose wave differs (all of them when no plan is written)
    changes: dict[str, Any]  # the settings changed for the proposal (RESET as None)


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """`key=value` texts as settings (RESET for `key=`); a mistake raises ValueError in one line."""
    changes: dict[str, Any] = {}
    for text in assignments:
        key, value = split_assignment(text, PlanSettings)
        if key in changes:
            raise ValueError(f"{key} is given twice")
        changes[key] = value
    return changes


def _applied(start: date | None, stored: Mapping[str, Any], changes: Mapping[str, Any]) -> tuple[date | None,
                                                                                                   dict[str, Any]]:
    """The start date and settings object once `changes` are made (an older alias of a changed key goes)."""
    settings = {key: value for key, value in stored.items() if SETTING_ALIASES.get(key, key) not in changes}
    for key, value in changes.items():
        if key == START:
            start = None if value is RESET else date.fromisoformat(value)
        elif value is not RESET:
            settings[key] = value
    return start, settings


def _validated(start: date | None, settings: Mapping[str, Any], fallback: date) -> PlanSettings:
    """PlanSettings as the planning phase reads them (`fallback` stands in for an unset start date)."""
    return plan_settings(start or fallback, settings)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


async def show_settings(pool: asyncpg.Pool, ref: EngagementRef) -> list[Setting]:
    """Every planning setting with its value and whether the engagement sets it."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        row = await conn.fetchrow(sql("engagement_planning_settings"), ref.id)
    stored = {SETTING_ALIASES.get(key, key): value for key, value in (row["settings"] or {}).items()}
    effective = _validated(row["start_date"], stored, _next_monday(date.today())).model_dump(mode="json")
    return [Setting(name, (row["start_date"] and row["start_date"].isoformat()) if name == START else effective[name],
                    "engagement" if (row["start_date"] if name == START else name in stored) else "default",
                    allowed(field), described(field, name))
            for name, field in PlanSettings.model_fields.items()]


def default_value(name: str) -> Any:
    """A setting's default, as `show` lists it."""
    return default_of(PlanSettings.model_fields[name])


async def _check_reviewer(conn: asyncpg.Connection, ref: EngagementRef, user_id: UUID, what: str) -> None:
    role = await conn.fetchval(sql("member_role"), ref.id, user_id)
    if role not in REVIEWING_ROLES:
        raise ValueError(f"you may not {what} of {ref.name!r} (role: {role or 'not a member'}; allowed: "
                         f"{', '.join(REVIEWING_ROLES)})")


async def _check_not_executing(conn: asyncpg.Connection, ref: EngagementRef) -> asyncpg.Record:
    """The current plan's facts (plan_current), once sure no wave of it has started."""
    current = await conn.fetchrow(sql("plan_current"))
    if current["waves_started"]:
        raise ValueError(f"the execution of {ref.name!r} has begun ({counted(current['waves_started'], 'wave')} "
                         "started): its plan and planning settings can no longer be changed")
    return current


async def set_settings(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID, changes: Mapping[str, Any]) -> bool:
    """Make `changes` (from `parse_assignments`) as `user_id`, if the whole result is valid; return whether a plan
    is written already (it does not change until re-planned)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        await _check_reviewer(conn, ref, user_id, "change the planning settings")
        current = await _check_not_executing(conn, ref)
        row = await conn.fetchrow(sql("engagement_planning_settings_locked"), ref.id)
        start, settings = _applied(row["start_date"], row["settings"] or {}, changes)
        # settings without room in the calendar for one wave are refused now, not when planning
        wave_dates(1, _validated(start, settings, current["first_start"] or _next_monday(date.today())))
        await conn.execute(sql("engagement_planning_settings_update"), ref.id, start, settings)
    return current["first_start"] is not None


# ------------------------------------------------------------------------------------------ what-if
def outline_of(plan: WavePlan) -> PlanOutline:
    """The outline of a plan made in memory (ordering cycles count as violations, as `write_plan` records them)."""
    violations = Counter(v.rule for v in plan.violations)
    if plan.ordering_cycles:
        violations["ordering_cycle"] += len(plan.ordering_cycles)
    effort = sum(w.effort_days for w in plan.waves)
    return PlanOutline(
        waves_by_kind=dict(Counter(w.kind for w in plan.waves)),
        first_start=min((w.start_date for w in plan.waves), default=None),
        last_end=max((w.end_date for w in plan.waves), default=None),
        effort_days=effort, cost=effort * DAY_RATE,
        largest_wave=max((len(w.asset_ids) for w in plan.waves), default=0),
        violations_by_rule=dict(sorted(violations.items())),
        wave_of={**{a: p.wave for a, p in plan.placements.items()}, **dict.fromkeys(plan.not_migrated)},
    )


async def _written_outline(conn: asyncpg.Connection, portfolio: Portfolio) -> PlanOutline | None:
    """The outline of the engagement's written plan; None when there is none."""
    waves = await conn.fetch(sql("waves_report"))
    if not waves:
        return None
    return PlanOutline(
        waves_by_kind=dict(Counter(w["kind"] for w in waves)),
        first_start=min(w["planned_start"] for w in waves), last_end=max(w["planned_end"] for w in waves),
        effort_days=sum(float(w["estimated_effort_days"] or 0) for w in waves),
        cost=sum(float(w["estimated_cost"] or 0) for w in waves),
        largest_wave=max(w["asset_count"] for w in waves),
        violations_by_rule={r["rule"]: r["violations"]
                            for r in sorted(await conn.fetch(sql("report_violation_counts")))},
        wave_of=dict(portfolio.waves),
    )


async def _compared(conn: asyncpg.Connection, ref: EngagementRef, changes: Mapping[str, Any],
                    current: asyncpg.Record) -> tuple[PlanComparison, WavePlan]:
    """The engagement's settings with `changes`, the plan they make in memory, and how it differs from the
    written one (`current`: its plan_current facts). Without a start date a plan starts where the written one
    does, or next Monday."""
    row = await conn.fetchrow(sql("engagement_planning_settings"), ref.id)
    start, stored = _applied(row["start_date"], row["settings"] or {}, changes)
    settings = _validated(start, stored, current["first_start"] or _next_monday(date.today()))
    portfolio = await read_portfolio(conn)
    if not portfolio.assets:
        raise ValueError("the engagement has no assets: nothing to plan")
    plan = await asyncio.to_thread(plan_waves, portfolio.assets, portfolio.edges, settings)
    current, proposed = await _written_outline(conn, portfolio), outline_of(plan)
    names = {a.id: a.name for a in portfolio.assets}
    before = current.wave_of if current else {}
    moved = tuple(MovedAsset(a, names.get(a, a), before.get(a), wave) for a, wave in sorted(
        proposed.wave_of.items(), key=lambda item: (item[1] is None, item[1] or 0, names.get(item[0], "")))
        if current is None or before.get(a) != wave)
    shown = {key: None if value is RESET else value for key, value in changes.items()}
    return PlanComparison(current, proposed, moved, shown), plan


async def preview(pool: asyncpg.Pool, ref: EngagementRef, changes: Mapping[str, Any]) -> PlanComparison:
    """The plan the engagement's settings with `changes` would make, beside the written one; in a read-only
    transaction, so nothing is written."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(sql("transaction_read_only"))
        comparison, _ = await _compared(conn, ref, changes, await conn.fetchrow(sql("plan_current")))
    return comparison


async def awaits_planning_approval(pool: asyncpg.Pool, ref: EngagementRef) -> bool:
    """Whether the engagement's newest flow, as the database records it, waits for its plan to be approved."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        flow = await conn.fetchrow(sql("engagement_latest_flow"))
    return flow is not None and flow["awaiting_approval_phase"] == "planning"


async def replan(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID) -> PlanComparison:
    """Plan again with the current settings and replace the written plan, in one transaction under the plan's
    lock, as `user_id` (a reviewing role), while the planning phase awaits approval and no wave has started."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        await _check_reviewer(conn, ref, user_id, "re-plan the waves")
        await conn.execute(sql("plan_write_lock"), ref.id)
        current = await _check_not_executing(conn, ref)
        flow = await conn.fetchrow(sql("engagement_latest_flow"))
        if flow is None or flow["awaiting_approval_phase"] != "planning" or current["planning_flow_id"] is None:
            where = (f"it awaits approval of {flow['awaiting_approval_phase']}" if flow and
                     flow["awaiting_approval_phase"] else f"its flow is {flow['flow_status']}" if flow else
                     "it has not been launched")
            raise ValueError(f"{ref.name!r} can be re-planned only while its planning phase awaits approval; {where}")
        comparison, plan = await _compared(conn, ref, {}, current)
        if not plan.waves:
            raise ValueError("no asset is to be migrated (every one is retired or retained): nothing to plan")
        await write_plan(conn, ref.client_account_id, ref.id, current["planning_flow_id"], plan)
    return comparison
