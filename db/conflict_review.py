"""A person's review of merge conflicts: list them, and settle each column by keeping the asset's value
or taking the imported one.

Taking the imported value writes it to the asset (an OS with its family and version, an address
into the address list too); keeping it leaves the value. Either way the column's lineage becomes the
decision (who, which conflict, which file and row the value came from) with no data_import_id, so
no later import replaces it silently, and every open conflict of that asset and column is resolved.
An external id another asset holds is never taken. A conflict about two assets matching one record
can only be kept apart: merging assets is not a review decision. Owners, approvers and contributors
may decide; viewers may not.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.os_catalogue import identify_os
from domain.vocabulary import REVIEWING_ROLES

Decision = Literal["keep", "take"]
# Plain columns a merge can record a conflict about (lists and maps gain values instead).
_COLUMNS = frozenset(ASSET_IMPORT_FIELDS) - {"depends_on", "tags"} | {"os_family"}
_ID_PREFIX = re.compile(r"[0-9a-f-]{8,36}")
_ADDRESS_LISTS = {"ip_address": "ip_addresses", "mac_address": "mac_addresses"}


class ConflictReviewError(ValueError):
    """A decision that cannot be applied: unknown, ambiguous or settled conflict, a decision the
    conflict does not allow, or a user whose role may not decide."""


async def list_conflicts(pool: asyncpg.Pool, ref: EngagementRef, include_resolved: bool = False) -> list[dict[str, Any]]:
    """The engagement's conflicts, open ones first."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(sql("conflicts_list"), include_resolved)]


async def resolve_conflict(
    pool: asyncpg.Pool, ref: EngagementRef, conflict: str, decision: Decision, user_id: UUID, reason: str = ""
) -> dict[str, Any]:
    """Settle `conflict` (an id or a prefix of at least 8 characters) as `user_id` decided. Returns the
    conflict with the decision and the ids it resolved. Raises ConflictReviewError (nothing changes)."""
    prefix = conflict.strip().lower()
    if not _ID_PREFIX.fullmatch(prefix):
        raise ConflictReviewError(f"{conflict!r} is not a conflict id (give at least its first 8 characters)")
    if decision not in ("keep", "take"):
        raise ConflictReviewError(f"decide 'keep' or 'take', not {decision!r}")
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in REVIEWING_ROLES:
            raise ConflictReviewError(f"you may not resolve conflicts in {ref.name!r} "
                                      f"(role: {role or 'not a member'}; allowed: {', '.join(REVIEWING_ROLES)})")
        found = await conn.fetch(sql("conflict_for_review"), prefix)
        if not found:
            raise ConflictReviewError(f"no conflict {conflict!r} in {ref.name!r}")
        if len(found) > 1:
            raise ConflictReviewError(f"{conflict!r} starts {len(found)} conflict ids; give more of it")
        row = dict(found[0])
        if row["status"] != "open":
            raise ConflictReviewError(f"conflict {row['id']} is resolved already")
        decided = {"decided_by": str(user_id), "conflict_id": str(row["id"])}
        written: list[str] = []
        if decision == "take":
            written = await _take(conn, row, decided)
        elif row["field"] in _COLUMNS:
            await conn.execute(sql("asset_keep_value"), row["asset_id"], row["field"], decided)
        kept = "kept the assets apart" if row["field"] == "asset" else "kept the asset's value"
        resolution = ("took the imported value" if decision == "take" else kept) + (
            f": {reason.strip()}" if reason.strip() else "")
        resolved = [r["id"] for r in await conn.fetch(sql("conflicts_resolve"), row["id"], resolution, user_id,
                                                      written)]
    return {**row, "decision": decision, "resolution": resolution, "resolved": resolved}


async def _take(conn: asyncpg.Connection, row: dict[str, Any], decided: dict[str, str]) -> list[str]:
    """Write the conflict's imported value (and what follows from it) to the asset; the columns written."""
    field, value = row["field"], row["incoming_value"]
    if field == "asset":
        raise ConflictReviewError(
            f"conflict {row['id']} says one record of {row['file_name']} matched two assets; they can only be "
            "kept apart (--keep): merging assets is not a review decision")
    if field not in _COLUMNS:
        raise ConflictReviewError(f"column {field!r} cannot be set from a conflict")
    if field == "external_id" and (holder := await conn.fetchrow(sql("asset_external_id_holder"), row["asset_id"],
                                                                 value)):
        raise ConflictReviewError(f"external id {value!r} belongs to asset {holder['name']} ({holder['id']}); "
                                  "an external id names one asset")
    lineage = {**decided, "chosen_from_import_id": str(row["data_import_id"]), "row_number": row["row_number"]}
    values = {field: value}
    if field == "operating_system":  # the family and version follow the name
        identity = identify_os(str(value))
        values.update(os_family=identity.family, os_version=identity.version)  # no version named: none kept
    for column, column_value in values.items():
        await conn.execute(sql("asset_take_value").replace("/*@field*/", column), row["asset_id"], column_value,
                           lineage)
    if field in _ADDRESS_LISTS:
        await conn.execute(sql("asset_address_add").replace("/*@list*/", _ADDRESS_LISTS[field]), row["asset_id"],
                           value)
    return list(values)
