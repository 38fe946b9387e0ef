"""Field-mapping knowledge in `agent_learning_patterns`: what people decided, found again by pgvector.

A decision is stored under the engagement's learning scope (engagement, client, or global when the
engagement opts in) with the header's embedding; the next import asks for the nearest stored
headers made by the same embedder. Row-level security decides which patterns a tenant sees.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from db.queries import sql
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.field_mapping import LearnedMatch, normalise_header
from domain.discovery.header_embedding import Embedder

_WORD = re.compile(r"[^\W_]")
# Candidates per header fetched from the index. Row-level security filters the index's candidates, so the
# HNSW scan is iterative (pgvector >= 0.8): it goes on past ef_search candidates until NEIGHBOURS rows the
# tenant may see are found (docs/adr/0022-iterative-index-scans-under-row-level-security.md).
NEIGHBOURS = 5
EF_SEARCH = 200
ITERATIVE_SCAN = "strict_order"


async def nearest_mappings(
    conn: asyncpg.Connection, embedder: Embedder, headers: Sequence[str]
) -> dict[str, LearnedMatch]:
    """The best stored decision for each header that has one (highest similarity first)."""
    headers = [h for h in headers if embeddable(h)]
    if not headers:
        return {}
    vectors = await asyncio.to_thread(embedder.embed, headers)
    await conn.execute(sql("hnsw_search_settings"), str(EF_SEARCH), ITERATIVE_SCAN)
    texts = ["[" + ",".join(map(repr, vector)) + "]" for vector in vectors]  # one vector[] needs text input
    rows = await conn.fetch(sql("learning_patterns_nearest"), list(headers), texts, embedder.model, NEIGHBOURS)
    best: dict[str, LearnedMatch] = {}
    for row in rows:
        if row["header"] in best or row["target_field"] not in ASSET_IMPORT_FIELDS:
            continue  # a pattern naming a column that no longer exists is not offered
        best[row["header"]] = LearnedMatch(
            target=row["target_field"],
            similarity=max(0.0, min(1.0, float(row["similarity"]))),
            scope=row["scope"],
            pattern_id=row["id"] or "",
            header=row["source_field"] or row["pattern_key"],
            # a decision of this client's people; the global pool's pairs come from other clients and
            # are offered for review, never applied unseen
            validated=row["id"] is not None,
        )
    return best


async def store_mapping_decisions(
    conn: asyncpg.Connection,
    embedder: Embedder,
    *,
    client_account_id: UUID,
    engagement_id: UUID,
    scope: str,
    master_flow_id: UUID | None,
    decisions: Sequence[Mapping[str, Any]],
) -> int:
    """Store each decision ({source_field, target_field, user, file_name, profile}) as a pattern."""
    decisions = [d for d in decisions if embeddable(d["source_field"])]
    if not decisions:
        return 0
    vectors = await asyncio.to_thread(embedder.embed, [d["source_field"] for d in decisions])
    for decision, vector in zip(decisions, vectors):
        key = normalise_header(decision["source_field"])
        if scope == "global":
            await conn.execute(sql("shared_mapping_pattern_vote"), embedder.model, key, decision["target_field"], vector)
        value = {"source_field": decision["source_field"], "target_field": decision["target_field"],
                 "profile": decision.get("profile")}
        evidence = {"file_name": decision.get("file_name"), "decided_by": str(decision["user"]),
                    "kind": decision["kind"]}
        await conn.execute(
            sql("learning_pattern_upsert"), client_account_id, engagement_id if scope == "engagement" else None,
            scope, key, value, vector, embedder.model, evidence,
            1.0 if decision["kind"] == "corrected" else 0.9, master_flow_id,
        )
    return len(decisions)


def embeddable(header: str) -> bool:
    """A header with a letter or digit; `#` or `%` alone carries nothing to learn or compare."""
    return _WORD.search(header) is not None


async def mark_applied(conn: asyncpg.Connection, pattern_ids: Sequence[str]) -> None:
    """Count a use of each tenant pattern (global-pool matches have no id)."""
    ids = [UUID(p) for p in pattern_ids if p]
    if ids:
        await conn.execute(sql("learning_patterns_applied"), ids)
