"""Executors against real local services the tests start: a loopback HTTP service that fails before it succeeds,
programs in a temporary commands directory, a TCP port the test opens, DNS of localhost. No mocks."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from activities.executors.config import BadExecutorConfig, ExecutorConfig
from activities.executors.registry import RUNNERS, run_executor
from domain.execution.executor_specs import EXECUTORS, OUTPUT_LIMIT, ExecutorCall, ExecutorOutcome
from tests.conftest import free_port

KEY = "acme/wave-1.run-1/rehost.replicate/web01/1"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body (or text)


@dataclass
class Service:
    """A loopback HTTP service: `plan(request, index)` answers each request; every request is recorded, and a
    successful call of .../replications applies its effect once per Idempotency-Key."""

    url: str = ""
    plan: Callable[[Seen, int], Answer] = lambda seen, index: (200, {}, {"ok": True})
    seen: list[Seen] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            status, headers, body = self.plan(seen, len(self.seen) - 1)
            if status == 200 and seen.path.endswith("/replications"):
                key = seen.headers["idempotency-key"]
                self.applied.setdefault(key, 0)
                if self.applied[key] == 0:
                    self.applied[key] += 1
                else:
                    body = {"already_applied": key}
        return status, headers, body


@pytest.fixture
def service() -> Iterator[Service]:
    state = Service()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw) if raw else None)
            status, headers, body = state.handle(seen)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def configure(tmp_path: Path, service: Service | None = None, **endpoint: Any) -> ExecutorConfig:
    """The configuration an operator writes: the commands directory and a YAML file with one endpoint."""
    commands = tmp_path / "commands"
    commands.mkdir(exist_ok=True)
    endpoints = {"factory": {"url": (service.url if service else "http://127.0.0.1:9") + "/api",
                             "retry_initial_seconds": 0.05, "poll_interval_seconds": 0.05, **endpoint}}
    file = tmp_path / "executors.yaml"
    file.write_text(json.dumps({"endpoints": endpoints, "command_environment": ["EXECUTOR_TEST_PASSED"]}))
    return ExecutorConfig.from_environment({"MIGRATION_EXECUTOR_COMMANDS": str(commands),
                                            "MIGRATION_EXECUTORS_FILE": str(file)})


async def run(config: ExecutorConfig, executor: str, timeout: float = 10.0, **params: Any) -> ExecutorOutcome:
    outcome = await run_executor(ExecutorCall(executor=executor, params=params, idempotency_key=KEY,
                                              timeout_seconds=timeout), config)
    assert len(outcome.output) <= OUTPUT_LIMIT
    assert outcome.error is None or "\n" not in outcome.error
    return outcome


# --- http ---------------------------------------------------------------------------------------------------------

async def test_http_retries_503_twice_then_succeeds_with_one_effect(tmp_path: Path, service: Service) -> None:
    service.plan = lambda seen, index: (503, {}, {"busy": True}) if index < 2 else (200, {}, {"replication": "r-1"})
    config = configure(tmp_path, service)
    outcome = await run(config, "http", endpoint="factory", path="/replications", body={"server": "web01"})
    assert outcome.status == "completed", outcome
    assert outcome.effect == {"endpoint": "factory", "http_status": 200, "attempts": 3, "polls": 0}
    assert json.loads(outcome.output) == {"replication": "r-1"}
    assert [s.path for s in service.seen] == ["/api/replications"] * 3
    assert {s.headers["idempotency-key"] for s in service.seen} == {KEY}
    assert all(s.body == {"server": "web01"} and s.method == "POST" for s in service.seen)
    # the step run re-runs (a worker crashed after the call): same key, the service acts no second time
    again = await run(config, "http", endpoint="factory", path="/replications", body={"server": "web01"})
    assert again.status == "completed" and json.loads(again.output) == {"already_applied": KEY}
    assert service.applied == {KEY: 1}


async def test_http_honours_retry_after_seconds_over_its_back_off(tmp_path: Path, service: Service) -> None:
    # back-off alone (30 s) would not fit in the call's 8 s; the service's Retry-After of 1 s does
    service.plan = lambda seen, index: (429, {"Retry-After": "1"}, {}) if index == 0 else (200, {}, {"ok": 1})
    config = configure(tmp_path, service, retry_initial_seconds=30)
    outcome = await run(config, "http", timeout=8, endpoint="factory", path="/replications")
    assert outcome.status == "completed" and outcome.effect["attempts"] == 2
    assert len(service.seen) == 2


async def test_http_retry_after_beyond_the_timeout_asks_to_retry_later(tmp_path: Path, service: Service) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    service.plan = lambda seen, index: (503, {"Retry-After": later}, {})
    outcome = await run(configure(tmp_path, service), "http", timeout=5, endpoint="factory")
    assert outcome.status == "retry_later", outcome
    assert 3000 < outcome.retry_after_seconds <= 3600
    assert "HTTP 503" in outcome.error and len(service.seen) == 1


async def test_http_4xx_fails_at_once(tmp_path: Path, service: Service) -> None:
    service.plan = lambda seen, index: (404, {}, {"error": "no such server"})
    outcome = await run(configure(tmp_path, service), "http", endpoint="factory", method="put", path="/servers/x y",
                        body=[1, "two"])
    assert outcome.status == "failed"
    assert outcome.error == "factory answered HTTP 404 Not Found"
    assert "no such server" in outcome.output
    assert [(s.method, s.path, s.body) for s in service.seen] == [("PUT", "/api/servers/x%20y", [1, "two"])]


async def test_http_connection_errors_are_retried_until_the_timeout(tmp_path: Path) -> None:
    config = configure(tmp_path, None, url=f"http://127.0.0.1:{free_port()}")
    outcome = await run(config, "http", timeout=1, endpoint="factory")
    assert outcome.status == "failed"
    assert outcome.error.startswith("gave up after ") and outcome.effect["attempts"] >= 2


async def test_http_secret_headers_reach_the_service_and_never_the_output(
        tmp_path: Path, service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    token, key = "tok-8c1f1d0e9a7b", "key-55aa01ffee"
    monkeypatch.setenv("FACTORY_TOKEN", token)
    (tmp_path / "api-key").write_text(key + "\n")
    # a careless service echoes what it got, in its body and in an error
    service.plan = lambda seen, index: (
        (200 if index else 400), {}, {"echo": seen.headers, "message": f"token {token} and {key} refused"})
    config = configure(tmp_path, service, headers={
        "Authorization": "Bearer ${env:FACTORY_TOKEN}", "X-Api-Key": f"${{file:{tmp_path / 'api-key'}}}",
        "X-Team": "migrations"})
    refused = await run(config, "http", endpoint="factory")
    accepted = await run(config, "http", endpoint="factory")
    assert refused.status == "failed" and accepted.status == "completed"
    assert service.seen[0].headers["authorization"] == f"Bearer {token}"
    assert service.seen[0].headers["x-api-key"] == key and service.seen[0].headers["x-team"] == "migrations"
    for outcome in (refused, accepted):
        text = outcome.model_dump_json()
        assert token not in text and key not in text
    assert "[secret]" in accepted.output and "migrations" in accepted.output
    monkeypatch.delenv("FACTORY_TOKEN")
    with pytest.raises(BadExecutorConfig, match="^the environment variable FACTORY_TOKEN of a configured header"):
        await run(config, "http", endpoint="factory")


async def test_http_polls_the_status_url_until_the_operation_ends(tmp_path: Path, service: Service) -> None:
    def plan(seen: Seen, index: int) -> Answer:
        if seen.method == "POST":
            return 202, {}, {"status": "running", "links": "x", "status_url": "/api/operations/7"}
        return 200, {}, {"status": "succeeded" if index >= 3 else "running", "id": 7}

    service.plan = plan
    config = configure(tmp_path, service, status_url_field="status_url")
    outcome = await run(config, "http", endpoint="factory", path="/launches", body={})
    assert outcome.status == "completed", outcome
    assert outcome.effect["polls"] == 3 and json.loads(outcome.output) == {"status": "succeeded", "id": 7}
    assert [(s.method, s.path) for s in service.seen] == [("POST", "/api/launches")] + [
        ("GET", "/api/operations/7")] * 3
    assert {s.headers["idempotency-key"] for s in service.seen} == {KEY}

    service.seen.clear()
    service.plan = lambda seen, index: (
        (202, {}, {"status_url": "/api/operations/8"}) if seen.method == "POST"
        else (200, {}, {"status": "failed", "error": "target subnet full"}))
    failed = await run(config, "http", endpoint="factory", path="/launches")
    assert failed.status == "failed" and failed.error == "factory reports the operation failed: target subnet full"

    service.plan = lambda seen, index: (202, {}, {"status_url": "http://198.51.100.7/steal"})
    elsewhere = await run(config, "http", endpoint="factory", path="/launches")
    assert elsewhere.status == "failed" and "outside the endpoint" in elsewhere.error


@pytest.mark.parametrize("path", ["../admin", "/a/%2e%2e/admin", "//evil.example/x", "http://evil.example/"])
async def test_http_path_stays_below_the_endpoint(tmp_path: Path, path: str) -> None:
    with pytest.raises(BadExecutorConfig, match="is not a path below the endpoint"):
        await run(configure(tmp_path), "http", endpoint="factory", path=path)


async def test_http_unknown_endpoint_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(BadExecutorConfig, match=r"^no HTTP endpoint named 'billing' is configured \(configured: "
                                                r"factory\)$"):
        await run(configure(tmp_path), "http", endpoint="billing")


# --- command ------------------------------------------------------------------------------------------------------

def script(config: ExecutorConfig, name: str, body: str, mode: int = 0o755) -> Path:
    path = config.commands_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(mode)
    return path


async def test_command_fails_then_succeeds_acting_once_by_key(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "replicate", """
state="$1"
if [ ! -e "$state/tried" ]; then touch "$state/tried"; echo "checking $2"; echo "agent not ready yet" >&2; exit 1; fi
echo "$MIGRATION_IDEMPOTENCY_KEY" >> "$state/effects"
echo "replicated $2"
""")
    first = await run(config, "command", program="replicate", args=[str(tmp_path), "web01"])
    assert first.status == "failed"
    assert first.error == "replicate exit code 1: agent not ready yet"
    assert first.effect == {"exit_code": 1, "program": "replicate"}
    assert first.output == "checking web01\n\n--- stderr ---\nagent not ready yet\n"
    second = await run(config, "command", program="replicate", args=[str(tmp_path), "web01"])
    assert second.status == "completed" and second.output == "replicated web01\n"
    assert (tmp_path / "effects").read_text() == KEY + "\n"


async def test_command_exit_75_asks_to_retry_later(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "wait-for-sync", "echo 'sync at 80%' >&2; exit 75\n")
    outcome = await run(config, "command", program="wait-for-sync")
    assert outcome.status == "retry_later" and outcome.error == "wait-for-sync exit code 75: sync at 80%"


async def test_command_gets_a_small_environment_without_the_workers_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db/app")
    monkeypatch.setenv("EXECUTOR_TEST_PASSED", "passed-on")
    config = configure(tmp_path)
    script(config, "show-env", "env\n")
    outcome = await run(config, "command", program="show-env")
    lines = set(outcome.output.splitlines())
    assert f"MIGRATION_IDEMPOTENCY_KEY={KEY}" in lines and "EXECUTOR_TEST_PASSED=passed-on" in lines
    assert "hunter2" not in outcome.output


async def test_command_output_of_10_mb_stays_bounded(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "chatty", """
head -c 10000000 /dev/zero | tr '\\0' 'o' &
head -c 3000000 /dev/zero | tr '\\0' 'e' >&2
wait
echo
echo "the end"
""")
    outcome = await run(config, "command", timeout=60, program="chatty")
    assert outcome.status == "completed"
    assert len(outcome.output) <= OUTPUT_LIMIT
    assert outcome.output.startswith("ooo") and "characters dropped" in outcome.output
    out, err = outcome.output.split("\n--- stderr ---\n")
    assert out.endswith("o\nthe end\n") and err.startswith("eee") and err.endswith("eee") and "oo" not in err


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


async def test_command_timeout_kills_the_child_and_its_grandchild(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "hang", """
sh -c 'sleep 300 & echo $! > "$1/grandchild"; wait' sh "$1" &
echo $! > "$1/child"
echo started
wait
""")
    outcome = await run(config, "command", timeout=1, program="hang", args=[str(tmp_path)])
    assert outcome.status == "failed" and outcome.effect["timed_out"] is True
    assert outcome.error == "hang did not finish within 1 s; its process group was killed"
    assert outcome.output == "started\n"
    pids = [int((tmp_path / name).read_text()) for name in ("child", "grandchild")]
    for _ in range(100):  # the kernel reaps them shortly after the kill
        if not any(_running(pid) for pid in pids):
            break
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


async def test_a_cancelled_command_step_kills_its_process_group(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "long-copy", 'sleep 300 & echo $! > "$1/child"; wait\n')
    task = asyncio.create_task(run(config, "command", timeout=600, program="long-copy", args=[str(tmp_path)]))
    while not (tmp_path / "child").exists() or not (tmp_path / "child").read_text():
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    child = int((tmp_path / "child").read_text())
    for _ in range(100):
        if not _running(child):
            break
        await asyncio.sleep(0.05)
    assert not _running(child)


@pytest.mark.parametrize("program", ["../outside", "/bin/sh", "sub/tool", "..", ".", "", "linked-sh", "plain",
                                     "absent", "a..b"])
async def test_command_refuses_anything_but_an_executable_of_the_directory(tmp_path: Path, program: str) -> None:
    config = configure(tmp_path)
    (tmp_path / "outside").write_text("#!/bin/sh\necho escaped\n")
    (tmp_path / "outside").chmod(0o755)
    (config.commands_dir / "sub").mkdir()
    script(config, "sub/tool", "echo nested\n")
    (config.commands_dir / "linked-sh").symlink_to("/bin/sh")
    script(config, "plain", "echo not executable\n", mode=0o644)
    with pytest.raises(BadExecutorConfig, match=r"^program .* (plain file name|not in the commands directory|"
                                                r"resolves outside|not an executable file)"):
        await run(config, "command", program=program)


async def test_command_executor_needs_the_directory(tmp_path: Path) -> None:
    with pytest.raises(BadExecutorConfig, match="^the command executor is not available: "
                                                "MIGRATION_EXECUTOR_COMMANDS is not set$"):
        await run(ExecutorConfig.from_environment({}), "command", program="replicate")


async def test_command_arguments_are_a_list_of_texts_never_a_shell(tmp_path: Path) -> None:
    config = configure(tmp_path)
    script(config, "args", 'for a in "$@"; do echo "[$a]"; done\n')
    outcome = await run(config, "command", program="args", args=["$(id)", "a b;c", 7])
    assert outcome.output == "[$(id)]\n[a b;c]\n[7]\n"
    with pytest.raises(BadExecutorConfig, match="must be a list"):
        await run(config, "command", program="args", args="--all")


# --- probes -------------------------------------------------------------------------------------------------------

async def test_tcp_probe_of_an_open_port_and_of_one_nobody_listens_on(tmp_path: Path) -> None:
    config = configure(tmp_path)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        reached = await run(config, "tcp_probe", host="127.0.0.1", port=str(port))
    assert reached.status == "completed" and reached.effect == {"host": "127.0.0.1", "port": port,
                                                                "address": "127.0.0.1"}
    closed = free_port()
    refused = await run(config, "tcp_probe", timeout=5, host="127.0.0.1", port=closed)
    assert refused.status == "failed" and refused.error.startswith(f"127.0.0.1:{closed} is not reachable: ")
    with pytest.raises(BadExecutorConfig, match="port must be a whole number"):
        await run(config, "tcp_probe", host="127.0.0.1", port=70000)


async def test_http_probe_checks_status_and_body(tmp_path: Path, service: Service) -> None:
    service.plan = lambda seen, index: (200, {}, "status: healthy") if seen.path == "/health" else (500, {}, "down")
    config = configure(tmp_path)
    healthy = await run(config, "http_probe", url=f"{service.url}/health", expect_body="healthy")
    assert healthy.status == "completed" and healthy.output == "status: healthy"
    assert healthy.effect["http_status"] == 200
    wrong_body = await run(config, "http_probe", url=f"{service.url}/health", expect_body="ready")
    assert wrong_body.status == "failed" and "without the expected text 'ready'" in wrong_body.error
    down = await run(config, "http_probe", url=f"{service.url}/other")
    assert down.status == "failed" and down.error.endswith("answered HTTP 500 Internal Server Error, expected 200")
    expected_down = await run(config, "http_probe", url=f"{service.url}/other", expect_status=500)
    assert expected_down.status == "completed"
    nobody = await run(config, "http_probe", timeout=5, url=f"http://127.0.0.1:{free_port()}/")
    assert nobody.status == "failed" and "is not reachable" in nobody.error


async def test_dns_probe_of_localhost(tmp_path: Path) -> None:
    config = configure(tmp_path)
    found = await run(config, "dns_probe", name="localhost", expect_addresses=["127.0.0.1"])
    assert found.status == "completed" and "127.0.0.1" in found.effect["addresses"]
    assert (await run(config, "dns_probe", name="localhost", expect_addresses="127.0.0.1")).status == "completed"
    missing = await run(config, "dns_probe", name="localhost", expect_addresses=["127.0.0.1", "192.0.2.10"])
    assert missing.status == "failed" and missing.effect["missing"] == ["192.0.2.10"]
    assert missing.error.endswith("without 192.0.2.10")
    unknown = await run(config, "dns_probe", timeout=5, name="no-such-host.invalid")
    assert unknown.status == "failed" and unknown.error.startswith("no-such-host.invalid ")


# --- registry and configuration -----------------------------------------------------------------------------------

async def test_registry_implements_exactly_the_specified_executors(tmp_path: Path) -> None:
    assert set(RUNNERS) == set(EXECUTORS)
    config = configure(tmp_path)
    outcome = await run(config, "dry_run", note="demo")
    assert outcome.status == "completed" and outcome.output == f"dry run: acted on nothing for {KEY} (demo)"
    with pytest.raises(BadExecutorConfig, match="^unknown executor 'ssh'$"):
        await run(config, "ssh")
    with pytest.raises(BadExecutorConfig, match="^executor tcp_probe does not take command$"):
        await run(config, "tcp_probe", host="h", port=1, command="rm")
    with pytest.raises(BadExecutorConfig, match="^executor tcp_probe needs port$"):
        await run(config, "tcp_probe", host="h")


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot be read"),
    ("endpoints: [unclosed", "not valid UTF-8 YAML at line 1"),
    ("endpoints: {a: {url: ftp://x}}", "endpoints.a.url: Value error, must be an http:// or https:// URL"),
    ("endpoints: {a: {url: 'http://x', token: y}}", "endpoints.a.token: Extra inputs are not permitted"),
    ("endpoints: {a: {url: 'http://x', headers: {A: '${os:x}'}}}", "neither ${env:NAME} nor ${file:/path}"),
    ("endpoints: {a: {url: 'http://x', headers: {Idempotency-Key: k}}}", "set by each call"),
    ("command_environment: ['A B']", "command_environment.0: String should match pattern"),
])
def test_a_bad_configuration_file_is_one_clear_line(tmp_path: Path, content: str | None, message: str) -> None:
    file = tmp_path / "executors.yaml"
    if content is not None:
        file.write_text(content)
    with pytest.raises(BadExecutorConfig) as caught:
        ExecutorConfig.from_environment({"MIGRATION_EXECUTORS_FILE": str(file)})
    assert str(caught.value).startswith(f"MIGRATION_EXECUTORS_FILE {file}: ")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_commands_directory_must_exist(tmp_path: Path) -> None:
    with pytest.raises(BadExecutorConfig, match="is not a directory$"):
        ExecutorConfig.from_environment({"MIGRATION_EXECUTOR_COMMANDS": str(tmp_path / "missing")})
    with pytest.raises(BadExecutorConfig, match="must be an absolute path"):
        ExecutorConfig.from_environment({"MIGRATION_EXECUTOR_COMMANDS": "commands"})
