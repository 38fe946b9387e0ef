"""The agents' rows: budgets, model calls, crew tasks, the strategy crew's alternatives."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from agents.accounting import Budget
from agents.config import AgentSettings
from db.queries import sql

BUDGET_KEYS = ("budget_tokens", "budget_calls")


def budget_limits(agents_settings: Any, defaults: AgentSettings) -> tuple[int, int]:
    """(max tokens, max calls): the engagement's own where it set a valid one, else the defaults."""
    own = agents_settings if isinstance(agents_settings, dict) else {}

    def limit(key: str, default: int) -> int:
        value = own.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default

    return limit("budget_tokens", defaults.budget_tokens), limit("budget_calls", defaults.budget_calls)


async def engagement_budget(conn: asyncpg.Connection, engagement_id: UUID, defaults: AgentSettings) -> Budget:
    """The engagement's limits and what its agents used (within the caller's tenant transaction)."""
    row = await conn.fetchrow(sql("agent_budget"), engagement_id)
    if row is None:
        raise LookupError(f"engagement {engagement_id} is not visible in this tenant context")
    max_tokens, max_calls = budget_limits(row["agents"], defaults)
    return Budget(max_tokens=max_tokens, max_calls=max_calls, used_tokens=row["used_tokens"],
                  used_calls=row["used_calls"])
