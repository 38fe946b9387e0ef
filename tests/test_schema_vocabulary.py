"""Canonical vocabularies (DESIGN contract 8): defined once in domain.vocabulary, enforced by CHECKs.

Every CHECK marked `-- vocabulary: NAME` in schema/*.sql is read back from the migrated database
(pg_get_constraintdef) and must list exactly the values of domain.vocabulary.NAME; the step flag
columns of the phase tables follow PHASE_STEPS; the Literal types of domain.flow_contracts follow
the tuples; and values outside a vocabulary are refused by the database.
"""

from __future__ import annotations

import re
import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from db.migrator import SCHEMA_DIR
from db.pool import tenant_transaction
from domain import flow_contracts, vocabulary
from tests.conftest import RawTenant, insert_raw_tenant

MARKER = re.compile(r"--\s*vocabulary:\s*([A-Z_][A-Z0-9_]*)")
TABLE = re.compile(r"\b(?:CREATE|ALTER)\s+TABLE\s+migration\.(\w+)", re.IGNORECASE)
CONSTRAINT = re.compile(r"\bCONSTRAINT\s+(\w+)", re.IGNORECASE)
LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class MarkedCheck:
    file: str
    table: str
    constraint: str
    vocabulary: str


def marked_checks() -> list[MarkedCheck]:
    """Every `-- vocabulary: NAME` comment and the CONSTRAINT that follows it in schema/*.sql."""
    found: list[MarkedCheck] = []
    for path in sorted(Path(SCHEMA_DIR).glob("*.sql")):
        table: str | None = None
        pending: str | None = None
        for line in path.read_text().splitlines():
            code = line.split("--", 1)[0]
            if m := TABLE.search(code):
                table = m.group(1)
            if m := MARKER.search(line):
                assert pending is None, f"{path.name}: two vocabulary markers in a row ({pending}, {m.group(1)})"
                pending = m.group(1)
                continue
            if pending and (m := CONSTRAINT.search(code)):
                assert table is not None, f"{path.name}: vocabulary {pending} outside a table"
                found.append(MarkedCheck(path.name, table, m.group(1), pending))
                pending = None
        assert pending is None, f"{path.name}: vocabulary marker {pending} not followed by a CONSTRAINT"
    return found


MARKED = marked_checks()


def literals(definition: str) -> list[str]:
    return [value.replace("''", "'") for value in LITERAL.findall(definition)]


def test_the_schema_marks_vocabulary_checks() -> None:
    names = {m.vocabulary for m in MARKED}
    # The core vocabularies of DESIGN contract 8 are all enforced somewhere.
    assert {"ASSET_TYPES", "ENVIRONMENTS", "SIX_R_STRATEGIES", "FLOW_STATUSES", "PHASES"} <= names
    for name in names:
        assert isinstance(getattr(vocabulary, name, None), tuple), f"domain.vocabulary.{name} is not a tuple"


@pytest.mark.parametrize("check", MARKED, ids=lambda c: f"{c.table}.{c.constraint}")
async def test_marked_check_lists_exactly_the_vocabulary(check: MarkedCheck, superuser_conn: asyncpg.Connection) -> None:
    definition = await superuser_conn.fetchval(
        "SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " WHERE k.conrelid = to_regclass('migration.' || $1) AND k.conname = $2 AND k.contype = 'c'",
        check.table, check.constraint,
    )
    assert definition is not None, f"{check.file}: CHECK {check.constraint} on {check.table} is not in the database"
    expected = getattr(vocabulary, check.vocabulary)
    found = literals(definition)
    assert len(found) == len(set(found)), f"{check.constraint} lists a value twice: {definition}"
    assert sorted(found) == sorted(expected), (
        f"{check.constraint} ({definition}) differs from vocabulary.{check.vocabulary}: "
        f"only in DB {sorted(set(found) - set(expected))}, only in Python {sorted(set(expected) - set(found))}"
    )


async def test_every_value_list_check_in_the_database_is_marked(superuser_conn: asyncpg.Connection) -> None:
    """A CHECK (col IN (...)) without a vocabulary marker would escape the comparison above."""
    rows = await superuser_conn.fetch(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) AS def"
        "  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
        "  JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'migration' AND k.contype = 'c' AND NOT c.relispartition"
        "   AND pg_get_constraintdef(k.oid) LIKE '%= ANY (ARRAY[%'"
    )
    in_db = {(r["relname"], r["conname"]) for r in rows}
    assert in_db, "no value-list CHECK constraints found"
    assert in_db == {(m.table, m.constraint) for m in MARKED}


async def test_phase_tables_have_one_flag_column_per_step(superuser_conn: asyncpg.Connection) -> None:
    assert tuple(vocabulary.PHASE_STEPS) == vocabulary.PHASES
    for phase in vocabulary.PHASES:
        rows = await superuser_conn.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'migration' AND table_name = $1 AND data_type = 'boolean'"
            "   AND column_name LIKE '%\\_completed' ORDER BY ordinal_position",
            f"{phase}_flows",
        )
        steps = tuple(r["column_name"].removesuffix("_completed") for r in rows)
        assert steps == vocabulary.PHASE_STEPS[phase], phase


