"""What every command shares: the consoles, one-line user errors, the session on the stack, output helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import asyncpg
import typer
from rich.console import Console
from temporalio.client import Client
from temporalio.service import RPCError
from xlsxwriter.exceptions import XlsxWriterException

from db import import_review, tenancy
from db.conflict_review import ConflictReviewError
from db.import_files import ImportFileError
from db.migrator import MigrationError
from db.plan_review import PlanImportError
from db.pool import create_pool
from db.strategy_overrides import StrategyOverrideError
from domain.discovery.readers import InputFileError
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime.devstack import Endpoints, ensure_database, ensure_stack
from runtime.embedded_postgres import EmbeddedPostgresError
from runtime.embedded_temporal import EmbeddedTemporalError
from runtime.settings import get_settings
from runtime.temporal_client import connect_client

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug and keeps its trace.
USER_ERRORS: tuple[type[BaseException], ...] = (
    EmbeddedPostgresError,
    EmbeddedTemporalError,
    MigrationError,
    control.ControlError,
    tenancy.TenancyError,
    ImportFileError,
    InputFileError,
    StrategyOverrideError,
    ConflictReviewError,
    PlanImportError,
    XlsxWriterException,
    asyncpg.PostgresError,
    RPCError,
    ValueError,
    LookupError,
    OSError,
)


UserOption = typer.Option(..., "--user", envvar="MIGRATION_USER", help="Your e-mail (a member of the engagement).")
JsonOption = typer.Option(False, "--json", help="Machine-readable output.")

T = TypeVar("T")


def run_async(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Run an async command; report user errors as one clear line and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


# --------------------------------------------------------------------------- sessions
@dataclass
class Session:
    endpoints: Endpoints
    pool: asyncpg.Pool
    client: Client | None


@asynccontextmanager
async def session(*, temporal: bool = True) -> AsyncIterator[Session]:
    """The stack (started or reused), a database pool and, when asked, a Temporal client."""
    settings = get_settings()
    if temporal:
        endpoints = await ensure_stack(settings)
    else:
        database_url, owner_url, _ = await ensure_database(settings)
        endpoints = Endpoints(database_url, owner_url, settings.temporal_address or "", settings.temporal_namespace,
                              None, not settings.database_url, not settings.temporal_address)
    pool = await create_pool(endpoints.database_url, max_size=4)
    try:
        client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace) if temporal else None
        yield Session(endpoints, pool, client)
    finally:
        await pool.close()


def parse_phases(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    if value.strip() == "all":
        return PHASES
    phases = tuple(p.strip() for p in value.split(",") if p.strip())
    for phase in phases:
        control.check_phase(phase)
    return phases


def print_json(data: Any) -> None:
    print(json.dumps(data, default=str))


def workflow_url(endpoints: Endpoints, workflow_id: str) -> str | None:
    if not endpoints.ui_url:
        return None
    return f"{endpoints.ui_url}/namespaces/{endpoints.temporal_namespace}/workflows/{workflow_id}"


async def latest_imports(s: Session, engagement: str) -> tuple[tenancy.EngagementRef, list[dict[str, Any]]]:
    ref = await tenancy.resolve_engagement(s.pool, engagement)
    imports = await import_review.latest_imports(s.pool, ref)
    if not imports:
        raise control.ControlError(f"engagement {ref.name!r} has no import yet; see `launch --import`")
    return ref, imports
