"""Erasure's pure parts: its one-line counts and the visibility query of a client's executions."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.privacy import client_workflows_query, rows_summary

CLIENT = UUID("11111111-1111-1111-1111-111111111111")
ENGAGEMENT = UUID("22222222-2222-2222-2222-222222222222")


def test_counts_read_largest_first_then_by_table() -> None:
    assert rows_summary({"users": 1, "assets": 7, "security_audit_logs": 7, "engagement_members": 2}) == (
        "assets 7, security_audit_logs 7, engagement_members 2, users 1")
    assert rows_summary({}) == "no rows"


def test_a_clients_executions_are_its_masters_and_everything_under_its_engagements() -> None:
    assert client_workflows_query(CLIENT, [ENGAGEMENT]) == (
        f"ClientAccountId = '{CLIENT}' OR WorkflowId STARTS_WITH 'engagement-{ENGAGEMENT}'")
    assert client_workflows_query(CLIENT, []) == f"ClientAccountId = '{CLIENT}'"
    # a client erased by name before: only the engagements its record keeps
    assert client_workflows_query(None, [ENGAGEMENT]) == f"WorkflowId STARTS_WITH 'engagement-{ENGAGEMENT}'"


def test_only_ids_reach_the_query() -> None:
    with pytest.raises(ValueError):
        client_workflows_query("x' OR WorkflowId != '", [])  # type: ignore[arg-type]
