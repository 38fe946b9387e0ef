"""Which runbook template an engagement uses for a strategy: the newest a person imported, else the bundled one.

Imports are checked whole (every problem listed, nothing stored) and stored as the strategy's next version under the
importing person's login; templates are never rewritten, so the history of what a wave ran with stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.execution.templates import (
    TEMPLATE_STRATEGIES,
    RunbookTemplate,
    TemplateError,
    bundled_template,
    load_data,
    validate_template,
)
from domain.vocabulary import APPROVING_ROLES
from domain.wording import counted

PROBLEMS_SHOWN = 200  # a template within its bounds that is wrong everywhere still gets a readable refusal


class RunbookImportError(ValueError):
    """A template import that was refused (nothing stored): one line for one problem, else a headline and one line
    per problem (at most `PROBLEMS_SHOWN`, and how many more)."""

    def __init__(self, headline: str, problems: list[str] | None = None) -> None:
        self.headline = headline
        self.problems = problems or []
        if len(self.problems) == 1:
            lines = [f"{headline}: {self.problems[0]}"]
        elif self.problems:
            lines = [f"{headline}; {counted(len(self.problems), 'problem')}:",
                     *(f"  - {p}" for p in self.problems[:PROBLEMS_SHOWN])]
            if len(self.problems) > PROBLEMS_SHOWN:
                lines.append(f"  … and {len(self.problems) - PROBLEMS_SHOWN:,} more")
        else:
            lines = [headline]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CurrentTemplate:
    """The template a strategy's workloads run with in an engagement, and where it comes from."""

    strategy: str
    template: RunbookTemplate
    imported: bool = False  # False: the bundled default
    imported_by: str | None = None  # e-mail address, when the importer is visible to the reader
    imported_at: datetime | None = None

    @property
    def source(self) -> str:
        if not self.imported:
            return "bundled default"
        by = f" by {self.imported_by}" if self.imported_by else ""
        return f"imported version {self.template.version}{by} at {self.imported_at:%Y-%m-%d %H:%M %Z}"


def checked_strategy(strategy: str) -> str:
    """A strategy that has a runbook; retain (nothing moves) and unknown names are refused in one line."""
    if strategy == "retain":
        raise ValueError("retain has no runbook: retained workloads stay where they are")
    if strategy not in TEMPLATE_STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (one of {', '.join(TEMPLATE_STRATEGIES)})")
    return strategy


async def current_templates(conn: asyncpg.Connection, strategy: str | None = None) -> dict[str, CurrentTemplate]:
    """Every strategy's current template (or `strategy`'s only), read on a connection in the engagement's tenant
    context: the newest import, else the bundled default."""
    rows = {row["strategy"]: row for row in await conn.fetch(sql("runbook_template_latest"), strategy)}
    current = {}
    for name in (strategy,) if strategy else TEMPLATE_STRATEGIES:
        row = rows.get(name)
        if row is None:
            current[name] = CurrentTemplate(name, bundled_template(name))
        else:
            current[name] = CurrentTemplate(name, validate_template(row["body"]), True, row["imported_by"],
                                            row["created_at"])
    return current


async def engagement_templates(pool: asyncpg.Pool, ref: EngagementRef, strategy: str | None = None
                               ) -> dict[str, CurrentTemplate]:
    """The current templates of an engagement (every strategy's, or `strategy`'s)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await current_templates(conn, strategy)


def checked_import(text: str, source_name: str, strategy: str) -> RunbookTemplate:
    """The template of `text` (YAML or JSON, from the file `source_name`) to import as `strategy`'s, or a
    RunbookImportError with every problem it has (its own, and a strategy other than `strategy`)."""
    try:
        data = load_data(text, source_name)
    except TemplateError as exc:  # unreadable: one problem, which names the file
        raise RunbookImportError(exc.problems[0]) from None
    refused = f"{source_name}: the template was not imported"
    problems = []
    if isinstance(data, dict) and data.get("strategy") not in (None, strategy):
        problems.append(f"template: strategy: the file is a template for {str(data['strategy'])!r:.40}, imported "
                        f"as the {strategy} template (change the file's strategy or the --strategy given)")
    try:
        template = validate_template(data)
    except TemplateError as exc:
        raise RunbookImportError(refused, [*problems, *exc.problems]) from None
    if problems:
        raise RunbookImportError(refused, problems)
    return template


async def import_template(pool: asyncpg.Pool, ref: EngagementRef, template: RunbookTemplate, user_id: UUID
                          ) -> CurrentTemplate:
    """Store a checked template (`checked_import`) as its strategy's next version in the engagement, imported by
    `user_id`; raises RunbookImportError naming the role that may not import (nothing is stored then)."""
    strategy = template.strategy
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in APPROVING_ROLES:
            raise RunbookImportError(f"you may not import runbook templates in {ref.name!r} (role: "
                                     f"{role or 'not a member'}; allowed: {', '.join(APPROVING_ROLES)})")
        version = await conn.fetchval(sql("runbook_template_next_version"), strategy)
        template = template.model_copy(update={"version": version})
        body: dict[str, Any] = template.model_dump(mode="json", exclude_none=True)
        try:
            created_at = await conn.fetchval(sql("runbook_template_insert"), strategy, version, template.name, body)
        except asyncpg.UniqueViolationError:
            raise RunbookImportError(f"the {strategy} template was not imported: another import of it was stored "
                                     "at the same time; import again") from None
        except asyncpg.InsufficientPrivilegeError:
            raise RunbookImportError(f"you may not import runbook templates in {ref.name!r}: ask one of its owners "
                                     "for a role that may") from None
    return CurrentTemplate(strategy, template, True, None, created_at)
