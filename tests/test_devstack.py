"""The embedded default through the CLI: dev up starts both services, a second call reuses them."""

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


def _cli(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "starter.py"), *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )


@pytest.fixture
def stack_env(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS")}
    env.update(
        MIGRATION_DATA_DIR=str(tmp_path / "data"),
        MIGRATION_PG_PORT=str(free_port()),
        MIGRATION_TEMPORAL_PORT=str(free_port()),
        MIGRATION_TEMPORAL_UI_PORT=str(free_port()),
    )
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
