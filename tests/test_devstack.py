"""The embedded default through the CLI: dev up starts both services, a second call reuses them, commands run
from any directory reach them, and a port held by the stack of another data directory is named as such."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def _cli(env: dict[str, str], *args: str, timeout: float = 180, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "starter.py"), *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd,
    )


def _embedded_env(**variables: str) -> dict[str, str]:
    """This process's environment for the embedded default on free ports, without any data dir setting."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS", "MIGRATION_DATA_DIR", "XDG_DATA_HOME")}
    env.update(
        MIGRATION_PG_PORT=str(free_port()),
        MIGRATION_TEMPORAL_PORT=str(free_port()),
        MIGRATION_TEMPORAL_UI_PORT=str(free_port()),
        **variables,
    )
    return env


@pytest.fixture
def stack_env(stack_root: Path):
    env = _embedded_env(MIGRATION_DATA_DIR=str(stack_root / "data"))
    yield env
    _cli(env, "dev", "down")


@pytest.fixture
def default_dir_env(stack_root: Path):
    """No MIGRATION_DATA_DIR: the stack lives in the per-user data directory of a home folder of its own."""
    env = _embedded_env(HOME=str(stack_root / "home"))
    # Created beforehand, as a person whose repository still holds an older `.data` does to start anew
    # (devstack.refuse_to_hide_older_stack); a fresh clone has none and needs no such step.
    (stack_root / "home" / ".local" / "share" / "migration-platform").mkdir(parents=True)
    yield env
    _cli(env, "dev", "down")


def test_dev_up_starts_both_services_and_reuses_them(stack_env: dict[str, str]) -> None:
    first = _cli(stack_env, "dev", "up", "--json")
    assert first.returncode == 0, first.stderr
    info = json.loads(first.stdout)
    assert info["ui"] == f"http://127.0.0.1:{stack_env['MIGRATION_TEMPORAL_UI_PORT']}"
    with urllib.request.urlopen(info["ui"], timeout=10) as response:
        assert response.status == 200
    status_before = json.loads(_cli(stack_env, "dev", "status", "--json").stdout)
    assert status_before["postgres"]["running"] and status_before["temporal"]["running"]

    second = _cli(stack_env, "dev", "up", "--json")
    assert second.returncode == 0, second.stderr
    status_after = json.loads(_cli(stack_env, "dev", "status", "--json").stdout)
    assert status_after["postgres"]["pid"] == status_before["postgres"]["pid"]
    assert status_after["temporal"]["pid"] == status_before["temporal"]["pid"]

    human = _cli(stack_env, "dev", "up")
    assert f"Temporal Web UI: {info['ui']}" in human.stdout

    down = _cli(stack_env, "dev", "down")
    assert down.returncode == 0
    stopped = json.loads(_cli(stack_env, "dev", "status", "--json").stdout)
    assert not stopped["postgres"]["running"] and not stopped["temporal"]["running"]


def test_a_failed_start_leaves_nothing_running(stack_env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(stack_env["MIGRATION_TEMPORAL_UI_PORT"])))
        squatter.listen()
        result = _cli(stack_env, "dev", "up")
    assert result.returncode == 1
    assert "is taken by another program" in result.stderr
    assert "Traceback" not in result.stderr
    status = json.loads(_cli(stack_env, "dev", "status", "--json").stdout)
    assert not status["postgres"]["running"]
    assert not status["temporal"]["running"]


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    return line


def test_commands_from_any_directory_reach_the_one_running_stack(default_dir_env: dict[str, str],
                                                                 stack_root: Path) -> None:
    assert _cli(default_dir_env, "dev", "up").returncode == 0
    running = json.loads(_cli(default_dir_env, "dev", "status", "--json").stdout)
    elsewhere = stack_root / "elsewhere"
    elsewhere.mkdir()

    created = _cli(default_dir_env, "tenant", "create", "Elsewhere Ltd", "--json", cwd=elsewhere)
    assert created.returncode == 0, created.stderr
    listed = _cli(default_dir_env, "tenant", "list", "--json", cwd=Path("/"))
    assert listed.returncode == 0, listed.stderr
    assert json.loads(created.stdout)["id"] in [tenant["id"] for tenant in json.loads(listed.stdout)]

    assert json.loads(_cli(default_dir_env, "dev", "status", "--json", cwd=elsewhere).stdout) == running
    assert not (elsewhere / ".data").exists()
    assert (stack_root / "home" / ".local" / "share" / "migration-platform" / "postgres" / "data").is_dir()


def test_a_port_held_by_the_stack_of_another_data_dir_names_that_dir(stack_env: dict[str, str],
                                                                     stack_root: Path) -> None:
    assert _cli(stack_env, "dev", "up").returncode == 0
    running = json.loads(_cli(stack_env, "dev", "status", "--json").stdout)
    data_dir_a = Path(stack_env["MIGRATION_DATA_DIR"])
    other = dict(stack_env, MIGRATION_DATA_DIR=str(stack_root / "other"))

    same_pg_port = _cli(other, "dev", "up")
    assert same_pg_port.returncode == 1
    assert _one_line(same_pg_port.stderr) == (
        f"error: port {stack_env['MIGRATION_PG_PORT']} is used by this platform's embedded PostgreSQL of data "
        f"directory {data_dir_a} (pid {running['postgres']['pid']}); stop it with "
        f"`MIGRATION_DATA_DIR={data_dir_a} starter.py dev down` or choose MIGRATION_PG_PORT"
    )

    other["MIGRATION_PG_PORT"] = str(free_port())
    same_temporal_port = _cli(other, "dev", "up")
    assert same_temporal_port.returncode == 1
    assert _one_line(same_temporal_port.stderr).startswith(
        f"error: port {stack_env['MIGRATION_TEMPORAL_PORT']} is used by this platform's embedded Temporal of data "
        f"directory {data_dir_a} (pid {running['temporal']['pid']}); "
    )
    assert not json.loads(_cli(other, "dev", "status", "--json").stdout)["postgres"]["running"]
    assert json.loads(_cli(stack_env, "dev", "status", "--json").stdout) == running
