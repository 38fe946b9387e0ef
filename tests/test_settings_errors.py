"""A bad setting, or a server its setting does not lead to, is named in one line on stderr with exit code 1:
the variable, what is wrong and what to do; never a traceback, a library's raw message or a password.

Each case runs `starter.py` as a person would. Servers that must not answer are closed local ports, so
nothing is looked up or started elsewhere; the cases that need an answering server use the test suite's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode

from runtime import engagement_control as control
from runtime.embedded_postgres import EmbeddedPostgres, EmbeddedPostgresError
from runtime.temporal_client import TemporalUnavailable, connect_client
from tests.conftest import EngagementFixture, TestDatabase, free_port, give_login, make_engagement
from tests.flow_helpers import inventory_file, running_worker, wait_for
from tests.test_cli_usage import ROOT, run_cli

PASSWORD = "s3cret-Passw0rd"


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command printed, checked for what must never reach a person."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert PASSWORD not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
async def person(migrated_db: TestDatabase) -> dict[str, str]:
    """A person's own login (PGUSER, PGPASSWORD): commands that reach the database connect as a person."""
    return await give_login(migrated_db)


def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


def free_ports() -> dict[str, str]:
    """Embedded ports nobody uses, in case a command gets as far as starting the stack."""
    return {"MIGRATION_PG_PORT": str(free_port()), "MIGRATION_TEMPORAL_PORT": str(free_port()),
            "MIGRATION_TEMPORAL_UI_PORT": str(free_port())}


# ------------------------------------------------------------------------------------------------ settings
@pytest.mark.parametrize(("variable", "value", "problem"), [
    ("MIGRATION_PG_PORT", "99999", "Input should be less than or equal to 65535"),
    ("MIGRATION_PG_PORT", "-1", "Input should be greater than or equal to 1"),
    ("MIGRATION_PG_PORT", "0", "Input should be greater than or equal to 1"),
    ("MIGRATION_TEMPORAL_PORT", "99999", "Input should be less than or equal to 65535"),
    ("MIGRATION_TEMPORAL_UI_PORT", "70000", "Input should be less than or equal to 65535"),
    ("DATABASE_URL", "garbage", "not a PostgreSQL URL"),
    ("DATABASE_OWNER_URL", f"mysql://owner:{PASSWORD}@127.0.0.1/db", "not a PostgreSQL URL"),
])
def test_an_impossible_value_is_an_invalid_setting(tmp_path: Path, variable: str, value: str, problem: str) -> None:
    data_dir = tmp_path / "data"
    line = error_line(run_cli(("tenant", "list"), data_dir, **{variable: value}))
    assert line.startswith(f"error: invalid setting: {variable}: ") and problem in line, line
    assert not data_dir.exists(), "an invalid setting got as far as preparing the embedded stack"


