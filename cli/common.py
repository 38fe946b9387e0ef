"""What every command shares: the consoles, one-line user errors, the session on the stack, output helpers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import asyncpg
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text
from temporalio.client import Client
from temporalio.service import RPCError
from xlsxwriter.exceptions import XlsxWriterException

from db import import_review, tenancy
from db.conflict_review import ConflictReviewError
from db.import_files import ImportFileError
from db.migrator import MigrationError
from db.people import Person, whoami
from db.plan_review import PlanImportError
from db.pool import DatabaseConnectError, create_pool, without_credentials
from db.strategy_overrides import StrategyOverrideError
from domain.discovery.readers import InputFileError
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime.devstack import DataDirError, Endpoints, ensure_database, ensure_stack
from runtime.embedded_postgres import EmbeddedPostgresError
from runtime.embedded_temporal import EmbeddedTemporalError
from runtime.settings import Settings, get_settings
from runtime.temporal_client import TemporalUnavailable, connect_client, tls_config

# Wide enough that nothing a script or a log reads is wrapped or cut (URLs, table cells).
UNWRAPPED_WIDTH = 10_000


# Characters a file may carry that would steer the terminal (escape sequences, bells, carriage returns) or
# reorder what a person reads (bidirectional overrides): shown as escapes, never sent as they are.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control or bidirectional-override character written as a visible escape."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"<U+{ord(m.group()):04X}>", text)


class SafeConsole(Console):
    """A console for text that holds data from files and people: no markup is read from it (a name such as
    "[/x]" is printed, not parsed), and control characters are escaped (see `printable`)."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        return super().render_str(printable(text), **kwargs)


def make_console(*, stderr: bool) -> Console:
    """A console sized by the terminal; unwrapped when the stream is a file or a pipe."""
    terminal = Console(stderr=stderr)
    if terminal.is_terminal:
        return SafeConsole(stderr=stderr, soft_wrap=stderr, markup=False)
    return SafeConsole(stderr=stderr, width=UNWRAPPED_WIDTH, soft_wrap=True, markup=False)


console = make_console(stderr=False)
err_console = make_console(stderr=True)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug: one line too, its trace
# goes to a crash file (see `report_failure`).
USER_ERRORS: tuple[type[BaseException], ...] = (
    DataDirError,
    DatabaseConnectError,
    TemporalUnavailable,
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


JsonOption = typer.Option(False, "--json", help="Machine-readable output.")

T = TypeVar("T")


def run_async(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Run an async command to completion; its errors reach `report_failure` like any command's."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not the request
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program whose reader closed the pipe


def report_failure(exc: BaseException) -> int:
    """One line on stderr for anything that escaped a command, and the exit code that says what it was.

    Usage errors name the usage and the help to read; an invalid environment names the variable; a bug
    writes its trace to a crash file and names that file, so no traceback reaches a person.
    """
    if isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):  # print() to a reader that went away: nothing more to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    if isinstance(exc, SystemExit):  # rich (ours or the help's) ends a write to a closed pipe this way
        if _stdout_is_devnull():
            return EXIT_BROKEN_PIPE
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if isinstance(exc, (typer.Abort, KeyboardInterrupt)):
        err_console.print("aborted", highlight=False)
        return EXIT_INTERRUPTED
    if isinstance(exc, typer.TyperException):  # the CLI parser's errors (typer vendors click)
        return _report_usage_error(exc)
    if isinstance(exc, ValidationError) and exc.title == Settings.__name__:  # the environment, read at start
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        print_error(f"invalid setting: {problems}")
        return 1
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):  # row-level security or a grant refused the person
        print_error(f"refused by the database ({_first_line(exc)}): your login may not do this; ask one of the "
                    "engagement's owners or an administrator")
        return 1
    if isinstance(exc, USER_ERRORS):
        print_error(str(exc))
        return 1
    crash_file = _write_crash_file(exc)
    print_error(f"{type(exc).__name__}: {_first_line(exc)} (details in {crash_file}; please report it)",
                label="internal error:")
    return EXIT_INTERNAL


def print_error(message: str, *, label: str = "error:") -> None:
    """One line on stderr: the label in bold red, then the message as plain, printable text."""
    err_console.print(Text.assemble((label, "bold red"), " ", printable(message)), highlight=False)


