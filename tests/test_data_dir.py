"""Where the embedded stack keeps its data: a per-user directory that does not depend on the working directory;
an older checkout's `.data` is named, never moved; a port held by our own server names that server's data directory.

No servers here: tests/test_devstack.py runs the stack from other directories and against another data directory.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from runtime import devstack
from runtime.port_holders import embedded_server_in_command, port_taken_message
from runtime.settings import Settings
from tests.conftest import free_port


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home folder with no MIGRATION_DATA_DIR and no XDG_DATA_HOME, and a working directory inside it."""
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("MIGRATION_DATA_DIR", raising=False)
    monkeypatch.chdir(home / "work")
    return home


def test_the_default_data_dir_is_per_user_and_the_same_from_every_directory(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_work = Settings().data_path
    monkeypatch.chdir("/")
    assert Settings().data_path == from_work == home / ".local" / "share" / "migration-platform"


def test_xdg_data_home_moves_the_default(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_path == tmp_path / "xdg" / "migration-platform"


def test_a_relative_data_dir_is_resolved_once_against_the_starting_directory(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGRATION_DATA_DIR", "stack")
    settings = Settings()
    monkeypatch.chdir("/")
    assert settings.data_path == home / "work" / "stack"
    assert Settings().data_path == Path("/stack")


@pytest.mark.parametrize(("given", "expected"), [("~/stacks/a", "stacks/a"), ("", ".local/share/migration-platform")])
def test_a_data_dir_with_a_tilde_is_in_the_home_and_an_empty_one_is_the_default(
    home: Path, monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("MIGRATION_DATA_DIR", given)
    assert Settings().data_path == home / expected


# --------------------------------------------------------------------------- an older checkout's `.data`
def _older_checkout(tmp_path: Path, stack_file: str) -> Path:
    """A `.data` as an older checkout left it: `postgres/data/PG_VERSION` or `temporal/temporal.sqlite`."""
    older = tmp_path / "checkout" / ".data"
    (older / stack_file).parent.mkdir(parents=True)
    (older / stack_file).write_text("16\n")
    return older


@pytest.mark.parametrize("stack_file", ["postgres/data/PG_VERSION", "temporal/temporal.sqlite"])
def test_an_older_checkouts_stack_is_named_before_an_empty_one_is_started(
    home: Path, tmp_path: Path, stack_file: str
) -> None:
    older = _older_checkout(tmp_path, stack_file)
    with pytest.raises(FileNotFoundError) as refused:
        devstack.refuse_to_hide_older_stack(Settings(), older)
    message = str(refused.value)
    default = home / ".local" / "share" / "migration-platform"
    assert "\n" not in message
    assert f"`export MIGRATION_DATA_DIR={older}`" in message
    assert f"`mkdir -p {default}`" in message
    assert not default.exists()
    assert (older / stack_file).exists()


def test_once_the_default_dir_exists_an_older_stack_is_left_alone(home: Path, tmp_path: Path) -> None:
    older = _older_checkout(tmp_path, "postgres/data/PG_VERSION")
    Settings().data_path.mkdir(parents=True)
    devstack.refuse_to_hide_older_stack(Settings(), older)


def test_a_chosen_data_dir_or_an_older_dir_without_a_stack_is_not_refused(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = _older_checkout(tmp_path, "postgres/data/PG_VERSION")
    devstack.refuse_to_hide_older_stack(Settings(), older.parent / "no-stack-here")
    monkeypatch.setenv("MIGRATION_DATA_DIR", str(tmp_path / "chosen"))
    devstack.refuse_to_hide_older_stack(Settings(), older)


# --------------------------------------------------------------------------- who holds a port
def test_our_servers_are_recognised_by_the_data_dir_their_commands_name(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "stack", embedded_pg_port=1, embedded_temporal_port=2,
                        embedded_temporal_ui_port=3)
    temporal_command = devstack.embedded_temporal(settings).command()
    # pg_ctl starts the postmaster as `postgres -D <pgdata> -p <port>`
    postgres_command = ["/venv/bin/postgres", "-D", str(devstack.embedded_postgres(settings).pgdata), "-p", "1"]
    assert embedded_server_in_command(temporal_command) == ("Temporal", tmp_path / "stack")
    assert embedded_server_in_command(postgres_command) == ("PostgreSQL", tmp_path / "stack")


@pytest.mark.parametrize("cmdline", [
    [],
    ["/usr/bin/python3", "-D", "/x/postgres/data"],
    ["/usr/lib/postgresql/16/bin/postgres", "-D", "/var/lib/postgresql/16/main"],  # a system server
    ["/usr/lib/postgresql/16/bin/postgres", "-D", "postgres/data"],  # relative: whose?
    ["/usr/lib/postgresql/16/bin/postgres", "-D"],
    ["temporal", "server", "start-dev", "--db-filename", "/x/elsewhere.sqlite"],
])
def test_other_commands_are_not_taken_for_ours(cmdline: list[str]) -> None:
    assert embedded_server_in_command(cmdline) is None


def test_a_port_held_by_another_program_is_reported_as_such() -> None:
    port = free_port()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        message = port_taken_message(port, "MIGRATION_PG_PORT", "set MIGRATION_PG_PORT to a free port")
    assert message == f"port {port} is taken by another program; set MIGRATION_PG_PORT to a free port"
