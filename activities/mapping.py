"""Attribute mapping of discovery: suggestions, the person's review, and what the platform learns.

`map_attributes` maps the columns of a recognised vendor layout by its table
(`domain.discovery.source_formats.layout_mappings`: nothing guessed, nothing to review); for any other
file it suggests a target for every column from its header, a
sample of its values and the nearest decisions people made before (pgvector); guesses whose
values do not fit their target are withdrawn (`domain.discovery.mapping_checks`). Suggestions at
least `AUTO_APPROVE_CONFIDENCE` sure are approved; the rest wait for a person, as does an import
with no identifying column. `apply_mapping_review` applies a person's corrections (source `user`)
or accepts the remaining suggestions, and stores every reviewed decision as a learning pattern.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import Any
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from db.learning_patterns import mark_applied, nearest_mappings, store_mapping_decisions
from db.pool import tenant_transaction
from db.queries import sql
from domain.asset_fields import ASSET_IMPORT_FIELDS, ROW_IDENTIFIERS
from domain.discovery.field_mapping import suggest_mappings
from domain.discovery.header_embedding import Embedder
from domain.discovery.mapping_checks import check_guesses
from domain.discovery.source_formats import layout_mappings
from domain.discovery.value_profile import profile_signature, profile_values
from domain.flow_contracts import (
    MappingCorrection,
    MappingReviewInput,
    MappingReviewStatus,
    StepInput,
    StepResult,
    Tenant,
)
from domain.vocabulary import LEARNING_SCOPES, REVIEWING_ROLES

# Suggestions at least this confident are applied without a person's review: exact names (1.0),
# known spellings and vendor profiles (0.9) and a person's near-identical earlier decision (>= 0.9).
# Generalised header matches (at most 0.85) and value profiles (at most 0.75) are guesses a person
# confirms: `instanceType` read as asset_type would quarantine every row of a CMF intake form.
AUTO_APPROVE_CONFIDENCE = 0.9
# Rows read per file to profile its columns' values.
PROFILE_SAMPLE_ROWS = 200
DEFAULT_LEARNING_SCOPE = "client"


class MappingActivities:
    def __init__(self, pool: asyncpg.Pool, embedder: Embedder) -> None:
        self._pool = pool
        self._embedder = embedder

    def _tx(self, tenant: Tenant, user: UUID | None = None):
        return tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id, user)

    async def _inventory_imports(self, inp: StepInput) -> list[asyncpg.Record]:
        async with self._tx(inp.tenant) as conn:
            rows = [await conn.fetchrow(sql("data_import_get"), import_id) for import_id in inp.data_import_ids]
        return [row for row in rows if row is not None and row["import_role"] == "inventory"]

    @activity.defn(name="discovery.map_attributes")
    async def map_attributes(self, inp: StepInput) -> StepResult:
        """Suggest a target column for every column of each inventory file; approve the confident ones."""
        imports = await self._inventory_imports(inp)
        tenant = inp.tenant
        applied: list[str] = []
        for meta in imports:
            headers = list(meta["source_columns"] or [])
            async with self._tx(tenant) as conn:
                sample = await conn.fetch(sql("raw_records_sample"), meta["id"], PROFILE_SAMPLE_ROWS)
                learned = await nearest_mappings(conn, self._embedder, headers)
            samples = {h: [str(r["raw_data"].get(h) or "") for r in sample] for h in headers}
            suggestions = layout_mappings(meta["source_format"], headers) or await asyncio.to_thread(
                lambda: check_guesses(suggest_mappings(headers, samples, learned), samples))
            rows = [
                {
                    "source_field": s.source_field,
                    "target_field": s.target_field,
                    "confidence": s.confidence,
                    "source": s.source,
                    "status": "approved" if s.target_field and s.confidence >= AUTO_APPROVE_CONFIDENCE else "suggested",
                    "reason": s.reason,
                    "transformation": {"unit": s.unit} if s.unit else None,
                }
                for s in suggestions
            ]
            used = [learned[s.source_field].pattern_id for s in suggestions
                    if s.source == "learned" and s.source_field in learned]
            async with self._tx(tenant) as conn:
                await conn.execute(sql("field_mapping_upsert"), tenant.client_account_id, tenant.engagement_id,
                                   meta["id"], rows)
                await mark_applied(conn, used)
            applied.extend(used)
        return StepResult(summary={**await self._summary(inp), "learned_applied": len(applied)})

    @activity.defn(name="discovery.map_attributes_summary")
    async def map_attributes_summary(self, inp: StepInput) -> StepResult:
        """The mapping summary after a completed review (what cleansing will apply)."""
        return StepResult(summary=await self._summary(inp))

    @activity.defn(name="discovery.apply_mapping_review")
    async def apply_mapping_review(self, inp: MappingReviewInput) -> MappingReviewStatus:
        """Apply a person's corrections or acceptance, learn from them, and say what is left."""
        req = inp.request
        if req is None:
            return await self._review_status(inp.step)
        tenant = inp.step.tenant
        imports = await self._inventory_imports(inp.step)
        by_id = {meta["id"]: meta for meta in imports}
        async with self._tx(tenant, req.user) as conn:
            role = await conn.fetchval(sql("member_role"), tenant.engagement_id, req.user)
            if role not in REVIEWING_ROLES:
                raise bad_input(f"user {req.user} is not a member who may review mappings (role: {role or 'none'})")
            current = await conn.fetch(sql("field_mappings_review"), list(by_id))
            check_targets(req.corrections)
            decisions: list[dict[str, Any]] = []
            for correction in req.corrections:
                row = _find_mapping(current, correction.source_field, correction.file_name)
                reason = "set by a person in the mapping review"
                try:
                    async with conn.transaction():
                        await conn.fetchrow(sql("field_mapping_correct"), row["data_import_id"], row["source_field"],
                                            correction.target_field, req.user, reason)
                except asyncpg.UniqueViolationError:
                    raise bad_input(f"{row['file_name']}: another column already fills {correction.target_field}; "
                                    "leave that column unmapped (--ignore) in the same request") from None
                if correction.target_field is not None:
                    decisions.append(_decision(row, correction.target_field, req.user, "corrected"))
            accepted = await conn.fetch(sql("field_mappings_accept_remaining"), list(by_id), req.user) \
                if req.accept_remaining else []
            _check_unique_targets(await conn.fetch(sql("field_mappings_review"), list(by_id)))
            for row in accepted:
                decisions.append(_decision({**dict(row), "file_name": by_id[row["data_import_id"]]["file_name"]},
                                           row["target_field"], req.user, "accepted"))
            scope = await conn.fetchval(sql("engagement_learning_scope"), tenant.engagement_id)
            scope = scope if scope in LEARNING_SCOPES else DEFAULT_LEARNING_SCOPE
            for decision in decisions:
                decision["profile"] = await _profile(conn, decision)
            learned = await store_mapping_decisions(
                conn, self._embedder, client_account_id=tenant.client_account_id, engagement_id=tenant.engagement_id,
                scope=scope, master_flow_id=inp.step.master_flow_id, decisions=decisions,
            )
        status = await self._review_status(inp.step)
        return status.model_copy(update={"applied": len(req.corrections) + len(accepted), "learned": learned})

    async def _summary(self, inp: StepInput) -> dict[str, Any]:
        """Columns, approved mappings by source, and what still waits for review."""
        rows, status = await self._review(inp)
        approved = [r for r in rows if r["status"] == "approved" and r["target_field"]]
        return {
            "columns": len(rows),
            "mapped": len(approved),
            "by_source": dict(Counter(r["source"] for r in approved)),
            "unmapped": len(rows) - len(approved),
            "needs_review": list(status.needs_review[:50]),
            "blocking": list(status.blocking),
        }

    async def _review_status(self, inp: StepInput) -> MappingReviewStatus:
        return (await self._review(inp))[1]

    async def _review(self, inp: StepInput) -> tuple[list[asyncpg.Record], MappingReviewStatus]:
        imports = await self._inventory_imports(inp)
        async with self._tx(inp.tenant) as conn:
            rows = await conn.fetch(sql("field_mappings_review"), [meta["id"] for meta in imports])
        needs = tuple(
            f"{r['file_name']}: {r['source_field']} (suggested {r['target_field']}, {r['confidence']:.2f})"
            for r in rows if r["status"] == "suggested" and r["target_field"] is not None
        )
        blocking = tuple(
            f"{meta['file_name']}: no column maps to an identifying field ({', '.join(ROW_IDENTIFIERS)})"
            for meta in imports
            if not any(r["data_import_id"] == meta["id"] and r["status"] == "approved"
                       and r["target_field"] in ROW_IDENTIFIERS for r in rows)
        )
        return rows, MappingReviewStatus(needs_review=needs, blocking=blocking, complete=not needs and not blocking)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def check_targets(corrections: Iterable[MappingCorrection]) -> None:
    """Refuse a correction to a target that is no asset column (also the review update's validator)."""
    for correction in corrections:
        target = correction.target_field
        if target is not None and target not in ASSET_IMPORT_FIELDS:
            raise bad_input(f"{target!r} is not an asset column{_did_you_mean(target, ASSET_IMPORT_FIELDS)}; "
                          "see `mappings targets`")


