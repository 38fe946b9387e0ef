"""Bad usage of every CLI command ends in one line on stderr and exit code 2, never a traceback.

The cases are generated from the command tree itself, so a command added later is covered without
touching this file. Each case runs `starter.py` in its own process, as a person would, with an empty
data directory that must stay empty: a usage error is answered before any server is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import typer.main

from starter import app

ROOT = Path(__file__).resolve().parent.parent
TYPED_VALUES = (int, float, datetime)  # values the parser converts, so a wrong one is a usage error


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    expect: str  # a fragment the one-line message must hold


def leaf_commands(command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path, command
        return
    for name, sub in sorted(subcommands.items()):
        yield from leaf_commands(sub, (*path, name))


def value_type(param) -> object:
    """The Python type a parameter's value is converted to (typer keeps it beside the parser's own)."""
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None) or getattr(getattr(param, "type", None), "name", None)


def bad_usages() -> list[Case]:
    """For every command: an unknown option, required values left out, an option without its value,
    and values of the wrong type."""
    cases: list[Case] = []
    for path, command in leaf_commands(typer.main.get_command(app)):
        params = [p for p in command.params if p.name != "help"]
        required_args = [p for p in params if p.param_type_name == "argument" and p.required]
        filled = (*path, *("x" for _ in required_args))
        label = " ".join(path)
        cases.append(Case(f"{label}: unknown option", (*filled, "--no-such-option"), "No such option"))
        if any(p.required for p in params):
            cases.append(Case(f"{label}: nothing given", path, "Missing"))
        valued = [p for p in params if p.param_type_name == "option" and not p.is_flag and not p.hidden]
        if valued:  # the parser treats every option alike: one of each command stands for the others
            option = valued[0].opts[0]
            cases.append(Case(f"{label}: {option} without a value", (*filled, option), "requires an argument"))
        for p in valued:
            if value_type(p) in TYPED_VALUES:
                cases.append(Case(f"{label}: {p.opts[0]} of the wrong type", (*filled, p.opts[0], "not-a-value"),
                                  "Invalid value"))
    cases.append(Case("unknown command", ("no-such-command",), "No such command"))
    cases.append(Case("mistyped command", ("aprove", "x", "discovery"), "Did you mean 'approve'"))
    return cases


CASES = bad_usages()


def run_cli(argv: tuple[str, ...], data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS")}
    env.update(MIGRATION_DATA_DIR=str(data_dir), COLUMNS="80", **extra_env)
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Every case run once, two processes at a time, each with a data directory of its own."""
    root = tmp_path_factory.mktemp("usage")

    def run(index_case: tuple[int, Case]) -> tuple[str, tuple[subprocess.CompletedProcess[str], Path]]:
        index, case = index_case
        data_dir = root / f"data-{index}"
        return case.name, (run_cli(case.argv, data_dir), data_dir)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, enumerate(CASES)))


def test_every_command_is_covered() -> None:
    commands = {case.name.split(":")[0] for case in CASES}
    assert {"approve", "launch", "mappings set", "plan import", "dev up", "tenant create", "tenant add-admin",
            "people add", "people whoami", "people password"} <= commands
    assert len(commands) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_usage_is_one_line_with_exit_code_2(outcomes, case: Case) -> None:
    result, data_dir = outcomes[case.name]
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and case.expect in lines[0], lines[0]
    assert "--help" in lines[0]
    assert result.stdout == ""
    assert not data_dir.exists(), "a usage error started or prepared the embedded stack"


def test_a_group_without_its_command_shows_its_help(tmp_path: Path) -> None:
    result = run_cli(("mappings",), tmp_path / "data")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "approve" in result.stdout and "targets" in result.stdout


def test_an_invalid_setting_is_named_in_one_line(tmp_path: Path) -> None:
    result = run_cli(("tenant", "list"), tmp_path / "data", MIGRATION_PG_PORT="not-a-port")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: invalid setting: MIGRATION_PG_PORT: Input should be a valid integer, unable to parse string as "
        "an integer"]
    assert not (tmp_path / "data").exists()


def test_a_bug_is_one_line_and_its_trace_goes_to_a_crash_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import common

    monkeypatch.setenv("MIGRATION_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["starter.py", "db", "bootstrap", "--superuser-url",
                                      "postgresql://postgres:s3cret/pw@db:5432/x?sslpassword=k3y"])
    common.get_settings.cache_clear()
    try:
        raise AttributeError("no such thing")
    except AttributeError as exc:
        code = common.report_failure(exc)
    finally:
        common.get_settings.cache_clear()
    lines = capsys.readouterr().err.splitlines()
    assert code == common.EXIT_INTERNAL
    assert len(lines) == 1 and lines[0].startswith("internal error: AttributeError: no such thing (details in ")
    crash_files = list((tmp_path / "logs").glob("cli-crash-*.log"))
    assert len(crash_files) == 1 and str(crash_files[0]) in lines[0]
    crash = crash_files[0].read_text()
    assert "Traceback" in crash and "no such thing" in crash
    assert "s3cret" not in crash and "k3y" not in crash and "postgresql://postgres:***@db:5432/x" in crash
    assert crash_files[0].stat().st_mode & 0o777 == 0o600


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """`starter.py ... | head -1`: the closed pipe is no error to report and no bug to file."""
    env = os.environ | {"MIGRATION_DATA_DIR": str(tmp_path / "data")}
    for argv in (("mappings", "targets"), ("--help",)):
        process = subprocess.Popen([sys.executable, str(ROOT / "starter.py"), *argv], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
        process.stdout.close()  # the reader is gone before the command writes a byte
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141  # as a shell reports a reader that went away
        assert stderr == "", stderr
    assert not (tmp_path / "data").exists()  # no crash file either
