"""A person's strategy for one asset: recorded with who and why, kept through re-runs, kept as a pattern.

The override sets `strategy_source = 'user'` (the assessment's strategy update skips such rows), keeps
in `strategy_rationale` the person, the reason, the strategy it replaced and what the rules last
recommended, and stores the decision as an engagement-scoped `agent_learning_patterns` row of type
`optimization_opportunity` (the closest of the seed's insight types to "which strategy suits assets
like this"), embedded from a short description of the asset's facts, so decisions about similar assets can be
found by vector search. The assessment does not consult these patterns yet. Owners, approvers and contributors may override; viewers may not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.assessment.strategy_rules import DEFAULT_TARGETS
from domain.assessment.strategy_synonyms import canonical_strategy
from domain.discovery.header_embedding import HashedNgramEmbedder
from domain.vocabulary import REVIEWING_ROLES


class StrategyOverrideError(ValueError):
    """An override that cannot be applied: bad strategy or reason, unknown or ambiguous asset, or a
    user whose role may not override."""


def facts_text(asset: Mapping[str, Any]) -> str:
    """A short description of an asset's facts, the text its pattern is embedded from:
    `'database PostgreSQL Red Hat Enterprise Linux 8 production critical criticality VMware ESXi ...'`."""
    physical = "physical" if asset["is_virtual"] is False else None
    parts = (
        asset["asset_type"], asset["database_engine"], asset["operating_system"], asset["os_version"],
        asset["environment"], asset["business_criticality"] and f"{asset['business_criticality']} criticality",
        asset["hypervisor"] or physical, asset["data_classification"] and f"{asset['data_classification']} data",
        asset["application_name"] and f"application {asset['application_name']}",
    )
    return " ".join(str(part) for part in parts if part)


def _strategy(text: str) -> str:
    try:
        strategy = canonical_strategy(text)
    except ValueError as error:
        raise StrategyOverrideError(str(error)) from None
    if strategy is None:
        raise StrategyOverrideError(f"{text!r} leaves the strategy undecided; an override must name a strategy")
    return strategy


def _asset_id(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


async def override_strategy(
    pool: asyncpg.Pool, ref: EngagementRef, asset: str, strategy: str, user_id: UUID, reason: str
) -> dict[str, Any]:
    """Set `asset`'s (id or name) strategy to `strategy` (canonical or a synonym) as `user_id` decided,
    for `reason`. Returns {asset_id, asset_name, strategy, previous_strategy, previous_source,
    decided_by, reason, pattern_id}. Raises StrategyOverrideError (nothing changes then)."""
    chosen = _strategy(strategy)
    reason = reason.strip()
    if not reason:
        raise StrategyOverrideError("give a reason for the override: it is kept with the decision")
    embedder = HashedNgramEmbedder()
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in REVIEWING_ROLES:
            raise StrategyOverrideError(f"you may not override strategies in {ref.name!r} "
                                        f"(role: {role or 'not a member'}; allowed: {', '.join(REVIEWING_ROLES)})")
        found = await conn.fetch(sql("strategy_override_asset"), _asset_id(asset), asset)
        if not found:
            raise StrategyOverrideError(f"no asset {asset!r} in {ref.name!r}")
        if len(found) > 1:
            raise StrategyOverrideError(f"{len(found)} assets are named {asset!r}; give one of their ids: "
                                        f"{', '.join(str(row['id']) for row in found)}")
        row = found[0]
        rationale = await conn.fetchval(sql("strategy_override_apply"), row["id"], chosen, DEFAULT_TARGETS[chosen],
                                        user_id, reason)
        described = facts_text(row)
        value = {"asset_id": str(row["id"]), "asset_name": row["name"], "strategy": chosen,
                 "replaced": row["six_r_strategy"], "recommended": rationale["recommended"], "facts": described}
        evidence = {"decided_by": str(user_id), "reason": reason, "role": role}
        pattern_id = await conn.fetchval(
            sql("strategy_override_pattern_upsert"), ref.client_account_id, ref.id, f"strategy_override:{row['id']}",
            value, embedder.embed([described])[0], embedder.model, evidence,
        )
    return {
        "asset_id": row["id"], "asset_name": row["name"], "strategy": chosen,
        "previous_strategy": row["six_r_strategy"], "previous_source": row["strategy_source"],
        "decided_by": user_id, "reason": reason, "pattern_id": pattern_id,
    }