def _find_mapping(rows: Sequence[asyncpg.Record], source_field: str, file_name: str | None) -> asyncpg.Record:
    files = sorted({r["file_name"] for r in rows})
    if file_name is not None and file_name not in files:
        raise bad_input(f"no file {file_name!r} in this engagement's import{_did_you_mean(file_name, files)}; "
                      f"its files: {', '.join(files)}")
    matches = [r for r in rows if r["source_field"] == source_field and file_name in (None, r["file_name"])]
    if not matches:
        where = f" in {file_name}" if file_name else ""
        columns = {r["source_field"] for r in rows if file_name in (None, r["file_name"])}
        raise bad_input(f"no column {source_field!r}{where} in this engagement's import"
                      f"{_did_you_mean(source_field, columns)}; see `mappings show --all`")
    if len(matches) > 1:
        files = ", ".join(sorted(r["file_name"] for r in matches))
        raise bad_input(f"column {source_field!r} is in several files ({files}); name the file with --file")
    return matches[0]


def _check_unique_targets(rows: Sequence[asyncpg.Record]) -> None:
    seen: dict[tuple[UUID, str], str] = {}
    for r in rows:
        if r["status"] != "approved" or r["target_field"] is None:
            continue
        key = (r["data_import_id"], r["target_field"])
        if key in seen:
            raise bad_input(f"{r['file_name']}: columns {seen[key]!r} and {r['source_field']!r} would both fill "
                            f"{r['target_field']}; leave one unmapped")
        seen[key] = r["source_field"]


def _decision(row: Any, target: str, user: UUID, kind: str) -> dict[str, Any]:
    return {"source_field": row["source_field"], "target_field": target, "user": user, "kind": kind,
            "file_name": row["file_name"], "data_import_id": row["data_import_id"]}


async def _profile(conn: asyncpg.Connection, decision: dict[str, Any]) -> str:
    sample = await conn.fetch(sql("raw_records_sample"), decision["data_import_id"], PROFILE_SAMPLE_ROWS)
    values = [str(r["raw_data"].get(decision["source_field"]) or "") for r in sample]
    return profile_signature(profile_values(values))