# ------------------------------------------------------------------------------------------------ PostgreSQL
def test_a_database_url_nobody_answers_names_the_server_and_the_variable(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql://migration_app:{PASSWORD}@127.0.0.1:{port}/migration"
    line = error_line(run_cli(("tenant", "list"), tmp_path / "data", DATABASE_URL=url))
    assert line == (f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (DATABASE_URL): connection refused "
                    "(no server listens there)")
    assert not (tmp_path / "data").exists()


def test_db_migrate_names_the_owner_url(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql://migration_owner:{PASSWORD}@127.0.0.1:{port}/migration"
    line = error_line(run_cli(("db", "migrate"), tmp_path / "data", DATABASE_OWNER_URL=url))
    assert line.startswith(f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (DATABASE_OWNER_URL): "), line


def _with(url: str, *, password: str | None = None, database: str | None = None) -> str:
    """The URL with another password or database."""
    scheme, rest = url.split("://", 1)
    credentials, location = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    host, _, current = location.partition("/")
    return f"{scheme}://{user}:{password or credentials.split(':', 1)[1]}@{host}/{database or current}"


def test_a_refused_login_or_a_missing_database_is_said_so(tmp_path: Path, migrated_db: TestDatabase,
                                                         person: dict[str, str]) -> None:
    wrong_password = error_line(run_cli(("tenant", "list"), tmp_path / "data", DATABASE_URL=migrated_db.app_url,
                                        **{**person, "PGPASSWORD": PASSWORD}))
    assert f"password authentication failed for user \"{person['PGUSER']}\"" in wrong_password, wrong_password
    missing = error_line(run_cli(("tenant", "list"), tmp_path / "data",
                                 DATABASE_URL=_with(migrated_db.app_url, database="no_such_db"), **person))
    assert missing.endswith("(DATABASE_URL): database \"no_such_db\" does not exist"), missing
    assert "app-test-password" not in missing  # the fixture's own password, which is right this time


# A password with an unencoded `/`, `#` or `?` ends the URL's host part early: part of it then reads as a host or
# port. TAIL follows the break; neither half of the password may be printed.
TAIL = "Zq9tail"
UNREADABLE_URLS = [
    f"postgresql://migration_app:{PASSWORD}/{TAIL}@127.0.0.1:5432/migration",  # once 'invalid literal for int()'
    f"postgresql://migration_app:4711/{PASSWORD}{TAIL}@127.0.0.1:5432/migration",  # once 'at migration_app:4711'
    f"postgresql://migration_app:{PASSWORD}#{TAIL}@127.0.0.1:5432/migration",
]
INVALID_URL = "is not a valid URL (percent-encode special characters such as / @ : in the password)"


@pytest.mark.parametrize("url", UNREADABLE_URLS)
def test_a_url_whose_password_breaks_it_is_said_to_be_invalid_and_not_shown(tmp_path: Path, url: str) -> None:
    for argv, variable in ((("tenant", "list"), "DATABASE_URL"), (("db", "migrate"), "DATABASE_OWNER_URL")):
        line = error_line(run_cli(argv, tmp_path / "data", **{variable: url}))
        assert line == f"error: {variable} {INVALID_URL}"
        assert TAIL not in line and "4711" not in line


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql://migration_app@127.0.0.1:5432/migration?password={PASSWORD}",
     "postgresql://migration_app@127.0.0.1:5432/migration?password=***"),
    (f"postgresql://migration_app:{PASSWORD}@127.0.0.1:5432/migration?sslmode=disable&SSLPassword={PASSWORD}",
     "postgresql://migration_app:***@127.0.0.1:5432/migration?sslmode=disable&SSLPassword=***"),
    ("postgresql://migration_app@127.0.0.1:5432/migration", "postgresql://migration_app@127.0.0.1:5432/migration"),
    ("postgresql://127.0.0.1/migration?sslmode=disable", "postgresql://127.0.0.1/migration?sslmode=disable"),
    (UNREADABLE_URLS[0], f"(not shown: it {INVALID_URL})"),
])
def test_dev_up_shows_a_configured_database_url_without_its_passwords(tmp_path: Path, url: str, shown: str) -> None:
    """Both servers configured, no owner URL: `dev up` starts nothing and prints where they are."""
    result = run_cli(("dev", "up", "--json"), tmp_path / "data", DATABASE_URL=url,
                     TEMPORAL_ADDRESS=f"127.0.0.1:{closed_port()}")
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout and TAIL not in result.stdout
    assert json.loads(result.stdout)["database"] == shown