def exit_now(code: int) -> NoReturn:
    """Flush what was printed and exit, bypassing interpreter teardown, which can abort with a live Temporal
    client (sdk-python #300)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # the reader went away (`| head`): nothing left to tell it
            pass
    os._exit(code)


def _report_usage_error(exc: typer.TyperException) -> int:
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    code = getattr(exc, "exit_code", EXIT_USAGE)
    if not message:  # no arguments: the help was printed instead
        return code
    if ctx is not None:
        usage = " ".join(ctx.get_usage().split())
        hint = f"{usage}; see '{ctx.command_path} --help'"
    else:
        hint = "see the command's --help"
    print_error(f"{message} ({hint})")
    return code


def _stdout_is_devnull() -> bool:
    """Whether stdout was pointed at the null device, as rich does when the reader of a pipe went away."""
    try:
        out, null = os.fstat(sys.stdout.fileno()), os.stat(os.devnull)
    except (OSError, ValueError):
        return False
    return (out.st_rdev, out.st_ino) == (null.st_rdev, null.st_ino)


_URL_PASSWORD = re.compile(r"(://[^:/?#@\s]*:)[^@\s]*@")
_QUERY_PASSWORD = re.compile(r"((?:ssl)?password=)[^&\s]*", re.IGNORECASE)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else "(no message)"


def _write_crash_file(exc: BaseException) -> Path:
    """The full trace, for whoever reports or fixes the bug, in the data directory (or the temp folder): a new
    file only its owner reads, with passwords in the command's URLs masked."""
    command = _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", " ".join(sys.argv)))
    content = f"{command}\n\n{''.join(traceback.format_exception(exc))}"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folders = [get_settings().data_path / "logs", Path(tempfile.gettempdir())]
    except ValidationError:  # the settings themselves are what failed
        folders = [Path(tempfile.gettempdir())]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"cli-crash-{stamp}-", suffix=".log", dir=folder)  # 0600, O_EXCL
            with os.fdopen(fd, "w") as crash_file:
                crash_file.write(content)
            return Path(name)
        except OSError:
            continue
    return Path("(unwritable)")


# --------------------------------------------------------------------------- sessions
@dataclass
class Session:
    endpoints: Endpoints
    pool: asyncpg.Pool  # the person's own login: row-level security gives it their rights only
    client: Client | None
    me: Person  # who acts, as the database says (never a value typed on the command line)
    replica: asyncpg.Pool | None = None  # the same login on DATABASE_REPLICA_URL, in a `read_only` session

    @property
    def read_pool(self) -> asyncpg.Pool:
        """Where a command that only reads reads: the replica when the session has one, else the primary.
        Whatever a command wrote it reads back through `pool` (a replica may lag)."""
        return self.replica or self.pool


@asynccontextmanager
async def session(*, temporal: bool = True, read_only: bool = False) -> AsyncIterator[Session]:
    """The stack (started or reused), a database pool under the person's own login and, when asked, a Temporal
    client. A login that is no person's is refused in one line. `read_only`: the command only reads, so with
    DATABASE_REPLICA_URL set its `read_pool` is a pool on the replica under the same login."""
    settings = get_settings()
    if temporal:
        endpoints = await ensure_stack(settings)
    else:
        database_url, owner_url, _ = await ensure_database(settings)
        endpoints = Endpoints(database_url, owner_url, settings.temporal_address or "", settings.temporal_namespace,
                              None, not settings.database_url, not settings.temporal_address)
    pool = await create_pool(endpoints.person_database_url, max_size=4, origin=endpoints.database_origin,
                             statement_cache_size=settings.db_statement_cache_size,
                             login_hint="each person connects as their own login: set PGUSER and PGPASSWORD, "
                                        "PGPASSFILE or ~/.pgpass, or PGSERVICE",
                             **endpoints.person_connect_options(settings))
    replica = None
    try:
        me = await whoami(pool)
        if read_only and settings.database_replica_url:
            replica = await create_pool(without_credentials(settings.database_replica_url), max_size=4,
                                        origin="DATABASE_REPLICA_URL", **endpoints.person_connect_options(settings),
                                        statement_cache_size=settings.db_statement_cache_size)
        client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace,
                                      embedded=endpoints.embedded_temporal,
                                      tls=tls_config(settings)) if temporal else None
        yield Session(endpoints, pool, client, me, replica)
    finally:
        if replica is not None:
            await replica.close()
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
