"""Typed custom search attributes: what a person filters on in the Temporal Web UI."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CLIENT_ACCOUNT_ID = SearchAttributeKey.for_keyword("ClientAccountId")
ENGAGEMENT_ID = SearchAttributeKey.for_keyword("EngagementId")
MIGRATION_PHASE = SearchAttributeKey.for_keyword("MigrationPhase")
AWAITING_APPROVAL = SearchAttributeKey.for_bool("AwaitingApproval")
ASSET_COUNT = SearchAttributeKey.for_int("AssetCount")
# a wave's runbook has a manual step or an approval waiting for a person (wave workflows set it)
AWAITING_PERSON = SearchAttributeKey.for_bool("AwaitingPerson")

ALL_KEYS: tuple[SearchAttributeKey, ...] = (
    CLIENT_ACCOUNT_ID,
    ENGAGEMENT_ID,
    MIGRATION_PHASE,
    AWAITING_APPROVAL,
    ASSET_COUNT,
    AWAITING_PERSON,
)
