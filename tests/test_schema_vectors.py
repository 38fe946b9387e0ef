"""agent_learning_patterns: 1536-dimension pgvector embeddings with an HNSW cosine index.

Nearest-neighbour search by cosine distance finds the right pattern, also when the planner is
made to use the HNSW index (EXPLAIN shows it), and vectors of any other dimension are refused.
Embeddings travel as Python lists: db.pool registers pgvector's asyncpg codec, which encodes
lists (and numpy arrays, when numpy is installed) and decodes to pgvector.Vector.
"""

from __future__ import annotations

import asyncpg
import pytest
from pgvector import Vector

from db.pool import tenant_transaction
from tests.conftest import RawTenant, insert_raw_tenant

DIMENSIONS = 1536
INDEX = "ix_agent_learning_patterns_embedding"
# Row-level security restricts the search to the tenant in context; no WHERE of its own.
NEAREST = "SELECT pattern_key FROM migration.agent_learning_patterns ORDER BY embedding <=> $1 LIMIT 1"


def basis(*weights: tuple[int, float]) -> list[float]:
    """A 1536-d vector that is zero except at the given (index, weight) positions."""
    vector = [0.0] * DIMENSIONS
    for index, weight in weights:
        vector[index] = weight
    return vector


# Distinct, mutually orthogonal directions (cosine distance 1 from one another).
PATTERNS = {
    "alpha": basis((10, 1.0)),
    "beta": basis((500, 1.0)),
    "gamma": basis((1000, 1.0)),
    "delta": basis((1535, 0.5), (1534, 0.5)),
}


@pytest.fixture(scope="module")
async def tenant(app_pool: asyncpg.Pool) -> RawTenant:
    t = await insert_raw_tenant(app_pool, "vec")
    async with tenant_transaction(app_pool, t.client_id, t.engagement_id) as conn:
        for key, embedding in PATTERNS.items():
            await conn.execute(
                "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, insight_type, scope,"
                " pattern_key, embedding, embedding_model, raw_evidence, confidence_score)"
                " VALUES ($1, $2, 'field_mapping_suggestion', 'engagement', $3, $4, 'test-basis', $5, 0.8)",
                t.client_id, t.engagement_id, key, embedding, {"key": key},
            )
    return t


def near(key: str) -> list[float]:
    """A query vector close to PATTERNS[key]: the same direction plus a little of another."""
    vector = list(PATTERNS[key])
    vector[42] = 0.1
    return vector


async def test_embeddings_round_trip_through_the_codec(tenant: RawTenant, app_pool: asyncpg.Pool) -> None:
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        stored = await conn.fetchval(
            "SELECT embedding FROM migration.agent_learning_patterns WHERE pattern_key = 'delta'"
        )
        assert await conn.fetchval("SELECT vector_dims(embedding) FROM migration.agent_learning_patterns LIMIT 1") == DIMENSIONS
    assert isinstance(stored, Vector)
    assert stored.to_list() == PATTERNS["delta"]


@pytest.mark.parametrize("key", sorted(PATTERNS))
async def test_nearest_pattern_by_cosine_distance(key: str, tenant: RawTenant, app_pool: asyncpg.Pool) -> None:
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        assert await conn.fetchval(NEAREST, near(key)) == key
        # the same through a pgvector.Vector value
        assert await conn.fetchval(NEAREST, Vector(near(key))) == key


@pytest.mark.parametrize("key", sorted(PATTERNS))
async def test_nearest_pattern_through_the_hnsw_index(key: str, tenant: RawTenant, app_pool: asyncpg.Pool) -> None:
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        # The policy's client_account_id = current_client_id() can use the tenant B-tree index; on a
        # table this small the planner then prefers sorting its few rows. Forbid the sort too, so the
        # plan must get its order from the HNSW index (under the same row-level security filter).
        await conn.execute("SET LOCAL enable_sort = off")
        plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + NEAREST, near(key)))
        assert f"Index Scan using {INDEX}" in plan, plan
        assert "Order By: (embedding <=> " in plan, plan
        assert "Sort" not in plan, plan
        assert await conn.fetchval(NEAREST, near(key)) == key


async def test_the_hnsw_index_uses_cosine_distance(superuser_conn: asyncpg.Connection) -> None:
    definition = await superuser_conn.fetchval("SELECT pg_get_indexdef(to_regclass($1))", f"migration.{INDEX}")
    assert "USING hnsw (embedding vector_cosine_ops)" in definition


@pytest.mark.parametrize("dimensions", [3, 384, 1535, 1537, 3072])
async def test_a_vector_of_another_dimension_is_refused(
    dimensions: int, tenant: RawTenant, app_pool: asyncpg.Pool, superuser_conn: asyncpg.Connection
) -> None:
    key = f"wrong-{dimensions}"
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        with pytest.raises(asyncpg.DataError, match=f"expected {DIMENSIONS} dimensions, not {dimensions}"):
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, insight_type,"
                    " scope, pattern_key, embedding, embedding_model, raw_evidence, confidence_score)"
                    " VALUES ($1, $2, 'risk_pattern', 'engagement', $3, $4, 'test-basis', '{}', 0.5)",
                    tenant.client_id, tenant.engagement_id, key, [1.0] * dimensions,
                )
        with pytest.raises(asyncpg.DataError, match="different vector dimensions"):
            async with conn.transaction():
                await conn.fetchval(NEAREST, [1.0] * dimensions)
    assert await superuser_conn.fetchval(
        "SELECT count(*) FROM migration.agent_learning_patterns WHERE pattern_key = $1", key
    ) == 0