def test_db_bootstrap_names_the_superuser_url_option_never_its_password(tmp_path: Path) -> None:
    port = closed_port()
    passwords = {"MIGRATION_OWNER_PASSWORD": "owner-pw", "MIGRATION_APP_PASSWORD": "app-pw"}
    refused = error_line(run_cli(("db", "bootstrap", "--superuser-url",
                                  f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"),
                                 tmp_path / "data", **passwords))
    assert refused == (f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (--superuser-url or "
                       "DATABASE_SUPERUSER_URL): connection refused (no server listens there)")
    for url in UNREADABLE_URLS:
        line = error_line(run_cli(("db", "bootstrap"), tmp_path / "data", DATABASE_SUPERUSER_URL=url, **passwords))
        assert line == f"error: --superuser-url or DATABASE_SUPERUSER_URL {INVALID_URL}"


# ------------------------------------------------------------------------------------------------ Temporal
@pytest.mark.parametrize("reach", ["closed port", "port out of range"])
def test_a_temporal_address_nobody_answers_names_the_variable(tmp_path: Path, migrated_db: TestDatabase,
                                                             person: dict[str, str], reach: str) -> None:
    address, reason = ((f"127.0.0.1:{closed_port()}", "Connection refused") if reach == "closed port"
                       else ("127.0.0.1:99999", "invalid target URL: invalid port number"))
    result = run_cli(("status", "acme/DC exit"), tmp_path / "data", DATABASE_URL=migrated_db.app_url,
                     TEMPORAL_ADDRESS=address, **person)
    assert error_line(result) == f"error: cannot reach Temporal at {address} (TEMPORAL_ADDRESS): {reason}"


def test_a_worker_that_cannot_reach_temporal_says_so_in_one_line(tmp_path: Path, migrated_db: TestDatabase) -> None:
    """`worker.py` is typed by a person too: a server it cannot use is one line and exit code 1."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_OWNER_URL",)}
    address = f"127.0.0.1:{closed_port()}"
    env.update(MIGRATION_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=migrated_db.app_url, TEMPORAL_ADDRESS=address)
    result = subprocess.run([sys.executable, str(ROOT / "worker.py")], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=120)
    assert error_line(result) == f"error: cannot reach Temporal at {address} (TEMPORAL_ADDRESS): Connection refused"


async def test_an_embedded_temporal_that_does_not_answer_points_to_dev_status() -> None:
    port = closed_port()
    with pytest.raises(TemporalUnavailable) as refused:
        await connect_client(f"127.0.0.1:{port}", "default", embedded=True)
    assert str(refused.value) == (f"cannot reach the embedded Temporal at 127.0.0.1:{port}: Connection refused; "
                                  "see `starter.py dev status`")


@pytest.mark.parametrize("command", [("status", "acme/DC exit"), ("approve", "acme/DC exit", "discovery")])
def test_a_namespace_the_server_lacks_is_named(tmp_path: Path, migrated_db: TestDatabase, dev_env,
                                               person: dict[str, str], command: tuple[str, ...]) -> None:
    address = dev_env.client.service_client.config.target_host
    result = run_cli(command, tmp_path / "data", DATABASE_URL=migrated_db.app_url, TEMPORAL_ADDRESS=address,
                     TEMPORAL_NAMESPACE="nope", **person)
    assert error_line(result) == (f"error: namespace 'nope' not found on Temporal at {address} (TEMPORAL_NAMESPACE); "
                                  "set TEMPORAL_NAMESPACE to one of its namespaces")


async def test_status_without_a_worker_says_no_worker_answered(dev_env, app_pool, tmp_path: Path) -> None:
    """After the workers stopped, the server answers a query with its own words ("no poller seen for task queue
    recently") once the query has waited longer than the server's window for pollers (20 s on the dev server)."""
    e: EngagementFixture = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        await wait_for(dev_env.client, e.ref, lambda st: st.waiting_for is not None or st.awaiting_approval)
    try:
        with pytest.raises(control.ControlError) as refused:
            await control.status(dev_env.client, e.ref, timeout=timedelta(seconds=25))
        assert str(refused.value) == (f"engagement {e.ref.name!r}: no worker answered within 25 s; check that "
                                      "`worker.py` runs on its task queue")
        server_answer = refused.value.__context__
        assert isinstance(server_answer, RPCError) and server_answer.status == RPCStatusCode.FAILED_PRECONDITION
    finally:
        await control.handle(dev_env.client, e.ref).terminate()


# ------------------------------------------------------------------------------------------------ data directory
def test_a_data_dir_that_cannot_hold_the_stack_is_named(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    cases = {
        a_file: f"error: MIGRATION_DATA_DIR {a_file} is not a folder; point MIGRATION_DATA_DIR at a folder",
        a_file / "data": f"error: MIGRATION_DATA_DIR {a_file / 'data'} cannot be created (Not a directory); point "
                         "MIGRATION_DATA_DIR at a folder you can write to",
        Path("/proc/nope"): "error: MIGRATION_DATA_DIR /proc/nope cannot be created (No such file or directory); "
                            "point MIGRATION_DATA_DIR at a folder you can write to",
    }
    for data_dir, expected in cases.items():
        assert error_line(run_cli(("tenant", "list"), data_dir, **free_ports())) == expected
        down = run_cli(("dev", "down"), data_dir, **free_ports())  # nothing can run there: nothing to stop
        assert down.returncode == 0 and down.stderr == "", down.stderr
    assert a_file.read_text() == "not a folder"


# ------------------------------------------------------------------------------------------------ embedded ports
def test_ports_other_than_the_running_stacks_name_the_ports_it_runs_on(stack_root: Path) -> None:
    """The stack of this data directory runs; a command asking for other ports is told which ones it has."""
    data_dir = stack_root / "data"
    ports = free_ports()
    try:
        assert run_cli(("dev", "up"), data_dir, **ports).returncode == 0
        running = json.loads(run_cli(("dev", "status", "--json"), data_dir, **ports).stdout)

        other_pg = error_line(run_cli(("dev", "up"), data_dir, **dict(ports, MIGRATION_PG_PORT=str(free_port()))))
        pg_port = ports["MIGRATION_PG_PORT"]
        assert other_pg == (f"error: the embedded PostgreSQL of {data_dir} already runs on port {pg_port}; set "
                            f"MIGRATION_PG_PORT to {pg_port}, or stop it with `starter.py dev down`")

        other_temporal = error_line(run_cli(("dev", "up"), data_dir,
                                            **dict(ports, MIGRATION_TEMPORAL_PORT=str(free_port()))))
        port, ui_port = ports["MIGRATION_TEMPORAL_PORT"], ports["MIGRATION_TEMPORAL_UI_PORT"]
        assert other_temporal == (f"error: the embedded Temporal of {data_dir} already runs on port {port} (Web UI "
                                  f"{ui_port}); set MIGRATION_TEMPORAL_PORT to {port}, or stop it with "
                                  "`starter.py dev down`")
        assert json.loads(run_cli(("dev", "status", "--json"), data_dir, **ports).stdout) == running  # untouched
    finally:
        run_cli(("dev", "down"), data_dir, **ports)


def test_a_failed_pg_ctl_is_one_line_naming_its_log(stack_root: Path) -> None:
    server = EmbeddedPostgres(stack_root / "pg", free_port())
    server.ensure_running()
    server.stop()
    with open(server.pgdata / "postgresql.conf", "a") as conf:
        conf.write(f"no_such_setting_{uuid.uuid4().hex[:6]} = on\n")
    with pytest.raises(EmbeddedPostgresError) as failed:
        server.ensure_running()
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith("pg_ctl failed: ") and message.endswith(f"; see {server.log_file}"), message
    assert "contains errors" in message  # the server's own complaint, from its log
