"""Erasure's pure parts: how its counts read, and which Temporal executions belong to a client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from workflows.ids import master_workflow_id


def rows_summary(rows: Mapping[str, int]) -> str:
    """`rows` (table -> rows changed or deleted) as one line, the largest counts first: 'assets 3, users 1'."""
    if not rows:
        return "no rows"
    ordered = sorted(rows.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{table} {count}" for table, count in ordered)


def client_workflows_query(client_id: UUID | None, engagement_ids: Iterable[UUID]) -> str:
    """The visibility query of every execution of a client: its masters (tagged with the client, when its id is
    known) and their children (phases and waves, whose ids start with their master's)."""
    clauses = [] if client_id is None else [f"ClientAccountId = '{UUID(str(client_id))}'"]
    clauses += [f"WorkflowId STARTS_WITH '{master_workflow_id(UUID(str(e)))}'" for e in engagement_ids]
    return " OR ".join(clauses)
