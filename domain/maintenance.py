"""Scheduled maintenance: what its runs are given and report, and the retention rules, free of servers.

The three partitioned logs keep rows for a number of days per client (a client's own policy, else the platform
default); a whole partition goes once it is older than every client's retention of that log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from domain.flow_contracts import Model

LogTable = Literal["llm_usage_log", "agent_task_history", "security_audit_logs"]
LOG_TABLES: tuple[LogTable, ...] = ("llm_usage_log", "agent_task_history", "security_audit_logs")
# Below this the database refuses to delete log rows or drop their partitions (schema 0031): a typo cannot
# empty the audit log.
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 36500
RetentionDays = Field(ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)
# The columns of a client's retention policy (schema 0031), in order.
POLICY_FIELDS = ("llm_usage_log_days", "agent_task_history_days", "security_audit_logs_days", "archive_after_days")


class LogRetention(Model):
    """Days each log keeps its rows."""

    llm_usage_log: int = RetentionDays
    agent_task_history: int = RetentionDays
    security_audit_logs: int = RetentionDays

    def days(self, table: LogTable) -> int:
        return getattr(self, table)


class PartitionsInput(Model):
    """Partitions from the current period on: this month and `months_ahead` more, this ISO week and `weeks_ahead`."""

    months_ahead: int = Field(ge=1, le=60)
    weeks_ahead: int = Field(ge=1, le=260)
    now: datetime | None = None  # the run's time (workflow.now()), set by the workflow


class PartitionsResult(Model):
    created: dict[str, int]


class RetentionInput(Model):
    """The platform defaults (a client's own policy overrides each); partitions are exported as gzip JSON Lines
    into `export_dir` before they are dropped when it is set."""

    defaults: LogRetention
    export_dir: str | None = None
    now: datetime | None = None


class RetentionResult(Model):
    rows_deleted: dict[str, int]
    partitions_dropped: list[str]
    exported: list[str]  # the files written


class ArchiveInput(Model):
    """Completed engagements are archived `archive_after_days` after completion (a client's own policy overrides)."""

    archive_after_days: int = Field(ge=1, le=MAX_RETENTION_DAYS)
    now: datetime | None = None


class ArchiveResult(Model):
    archived: list[str]  # CLIENT/ENGAGEMENT


def effective_retention(defaults: LogRetention, stored: dict[str, int | None]) -> LogRetention:
    """A client's retention from its stored policy (POLICY_FIELDS): each log's days where the client set them,
    the default elsewhere."""
    return LogRetention(**{table: stored.get(f"{table}_days") or defaults.days(table) for table in LOG_TABLES})


def partition_cutoff(now: datetime, table: LogTable, retentions: list[LogRetention]) -> datetime:
    """The end a partition of `table` must be at or before to be dropped: older than every client's retention
    (with no clients, the longest of nothing is nothing: the caller passes at least the defaults)."""
    return now - timedelta(days=max(r.days(table) for r in retentions))
