"""The current plan's move groups and violations as people read them: each move group with what it holds
(`domain.wording.group_name`), each violation with its assets and move groups by name, for the report and the
plan export alike."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from db.queries import sql
from domain.wording import group_name, named
from reports.model import GroupNode, Shown, ViolationRow


async def move_groups(conn: asyncpg.Connection, members: int) -> list[GroupNode]:
    """Every move group of the plan, with its first `members` asset names."""
    return [GroupNode(r["move_group"], r["assets"], r["wave"], tuple(r["members"]),
                      group_name(r["applications"], r["application_count"], r["members"], r["assets"]),
                      tuple(r["environments"]))
            for r in await conn.fetch(sql("move_groups_summary"), members)]


async def violations(conn: asyncpg.Connection, labels: Mapping[str, str], names: int,
                     limit: int | None = None) -> Shown[ViolationRow]:
    """The plan's violations (the first `limit`; None: all), each with its first `names` asset names and its move
    groups labelled from `labels` (group id -> label)."""
    rows = await conn.fetch(sql("plan_violations_list"), names, limit)
    shown = tuple(ViolationRow(
        r["rule"], named(r["detail"], r["names_in_detail"] or {}), r["asset_count"], tuple(r["asset_names"]),
        tuple(labels.get(g, g) for g in r["move_groups"]),
    ) for r in rows)
    return Shown(shown, (rows[0]["total"] if rows else 0) - len(shown))
