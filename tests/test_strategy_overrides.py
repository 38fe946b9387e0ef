"""A person's strategy override against the real PostgreSQL, as the application role: what it records,
what it learns, who may make it, and the errors for everything it refuses."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from db import tenancy
from db.pool import tenant_transaction
from db.strategy_overrides import StrategyOverrideError, facts_text, override_strategy
from domain.discovery.header_embedding import HashedNgramEmbedder
from tests.conftest import EngagementFixture, make_engagement
from tests.test_assessment_phase import PORTFOLIO, insert_assets

DB = PORTFOLIO[1]  # bill-db-01: PostgreSQL on RHEL 8, production, critical, restricted data, VMware


@pytest.fixture
async def engagement(app_pool: asyncpg.Pool) -> EngagementFixture:
    return await make_engagement(app_pool)


async def asset_row(pool: asyncpg.Pool, ref: tenancy.EngagementRef, asset_id: uuid.UUID) -> asyncpg.Record:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetchrow(
            "SELECT six_r_strategy, strategy_source, strategy_confidence, strategy_rationale, target_platform,"
            " migration_status FROM migration.assets WHERE id = $1", asset_id)


async def patterns(pool: asyncpg.Pool, ref: tenancy.EngagementRef) -> list[asyncpg.Record]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetch(
            "SELECT id, insight_type, scope, engagement_id, pattern_key, pattern_value, embedding, embedding_model,"
            " raw_evidence, confidence_score, validated, discovered_by FROM migration.agent_learning_patterns"
            " WHERE discovered_by = 'strategy_override'")


async def test_an_override_records_who_why_and_what_it_replaced(app_pool, engagement) -> None:
    ref = engagement.ref
    ids = await insert_assets(app_pool, ref, [{**DB, "six_r_strategy": "replatform", "strategy_source": "rule",
                                               "strategy_confidence": 0.75,
                                               "strategy_rationale": {"rule": "managed_database"}}])
    result = await override_strategy(app_pool, ref, " bill-db-01 ", "Lift & Shift", engagement.owner_id,
                                     "  the managed service lacks an extension we need ")
    assert result == {
        "asset_id": ids["bill-db-01"], "asset_name": "bill-db-01", "strategy": "rehost",
        "previous_strategy": "replatform", "previous_source": "rule", "decided_by": engagement.owner_id,
        "reason": "the managed service lacks an extension we need", "pattern_id": result["pattern_id"],
    }
    row = await asset_row(app_pool, ref, ids["bill-db-01"])
    assert (row["six_r_strategy"], row["strategy_source"], row["strategy_confidence"]) == ("rehost", "user", 1.0)
    assert row["target_platform"] == "cloud VM (IaaS)" and row["migration_status"] == "assessed"
    rationale = row["strategy_rationale"]
    assert rationale["source"] == "user" and rationale["decided_by"] == str(engagement.owner_id)
    assert rationale["reason"] == "the managed service lacks an extension we need"
    assert rationale["previous"] == {"strategy": "replatform", "source": "rule"}
    assert rationale["recommended"] == {"strategy": "replatform", "source": "rule", "confidence": 0.75,
                                        "rule": "managed_database"}

    [pattern] = await patterns(app_pool, ref)
    assert pattern["id"] == result["pattern_id"]
    assert (pattern["insight_type"], pattern["scope"], pattern["engagement_id"]) == (
        "optimization_opportunity", "engagement", ref.id)
    assert pattern["pattern_key"] == f"strategy_override:{ids['bill-db-01']}"
    assert pattern["validated"] and pattern["confidence_score"] == 1.0
    described = ("database PostgreSQL 13 Red Hat Enterprise Linux 8 production critical criticality VMware ESXi 7.0 "
                 "Highly Confidential data application billing")
    assert pattern["pattern_value"]["facts"] == described
    assert pattern["pattern_value"]["strategy"] == "rehost" and pattern["pattern_value"]["replaced"] == "replatform"
    embedder = HashedNgramEmbedder()
    assert pattern["embedding_model"] == embedder.model
    assert pattern["embedding"].to_list() == pytest.approx(embedder.embed([described])[0], abs=1e-6)
    assert pattern["raw_evidence"] == {"decided_by": str(engagement.owner_id), "role": "owner",
                                       "reason": "the managed service lacks an extension we need"}


async def test_a_second_override_replaces_the_first_and_keeps_the_rules_recommendation(app_pool, engagement) -> None:
    ref = engagement.ref
    ids = await insert_assets(app_pool, ref, [{**DB, "six_r_strategy": "replatform", "strategy_source": "rule",
                                               "strategy_confidence": 0.75,
                                               "strategy_rationale": {"rule": "managed_database"}}])
    contributor = await tenancy.ensure_user(app_pool, f"contrib-{uuid.uuid4().hex[:8]}@example.com")
    await tenancy.add_member(app_pool, ref, contributor, "contributor")
    first = await override_strategy(app_pool, ref, "bill-db-01", "rehost", engagement.owner_id, "extension missing")
    second = await override_strategy(app_pool, ref, str(ids["bill-db-01"]), "re-architect", contributor,
                                     "the vendor ships a cloud edition")
    assert (second["strategy"], second["previous_strategy"], second["previous_source"]) == ("refactor", "rehost", "user")
    rationale = (await asset_row(app_pool, ref, ids["bill-db-01"]))["strategy_rationale"]
    assert rationale["decided_by"] == str(contributor)
    assert rationale["previous"] == {"strategy": "rehost", "source": "user"}
    assert rationale["recommended"]["strategy"] == "replatform"  # still the rules' last word
    [pattern] = await patterns(app_pool, ref)
    assert pattern["id"] == first["pattern_id"] == second["pattern_id"]
    assert pattern["pattern_value"]["strategy"] == "refactor" and pattern["raw_evidence"]["role"] == "contributor"


async def test_an_override_of_a_never_assessed_asset_has_no_recommendation(app_pool, engagement) -> None:
    ids = await insert_assets(app_pool, engagement.ref, [{"name": "new-01", "asset_type": "server"}])
    await override_strategy(app_pool, engagement.ref, "new-01", "retire", engagement.owner_id, "decommissioned in May")
    rationale = (await asset_row(app_pool, engagement.ref, ids["new-01"]))["strategy_rationale"]
    assert rationale["previous"] == {"strategy": None, "source": None} and rationale["recommended"] is None


@pytest.mark.parametrize(("asset", "strategy", "reason", "message"), [
    ("bill-db-01", "lift and pray", "why not",
     "'lift and pray' is not a migration strategy; use one of rehost, replatform, refactor"),
    ("bill-db-01", "TBC", "not sure yet", "'TBC' leaves the strategy undecided; an override must name a strategy"),
    ("bill-db-01", "rehost", "   ", "give a reason for the override"),
    ("nope-99", "rehost", "typo", "no asset 'nope-99' in"),
    (str(uuid.uuid4()), "rehost", "gone", "no asset"),
])
async def test_bad_overrides_are_refused_and_change_nothing(app_pool, engagement, asset, strategy, reason,
                                                            message) -> None:
    ids = await insert_assets(app_pool, engagement.ref, [DB])
    with pytest.raises(StrategyOverrideError, match=message.replace("(", r"\(")):
        await override_strategy(app_pool, engagement.ref, asset, strategy, engagement.owner_id, reason)
    row = await asset_row(app_pool, engagement.ref, ids["bill-db-01"])
    assert row["six_r_strategy"] is None and row["strategy_source"] is None
    assert await patterns(app_pool, engagement.ref) == []


async def test_only_members_who_may_decide_can_override(app_pool, engagement) -> None:
    ids = await insert_assets(app_pool, engagement.ref, [DB])
    stranger = await tenancy.ensure_user(app_pool, f"stranger-{uuid.uuid4().hex[:8]}@example.com")
    with pytest.raises(StrategyOverrideError, match=r"may not override strategies in .*\(role: viewer; allowed: "
                                                    r"owner, approver, contributor\)"):
        await override_strategy(app_pool, engagement.ref, "bill-db-01", "retain", engagement.viewer_id, "keep it")
    with pytest.raises(StrategyOverrideError, match=r"\(role: not a member;"):
        await override_strategy(app_pool, engagement.ref, "bill-db-01", "retain", stranger, "keep it")
    assert (await asset_row(app_pool, engagement.ref, ids["bill-db-01"]))["strategy_source"] is None


async def test_an_ambiguous_name_asks_for_an_id(app_pool, engagement) -> None:
    ids = await insert_assets(app_pool, engagement.ref, [{"name": "web", "asset_type": "server"}])
    twin = await insert_assets(app_pool, engagement.ref, [{"name": "WEB", "asset_type": "server"}])
    with pytest.raises(StrategyOverrideError, match="2 assets are named 'web'; give one of their ids") as raised:
        await override_strategy(app_pool, engagement.ref, "web", "rehost", engagement.owner_id, "standard VM")
    assert str(ids["web"]) in str(raised.value) and str(twin["WEB"]) in str(raised.value)
    await override_strategy(app_pool, engagement.ref, str(twin["WEB"]), "rehost", engagement.owner_id, "standard VM")
    assert (await asset_row(app_pool, engagement.ref, twin["WEB"]))["strategy_source"] == "user"
    assert (await asset_row(app_pool, engagement.ref, ids["web"]))["strategy_source"] is None


async def test_another_engagements_asset_cannot_be_overridden(app_pool, engagement) -> None:
    other = await make_engagement(app_pool, engagement.ref.client_account_id)
    ids = await insert_assets(app_pool, other.ref, [DB])
    with pytest.raises(StrategyOverrideError, match="no asset"):
        await override_strategy(app_pool, engagement.ref, str(ids["bill-db-01"]), "rehost", engagement.owner_id, "x")
    assert (await asset_row(app_pool, other.ref, ids["bill-db-01"]))["strategy_source"] is None


def test_facts_text_describes_what_is_known() -> None:
    physical = {"asset_type": "server", "database_engine": None, "operating_system": "AIX", "os_version": "7.2",
                "environment": None, "business_criticality": None, "hypervisor": None, "is_virtual": False,
                "data_classification": None, "application_name": None}
    assert facts_text(physical) == "server AIX 7.2 physical"
