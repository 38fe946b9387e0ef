"""The engagement's inventory as the list a person checks, filtered by wave, strategy, environment and application.

One named query (`assets_list`) reads it, every filter a bind parameter, in a tenant transaction. The
filters' words are resolved onto the canonical vocabularies first (`AssetFilters.parse`), so a synonym
(`lift and shift`, `prod`) filters like its canonical value and a word no vocabulary knows is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.assessment.strategy_synonyms import canonical_strategy
from domain.value_aliases import ENVIRONMENT_ALIASES, canonical_value
from domain.vocabulary import ENVIRONMENTS

_CHOICES_SHOWN = 20


@dataclass(frozen=True)
class AssetFilters:
    """What the listed assets must all have; None (False) for any."""

    wave: int | None = None
    strategy: str | None = None
    undecided: bool = False  # only assets without a strategy (`--strategy TBC`)
    environment: str | None = None
    application: str | None = None

    @classmethod
    def parse(cls, wave: int | None = None, strategy: str | None = None, environment: str | None = None,
              application: str | None = None) -> AssetFilters:
        """The filters a person typed, in canonical words; ValueError naming the valid ones for a word that is
        no strategy or environment (a "not decided" word such as TBC asks for assets without a strategy)."""
        canonical = None if strategy is None else canonical_strategy(strategy)
        place = None
        if environment is not None:
            place = canonical_value(ENVIRONMENT_ALIASES, environment)
            if place is None:
                raise ValueError(f"{environment!r} is not an environment; use one of {', '.join(ENVIRONMENTS)} "
                                 "(or an abbreviation such as prod, dr, dev)")
        if application is not None and not application.strip():
            raise ValueError("--application: give an application's name")
        return cls(wave, canonical, strategy is not None and canonical is None, place,
                   None if application is None else application.strip())

    def describe(self) -> str:
        """The filters in words, for a person: `wave 3, strategy rehost, environment production`."""
        parts = [f"wave {self.wave}" if self.wave is not None else "",
                 f"strategy {self.strategy}" if self.strategy else "",
                 "no strategy yet" if self.undecided else "",
                 f"environment {self.environment}" if self.environment else "",
                 f"application {self.application!r}" if self.application else ""]
        return ", ".join(part for part in parts if part)


async def list_assets(pool: asyncpg.Pool, ref: EngagementRef, filters: AssetFilters) -> list[dict[str, Any]]:
    """The engagement's assets that pass every filter, by name.

    Raises LookupError, naming the valid ones, when nothing matched and the wave or application filter names
    no wave of the plan or no application of the engagement.
    """
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        rows = await conn.fetch(sql("assets_list"), filters.wave, filters.strategy, filters.undecided,
                                filters.environment, filters.application)
        if not rows and (filters.wave is not None or filters.application):
            _check_choices(ref, filters, await conn.fetchrow(sql("assets_list_choices")))
    return [dict(row) for row in rows]


def _check_choices(ref: EngagementRef, filters: AssetFilters, choices: asyncpg.Record) -> None:
    waves, applications = choices["waves"], choices["applications"]
    if filters.wave is not None and filters.wave not in waves:
        raise LookupError(f"{ref.name!r} has no wave plan yet (the planning phase makes one)" if not waves else
                          f"no wave {filters.wave} in the plan of {ref.name!r}; its waves: "
                          f"{', '.join(map(str, waves))}")
    if filters.application and filters.application.lower() not in {a.lower() for a in applications}:
        if not applications:
            raise LookupError(f"{ref.name!r} has no applications")
        more = len(applications) - _CHOICES_SHOWN
        raise LookupError(f"no application {filters.application!r} in {ref.name!r}; its applications: "
                          f"{', '.join(applications[:_CHOICES_SHOWN])}" + (f" and {more} more" if more > 0 else ""))