def test_flow_contract_literals_follow_the_vocabulary() -> None:
    assert typing.get_args(flow_contracts.Phase) == vocabulary.PHASES
    assert typing.get_args(flow_contracts.FlowStatus) == vocabulary.FLOW_STATUSES
    assert typing.get_args(flow_contracts.TransitionEvent) == vocabulary.TRANSITION_EVENTS
    assert typing.get_args(flow_contracts.Decision) == vocabulary.APPROVAL_DECISIONS


# ---------------------------------------------------------------------------------------------
# The database refuses what is not in a vocabulary (as the application role, in its tenant).
# ---------------------------------------------------------------------------------------------


@asynccontextmanager
async def rolled_back(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A savepoint that is always rolled back: the statements must succeed, their rows do not stay."""
    savepoint = conn.transaction()
    await savepoint.start()
    try:
        yield conn
    finally:
        await savepoint.rollback()


@pytest.fixture(scope="module")
async def tenant(app_pool: asyncpg.Pool) -> RawTenant:
    return await insert_raw_tenant(app_pool, "vocab")


ASSET_INSERT = (
    "INSERT INTO migration.assets (client_account_id, engagement_id, name, {column}) VALUES ($1, $2, 'vocab-asset', $3)"
)


@pytest.mark.parametrize(
    ("column", "bad", "good", "constraint"),
    [
        ("six_r_strategy", "Rehost", "rehost", "assets_six_r_strategy_check"),
        ("six_r_strategy", "rearchitect", "retire", "assets_six_r_strategy_check"),
        ("environment", "prod", "production", "assets_environment_check"),
        ("asset_type", "Server", "server", "assets_asset_type_check"),
        ("business_criticality", "urgent", "critical", "assets_business_criticality_check"),
        ("migration_status", "done", "migrated", "assets_migration_status_check"),
        ("lifecycle_state", "Retired", "retired", "assets_lifecycle_state_check"),
        ("operational_state", "2", "non_operational", "assets_operational_state_check"),
    ],
)
async def test_assets_refuse_values_outside_the_vocabulary(
    column: str, bad: str, good: str, constraint: str, tenant: RawTenant, app_pool: asyncpg.Pool
) -> None:
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        with pytest.raises(asyncpg.CheckViolationError) as refused:
            async with conn.transaction():
                await conn.execute(ASSET_INSERT.format(column=column), tenant.client_id, tenant.engagement_id, bad)
        assert refused.value.constraint_name == constraint
        # The canonical value passes the same statement (the refusal above was the vocabulary's).
        async with rolled_back(conn):
            await conn.execute(ASSET_INSERT.format(column=column), tenant.client_id, tenant.engagement_id, good)


async def test_engagement_members_refuse_an_unknown_role(tenant: RawTenant, app_pool: asyncpg.Pool) -> None:
    insert = (
        "INSERT INTO migration.engagement_members (client_account_id, engagement_id, user_id, role)"
        " VALUES ($1, $2, $3, $4)"
    )
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        with pytest.raises(asyncpg.CheckViolationError) as refused:
            async with conn.transaction():
                await conn.execute(insert, tenant.client_id, tenant.engagement_id, tenant.user_id, "admin")
        assert refused.value.constraint_name == "engagement_members_role_check"
        async with rolled_back(conn):
            await conn.execute(insert, tenant.client_id, tenant.engagement_id, tenant.user_id, "approver")


async def test_flows_view_reports_the_steps_of_each_phase(tenant: RawTenant, app_pool: asyncpg.Pool) -> None:
    """migration.flows turns the flag columns into step_flags keyed by PHASE_STEPS."""
    master = uuid4()
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id, tenant.user_id) as conn:
        await conn.execute(
            "INSERT INTO migration.crewai_flow_state_extensions (client_account_id, engagement_id, flow_id, status)"
            " VALUES ($1, $2, $3, 'completed')",
            tenant.client_id, tenant.engagement_id, master,
        )
        for phase in vocabulary.PHASES:
            await conn.execute(
                f"INSERT INTO migration.{phase}_flows (client_account_id, engagement_id, flow_id, master_flow_id)"
                " VALUES ($1, $2, $3, $4)",
                tenant.client_id, tenant.engagement_id, uuid4(), master,
            )
        rows = await conn.fetch("SELECT phase, step_flags FROM migration.flows WHERE master_flow_id = $1", master)
    assert sorted(r["phase"] for r in rows) == sorted(vocabulary.PHASES)
    for r in rows:
        assert set(r["step_flags"]) == set(vocabulary.PHASE_STEPS[r["phase"]]), r["phase"]
        assert not any(r["step_flags"].values())
