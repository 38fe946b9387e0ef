"""An engagement's business-case assumptions for people: shown with their sources, and changed.

The overrides live in `engagements.settings.business_case` (key -> value), over the bundled table of
`domain.assessment.assumptions`; the assessment's cost step reads them. Owners, approvers and contributors
(REVIEWING_ROLES) may change them; a change takes effect when the assessment runs again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.assessment.assumptions import AssumptionRow, assumption_rows, parse_assignments
from domain.vocabulary import REVIEWING_ROLES


class AssumptionsRefused(ValueError):
    """A change of assumptions the person may not make."""


def overrides_of(settings: Any) -> dict[str, Any]:
    """The business-case overrides in an engagement's settings object."""
    return dict((settings or {}).get("business_case") or {})


async def show_assumptions(pool: asyncpg.Pool, ref: EngagementRef) -> list[AssumptionRow]:
    """Every assumption with the engagement's value and whether the engagement overrode it."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        row = await conn.fetchrow(sql("engagement_planning_settings"), ref.id)
    return assumption_rows(overrides_of(row["settings"]))


async def set_assumptions(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID,
                          assignments: Sequence[str]) -> list[AssumptionRow]:
    """Apply `key=value` assignments (`key=` drops an override) as `user_id`; every value is checked first,
    so a refused one changes nothing. Returns the assumptions as they now are."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in REVIEWING_ROLES:
            raise AssumptionsRefused(f"you may not change the business case of {ref.name!r} "
                                     f"(role: {role or 'not a member'}; allowed: {', '.join(REVIEWING_ROLES)})")
        row = await conn.fetchrow(sql("engagement_planning_settings_locked"), ref.id)
        overrides = parse_assignments(assignments, overrides_of(row["settings"]))
        await conn.execute(sql("engagement_business_case_update"), ref.id, overrides)
    return assumption_rows(overrides)
