"""Nearest learned mappings under row-level security: the HNSW scan goes on past other tenants' rows.

Another tenant holds thousands of patterns almost identical to the query; this tenant holds a few, farther away.
A plain HNSW scan returns hnsw.ef_search candidates, all the other tenant's, which the policy then removes: the
tenant gets none of its own rows. `nearest_mappings` turns on pgvector's iterative scan and gets them.
"""

from __future__ import annotations

import random
import uuid

import asyncpg
import pytest

from db.learning_patterns import EF_SEARCH, NEIGHBOURS, nearest_mappings
from db.pool import create_pool, tenant_transaction
from db.queries import sql
from domain.discovery.header_embedding import EMBEDDING_DIMENSIONS
from tests.conftest import RawTenant, create_test_database, insert_raw_tenant

HEADER = "Server Name"
OTHER_TENANT_ROWS = 10 * EF_SEARCH
OWN_ROWS = 3
INDEX = "ix_agent_learning_patterns_embedding"


class FixedEmbedder:
    """An Embedder of this test's own model: every header becomes the query direction."""

    def __init__(self) -> None:
        self.model = f"test-iterative-{uuid.uuid4().hex[:8]}"
        self.dimensions = EMBEDDING_DIMENSIONS

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [query_vector() for _ in texts]


def query_vector() -> list[float]:
    vector = [0.0] * EMBEDDING_DIMENSIONS
    vector[0] = 1.0
    return vector


def nudged(rng: random.Random, spread: float) -> list[float]:
    """The query direction plus noise of `spread` in a few random dimensions (cosine distance grows with it)."""
    vector = query_vector()
    for dimension in rng.sample(range(1, EMBEDDING_DIMENSIONS), 20):
        vector[dimension] = rng.gauss(0.0, spread)
    return vector


async def store_patterns(pool: asyncpg.Pool, tenant: RawTenant, model: str, vectors: list[list[float]]) -> None:
    async with tenant_transaction(pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.executemany(
            "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, insight_type, scope,"
            " pattern_key, pattern_value, embedding, embedding_model, raw_evidence, confidence_score, validated)"
            " VALUES ($1, $2, 'field_mapping_suggestion', 'engagement', $3, $4, $5, $6, '{}', 0.9, true)",
            [(tenant.client_id, tenant.engagement_id, f"header {i}",
              {"source_field": f"header {i}", "target_field": "hostname"}, vector, model)
             for i, vector in enumerate(vectors)],
        )


@pytest.fixture(scope="module")
async def crowded(pg_superuser_url: str) -> tuple[asyncpg.Pool, RawTenant, FixedEmbedder]:
    """A database of its own: one tenant crowded out of the index's first candidates by another."""
    db = await create_test_database(pg_superuser_url)
    pool = await create_pool(db.app_url, max_size=2)
    embedder = FixedEmbedder()
    rng = random.Random(17)
    other, own = await insert_raw_tenant(pool, "crowd"), await insert_raw_tenant(pool, "few")
    await store_patterns(pool, other, embedder.model, [nudged(rng, 0.05) for _ in range(OTHER_TENANT_ROWS)])
    await store_patterns(pool, own, embedder.model, [nudged(rng, 0.3) for _ in range(OWN_ROWS)])
    yield pool, own, embedder
    await pool.close()


async def force_the_hnsw_index(conn: asyncpg.Connection) -> None:
    """Make the planner take the HNSW index, as it does on a large table, not the tenant's B-tree index."""
    await conn.execute("SET LOCAL enable_seqscan = off")
    await conn.execute("SET LOCAL enable_sort = off")


async def test_a_plain_hnsw_scan_misses_the_tenants_own_rows(crowded) -> None:
    """Without the iterative scan the tenant's query finds none of its rows: the trap the setting avoids."""
    pool, own, embedder = crowded
    async with tenant_transaction(pool, own.client_id, own.engagement_id) as conn:
        await force_the_hnsw_index(conn)
        await conn.execute(sql("hnsw_search_settings"), str(EF_SEARCH), "off")
        args = ([HEADER], [str(query_vector())], embedder.model, NEIGHBOURS)
        plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + sql("learning_patterns_nearest"), *args))
        assert f"Index Scan using {INDEX}" in plan, plan
        rows = await conn.fetch(sql("learning_patterns_nearest"), *args)
    assert [r for r in rows if r["id"] is not None] == []


async def test_the_iterative_scan_finds_the_tenants_own_nearest_rows(crowded) -> None:
    pool, own, embedder = crowded
    async with tenant_transaction(pool, own.client_id, own.engagement_id) as conn:
        await force_the_hnsw_index(conn)
        best = await nearest_mappings(conn, embedder, [HEADER])
        mode = await conn.fetchval("SELECT current_setting('hnsw.iterative_scan')")
        rows = await conn.fetch(sql("learning_patterns_nearest"), [HEADER], [str(query_vector())], embedder.model,
                                NEIGHBOURS)
        own_ids = {r["id"] for r in await conn.fetch("SELECT id::text FROM migration.agent_learning_patterns")}
    assert best[HEADER].validated and best[HEADER].target == "hostname"
    assert {r["id"] for r in rows if r["id"] is not None} == own_ids
    assert len(own_ids) == OWN_ROWS
    assert mode == "strict_order"
