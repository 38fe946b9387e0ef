"""What an engagement's agents used and may spend, for people (`agents usage|budget`): model calls, tokens and
estimated cost per crew and phase, crew tasks by status, and the engagement's budget, shown and set.

Everything is read through the person's own session, so row-level security decides which rows count. The limits
live in `engagements.settings.agents` (`budget_tokens`, `budget_calls`; a missing key means the environment's
default, as `db.agents.budget_limits` reads them). Owners and approvers set them: spending is a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from agents.accounting import Budget
from agents.config import AgentSettings
from db.agents import BUDGET_KEYS, budget_limits, engagement_budget
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.vocabulary import AGENT_TASK_STATUSES, APPROVING_ROLES, PHASES

# The highest limits a person may set (the environment's defaults have the same bounds).
MOST_TOKENS = 10**12
MOST_CALLS = 10**9
DEFAULT, OWN = "default", "engagement"
_COUNTED = ("calls", "failed_calls", "prompt_tokens", "completion_tokens", "cached_tokens")


class BudgetRefused(ValueError):
    """A change of the agent budget the person may not make."""


@dataclass(frozen=True)
class AgentUsage:
    """One agent's model calls and tasks in one phase (agent and phase None: rows written without them)."""

    agent: str | None
    phase: str | None
    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    tasks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGENT_TASK_STATUSES, 0))  # by status


@dataclass(frozen=True)
class BudgetState:
    """The engagement's limits, where each comes from (OWN or DEFAULT), and what its agents used."""

    budget: Budget
    tokens_from: str
    calls_from: str

    def limits(self) -> tuple[tuple[str, int, int, str], ...]:
        """(what, limit, used, where the limit comes from) for tokens, then calls."""
        b = self.budget
        return ("tokens", b.max_tokens, b.used_tokens, self.tokens_from), ("calls", b.max_calls, b.used_calls,
                                                                             self.calls_from)


@dataclass(frozen=True)
class UsageReport:
    rows: list[AgentUsage]  # by phase in order, then agent
    total: AgentUsage
    budget: BudgetState


async def usage_report(pool: asyncpg.Pool, ref: EngagementRef, defaults: AgentSettings) -> UsageReport:
    """Per agent and phase: model calls, tokens, cost and tasks by status; their total; the budget."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        calls = await conn.fetch(sql("agents_usage_calls"), ref.id)
        tasks = await conn.fetch(sql("agents_usage_tasks"), ref.id)
        budget = await _budget_state(conn, ref.id, defaults)
    rows: dict[tuple[str | None, str | None], AgentUsage] = {}
    for row in calls:
        key = (row["agent_name"], row["phase"])
        rows[key] = AgentUsage(*key, row["calls"], row["failed_calls"], row["prompt_tokens"],
                               row["completion_tokens"], row["cached_tokens"], row["cost_usd"])
    for row in tasks:
        key = (row["agent_name"], row["phase"])
        usage = rows.get(key) or AgentUsage(*key)
        rows[key] = replace(usage, tasks=usage.tasks | {row["status"]: row["tasks"]})
    ordered = sorted(rows.values(), key=lambda r: (PHASES.index(r.phase) if r.phase in PHASES else len(PHASES),
                                                   r.phase or "", r.agent or ""))
    return UsageReport(ordered, _total(ordered), budget)


def _total(rows: list[AgentUsage]) -> AgentUsage:
    """Every row added up (agent and phase None)."""
    return AgentUsage(None, None, *(sum(getattr(r, name) for r in rows) for name in _COUNTED),
                      cost_usd=sum((r.cost_usd for r in rows), Decimal(0)),
                      tasks={status: sum(r.tasks.get(status, 0) for r in rows) for status in AGENT_TASK_STATUSES})


async def budget_state(pool: asyncpg.Pool, ref: EngagementRef, defaults: AgentSettings) -> BudgetState:
    """The engagement's agent budget, where its limits come from, and what is used."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await _budget_state(conn, ref.id, defaults)


async def set_budget(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID, defaults: AgentSettings, *,
                     tokens: int | None, calls: int | None, back_to_defaults: bool) -> BudgetState:
    """Set the engagement's own limits (None: unchanged), or drop them (`back_to_defaults`), as `user_id`, an owner
    or approver. Returns the budget as it now is."""
    limits = {key: value for key, value in zip(BUDGET_KEYS, (tokens, calls), strict=True) if value is not None}
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in APPROVING_ROLES:
            raise BudgetRefused(f"you may not change the agent budget of {ref.name!r} (role: {role or 'not a member'}; "
                                f"allowed: {', '.join(APPROVING_ROLES)})")
        changed = await conn.execute(sql("engagement_agent_budget_update"), ref.id, limits,
                                     list(BUDGET_KEYS) if back_to_defaults else [])
        if changed != "UPDATE 1":
            raise BudgetRefused(f"the database refused to change the settings of {ref.name!r} for your login; ask "
                                "one of the engagement's owners")
        return await _budget_state(conn, ref.id, defaults)


async def _budget_state(conn: asyncpg.Connection, engagement_id: UUID, defaults: AgentSettings) -> BudgetState:
    budget = await engagement_budget(conn, engagement_id, defaults)
    row = await conn.fetchrow(sql("engagement_planning_settings"), engagement_id)
    own_tokens, own_calls = _own_limits((row["settings"] or {}).get("agents"))
    return BudgetState(budget, OWN if own_tokens else DEFAULT, OWN if own_calls else DEFAULT)


def _own_limits(agents_settings: Any) -> tuple[bool, bool]:
    """Whether the engagement's own token and call limits are in force: budget_limits read with impossible
    defaults (-1) shows which of them it took from the engagement."""
    unset = AgentSettings.model_construct(budget_tokens=-1, budget_calls=-1)
    tokens, calls = budget_limits(agents_settings, unset)
    return tokens >= 0, calls >= 0
