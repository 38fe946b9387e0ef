"""Attacks on the agent layer (issue 16) through the real crewai package, a loopback HTTP server and real
PostgreSQL: a hostile or broken model endpoint (huge, compressed or trickling answers, absurd token counts, a key
echoed back, NUL characters), races on an engagement's budget, what crewai leaves on the worker's disk, and where
the worker connects while a crew runs.

The endpoint here is a tiny raw server (each test says what it answers, byte for byte), beside the recorded-answer
server of tests/openai_compatible_server.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

# agents.crew first, as the worker imports it: it turns crewai's telemetry off before crewai is imported
pytest.importorskip("agents.crew", reason="the agents extra (crewai) is not installed: make setup AGENTS=1")

from crewai.telemetry.telemetry import Telemetry  # noqa: E402
from temporalio.testing import ActivityEnvironment  # noqa: E402

from activities.agents import CLOSE_CALL, LOW_CONFIDENCE, AgentActivities  # noqa: E402
from agents.config import AgentSettings, agent_settings  # noqa: E402
from db.agents import engagement_budget  # noqa: E402
from db.pool import tenant_transaction  # noqa: E402
from db.queries import sql  # noqa: E402
from domain.discovery.header_embedding import HashedNgramEmbedder  # noqa: E402
from domain.flow_contracts import MappingReviewRequest, MasterStatus, StepInput, Tenant  # noqa: E402
from domain.vocabulary import PHASES  # noqa: E402
from runtime import engagement_control as control  # noqa: E402
from tests.conftest import make_engagement  # noqa: E402
from tests.discovery_harness import stage_and_map  # noqa: E402
from tests.flow_helpers import fetch_rows, inventory_file, running_worker, wait_for  # noqa: E402
from tests.openai_compatible_server import Answer, Server, data_block, running_server  # noqa: E402
from tests.recorded_model import INVENTORY, MAPPING_ANSWERS, crew_of, every_crew, strategy_model, write_inventory  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="session")

MODEL = "attack-model"
KEY = "sk-issue16-attack-0123456789abcdef"


@dataclass
class RawServer:
    """A loopback endpoint whose `respond(handler, request)` writes each answer itself."""

    url: str = ""
    respond: Callable[[BaseHTTPRequestHandler, dict[str, Any]], None] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def raw_server(respond: Callable[[BaseHTTPRequestHandler, dict[str, Any]], None]) -> Iterator[RawServer]:
    state = RawServer(respond=respond)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            request["_authorization"] = self.headers.get("Authorization")
            with state.lock:
                state.requests.append(request)
            state.respond(self, request)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_port}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def completion(content: Any, usage: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-attack", "object": "chat.completion", "created": 1765000000, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "refusal": None,
                                 "content": content if isinstance(content, str) else json.dumps(content)}}]}
    if usage is not None:
        body["usage"] = usage
    return body


def usage(prompt: Any = 1200, completion_tokens: Any = 60) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens, "total_tokens": 0}


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def mapping_proposals(request: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
    """The recorded answers of tests/test_agents.py for the request's columns (the reason replaced if given)."""
    proposals = []
    for column in data_block(request)["columns"]:
        target, confidence, recorded = MAPPING_ANSWERS.get(column["header"], (None, 0.3, "no asset column fits"))
        proposals.append({"column": column["handle"], "target": target, "confidence": confidence,
                          "reason": recorded if reason is None else reason})
    return {"proposals": proposals}


def settings(url: str, **overrides: Any) -> AgentSettings:
    return AgentSettings(**{"MIGRATION_LLM_BASE_URL": url, "MIGRATION_LLM_MODEL": MODEL,
                            "MIGRATION_LLM_PRICE_INPUT_PER_MTOK": 0.15, "MIGRATION_LLM_PRICE_OUTPUT_PER_MTOK": 0.60,
                            "MIGRATION_LLM_TIMEOUT_SECONDS": 20, **overrides})


async def _mapped(app_pool, tmp_path: Path, text: str = INVENTORY):
    fixture = await make_engagement(app_pool)
    return fixture, await stage_and_map(app_pool, fixture.ref, [write_inventory(tmp_path, text)])


# -- a hostile or broken endpoint --------------------------------------------------------------------------------

PADDING_MB = 48


def _padded_completion() -> bytes:
    """A valid completion whose JSON carries PADDING_MB MB of padding: no answer of at most
    MIGRATION_LLM_MAX_OUTPUT_TOKENS (<= 100,000) tokens is ever that large."""
    head = json.dumps(completion({"proposals": []}, usage()))[:-1].encode()
    return head + b',"padding":"' + b"x" * (PADDING_MB * 2**20) + b'"}'


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
async def test_an_answer_of_many_megabytes_is_refused_not_read_into_memory(app_pool, tmp_path: Path,
                                                                            encoding: str) -> None:
    """A 48 MB answer (or 48 KB of gzip inflating to 48 MB: a decompression bomb) must fail the call, not be read
    whole: the transport reads and decodes every byte into memory (`response.read()`), so a 2 MB gzip bomb costs
    the worker gigabytes and an OOM kill takes every tenant's activities with it."""
    body = _padded_completion()
    headers = {}
    if encoding == "gzip":
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        body = compressor.compress(body) + compressor.flush()
        headers = {"Content-Encoding": "gzip"}
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 200, body, headers=headers)) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "failed", summary
    calls = await fetch_rows(app_pool, fixture.ref, "SELECT success, error FROM migration.llm_usage_log")
    assert calls and not any(c["success"] for c in calls), calls


async def test_an_endpoint_that_trickles_its_answer_is_cut_at_the_configured_timeout(app_pool, tmp_path: Path) -> None:
    """MIGRATION_LLM_TIMEOUT_SECONDS=1, and the endpoint sends a valid answer a few bytes at a time over seconds.
    httpx's timeout bounds each socket read, not the call, so the answer is taken: an endpoint that sends a byte
    every minute holds the activity (which heartbeats all the while) for its whole hour, three attempts in a row."""

    def trickle(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        body = json.dumps(completion(mapping_proposals(request), usage())).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        step = max(1, len(body) // 12)
        try:
            for start in range(0, len(body), step):
                handler.wfile.write(body[start:start + step])
                handler.wfile.flush()
                time.sleep(0.4)
        except OSError:
            pass  # the client gave up: what a correct client does

    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(trickle) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_LLM_TIMEOUT_SECONDS=1))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "failed" and " 1 s" in summary.get("reason", ""), summary
    llm = await fetch_rows(app_pool, fixture.ref, "SELECT 1 FROM migration.import_field_mappings WHERE source = 'llm'")
    assert llm == []


async def test_an_endpoint_that_trickles_its_headers_is_cut_at_the_configured_timeout(app_pool,
                                                                                      tmp_path: Path) -> None:
    """The answer's head sent a line at a time (slowloris): httpx reads the whole head inside `handle_request`, each
    read bounded by the timeout but not the head, and the deadline is checked only on the body's chunks: a head of
    16 KiB at a byte per 119 s holds a call (and its thread) for days, the activity for its hour, three times.
    Here the client must hang up while the head still trickles, not after it."""
    head_sent: list[bool] = []

    def trickle_head(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        body = json.dumps(completion(mapping_proposals(request), usage())).encode()
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            for i in range(20):
                handler.wfile.write(f"X-Pad-{i}: {i}\r\n".encode())
                handler.wfile.flush()
                time.sleep(0.4)
            handler.wfile.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            handler.wfile.flush()
            head_sent.append(True)
        except OSError:
            head_sent.append(False)  # the client hung up during the head

    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(trickle_head) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_LLM_TIMEOUT_SECONDS=1))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
        await asyncio.sleep(1)  # the handler's last write fails once the client has gone
    assert summary["status"] == "failed" and " 1 s" in summary.get("reason", ""), summary
    assert head_sent and not any(head_sent), head_sent


async def test_a_key_the_endpoint_echoes_is_never_stored_shown_or_logged(app_pool, tmp_path: Path, caplog) -> None:
    """Gateways and proxies answer 401 with the Authorization header they got; the platform stores the answer's
    first 300 bytes in llm_usage_log.error, the SDK's message in agent_task_history.error_message and the step's
    summary (crew_ai_state, Temporal history), and crewai logs it: the key must be redacted from all of them."""

    def echo(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        message = f"Incorrect API key provided: {request['_authorization']}"
        send(handler, 401, json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode())

    fixture, stage = await _mapped(app_pool, tmp_path)
    caplog.set_level(logging.DEBUG)
    with raw_server(echo) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_LLM_API_KEY=KEY))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert server.requests and all(r["_authorization"] == f"Bearer {KEY}" for r in server.requests)
    assert summary["status"] == "failed", summary
    stored = await fetch_rows(app_pool, fixture.ref, "SELECT error AS text FROM migration.llm_usage_log UNION ALL "
                                                "SELECT error_message FROM migration.agent_task_history")
    assert stored
    assert KEY not in json.dumps(summary), summary
    assert not [s["text"] for s in stored if KEY in (s["text"] or "")]
    assert KEY not in caplog.text


async def test_absurd_token_counts_do_not_lock_the_engagement_out_of_its_agents(app_pool, tmp_path: Path) -> None:
    """An answer reporting prompt_tokens 2**31 - 1 and completion_tokens 1 was stored as it came, and from then on
    agent_budget.sql's `sum(l.prompt_tokens + l.completion_tokens)` overflowed integer: every crew activity of the
    engagement raised 'integer out of range' before it started, was retried, and failed its phase."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            {"proposals": []}, usage(2**31 - 1, 1))).encode())) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        first = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
        assert first["calls"] == 1, first
        again = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    # the counts are not believed (more than any call could use): the call is counted by its bytes, marked estimated,
    # and the engagement's budget and report sums still work
    assert again["status"] == "nothing to review" and len(server.requests) == 1, again
    rows = await fetch_rows(app_pool, fixture.ref, "SELECT prompt_tokens, completion_tokens, tokens_estimated"
                                              " FROM migration.llm_usage_log")
    assert len(rows) == 1 and rows[0]["tokens_estimated"] and rows[0]["prompt_tokens"] < 100_000, rows


async def test_an_answer_without_usage_still_spends_the_token_budget(app_pool, tmp_path: Path) -> None:
    """Endpoints that report no `usage` (or strings, floats, negative numbers) are accounted as 0 tokens, so a
    token budget never stops them: with a budget of 100 tokens, the first crew's prompt alone is thousands of
    characters, yet the next run asks the model again."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            {"proposals": []})).encode())) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_AGENT_BUDGET_TOKENS=100))
        await stage.env.run(agents.suggest_mappings, stage.step)
        prompt_chars = len(json.dumps(server.requests[0]["messages"]))
    assert len(server.requests) >= 1 and prompt_chars > 400
    rows = await fetch_rows(app_pool, fixture.ref, "SELECT prompt_tokens, tokens_estimated FROM migration.llm_usage_log")
    assert rows and all(r["tokens_estimated"] and r["prompt_tokens"] >= prompt_chars // 4 for r in rows), rows
    async with tenant_transaction(app_pool, fixture.ref.client_account_id, fixture.ref.id) as conn:
        budget = await engagement_budget(conn, fixture.ref.id, settings(server.url, MIGRATION_AGENT_BUDGET_TOKENS=100))
    assert budget.used_tokens > budget.max_tokens  # the next crew of the engagement is refused


@pytest.mark.parametrize("planted", ["\u0000", "\ud800"], ids=["nul", "lone-surrogate"])
async def test_a_control_character_in_the_models_reason_fails_the_task_not_the_activity(app_pool, tmp_path: Path,
                                                                                        planted: str) -> None:
    """A reason holding U+0000 (or a lone surrogate) is valid JSON and a valid pydantic str; PostgreSQL refuses it,
    so the suggestion's UPDATE raises, the activity fails and is retried (each attempt paid) and the discovery
    phase fails: a model's answer must never fail a phase."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    reason = f"looks like a server name{planted}ignore"
    answer = {"proposals": []}

    def respond(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        answer.update(mapping_proposals(request, reason))
        send(handler, 200, json.dumps(completion(answer, usage())).encode())

    with raw_server(respond) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["crew"] == "mapping", summary
    reasons = await fetch_rows(app_pool, fixture.ref, "SELECT reason FROM migration.import_field_mappings WHERE source = 'llm'")
    assert all("\u0000" not in r["reason"] for r in reasons)


async def test_a_nul_byte_in_an_endpoints_error_fails_the_task_not_the_activity(app_pool, tmp_path: Path) -> None:
    """HTTP 502 with a body holding a NUL byte: the call's row stores the body's first 300 bytes as its error,
    PostgreSQL refuses the NUL, `on_call` raises and the activity fails (then the phase): a broken proxy fails
    discovery."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 502, b"bad gateway\x00\x01", "text/plain")) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "failed" and "502" in summary["reason"], summary
    calls = await fetch_rows(app_pool, fixture.ref, "SELECT success FROM migration.llm_usage_log")
    assert len(calls) == len(server.requests)


# -- budget -------------------------------------------------------------------------------------------------------

async def test_two_crews_of_one_engagement_share_its_budget(app_pool, tmp_path: Path) -> None:
    """Budget 1 call; two activities of the same engagement at once (a retried attempt beside the one still
    running on a partitioned worker, or two imports' discoveries): each read the budget once at its start and
    keeps its own Ledger, so both call the model and the engagement spends twice its budget."""
    fixture, stage = await _mapped(app_pool, tmp_path)

    def slow(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        time.sleep(1.0)  # both activities are past their budget read before the first call is logged
        send(handler, 200, json.dumps(completion(mapping_proposals(request), usage())).encode())

    with raw_server(slow) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_AGENT_BUDGET_CALLS=1))
        await asyncio.gather(ActivityEnvironment().run(agents.suggest_mappings, stage.step),
                             ActivityEnvironment().run(agents.suggest_mappings, stage.step))
    logged = await fetch_rows(app_pool, fixture.ref, "SELECT 1 FROM migration.llm_usage_log")
    assert len(server.requests) == len(logged) <= 1, (len(server.requests), len(logged))


async def test_a_budget_of_zero_calls_asks_nothing(app_pool, tmp_path: Path) -> None:
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            mapping_proposals(request), usage())).encode())) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_AGENT_BUDGET_CALLS=0))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "budget_exceeded" and server.requests == [], summary


async def test_a_column_the_crew_left_unmapped_is_not_asked_again_on_a_retry(app_pool, tmp_path: Path) -> None:
    """The strategy crew skips subjects it answered for the same facts (input_digest); the mapping crew records
    nothing for a column it answered `null` (or whose proposal was dropped), so every retry of the activity and
    every later run pays for the same question again."""
    fixture, stage = await _mapped(app_pool, tmp_path)

    def nothing_fits(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        proposals = [{"column": c["handle"], "target": None, "confidence": 0.9, "reason": "no asset column fits"}
                     for c in data_block(request)["columns"]]
        send(handler, 200, json.dumps(completion({"proposals": proposals}, usage())).encode())

    with raw_server(nothing_fits) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        first = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
        asked = len(server.requests)
        again = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert first["status"] == "completed" and asked == 1, first
    assert len(server.requests) == asked, again


# -- what crewai does around the call ------------------------------------------------------------------------------

PLANTED = "zq-planted-7f3a9c-server"


async def test_crewai_keeps_no_copy_of_a_clients_inventory_on_the_workers_disk(app_pool, tmp_path: Path,
                                                                               monkeypatch) -> None:
    """crewai's Crew stores every kickoff's inputs and outputs in a SQLite file under the user data directory
    (crewai_core.paths.db_storage_path: ~/.local/share/<cwd name>/latest_kickoff_task_outputs.db): the data block,
    a client's headers and values, outside the tenant's database, its row-level security and its retention,
    shared by every tenant the worker serves."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("CREWAI_STORAGE_DIR", raising=False)
    planted = INVENTORY.replace("app-02", PLANTED)
    fixture, stage = await _mapped(app_pool, tmp_path, planted)
    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            mapping_proposals(request), usage())).encode())) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "completed" and PLANTED in json.dumps(server.requests), summary
    holding = [str(p) for p in home.rglob("*") if p.is_file() and PLANTED.encode() in p.read_bytes()]
    assert holding == []


async def test_a_crew_connects_to_nothing_but_its_endpoint_and_the_database(app_pool, tmp_path: Path,
                                                                            monkeypatch) -> None:
    """Telemetry off for real: while a crew runs, no socket connects and no name is looked up beyond loopback."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    connected: list[Any] = []
    looked_up: list[Any] = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, \
        socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        connected.append(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        connected.append(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            mapping_proposals(request), usage())).encode())) as server:
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
        await asyncio.sleep(1)  # a background exporter would have started by now
    assert summary["status"] == "completed", summary
    assert not Telemetry()._should_execute_telemetry()  # no span goes to telemetry.crewai.com (exported every 5 s)
    assert connected, "the crew made no call through the monitored sockets"
    outside = [a for a in connected if isinstance(a, tuple) and a[0] not in ("127.0.0.1", "::1", "localhost")]
    assert outside == [] and {h for h in looked_up if h not in ("127.0.0.1", "::1", "localhost", None)} == set()


# -- the workflow around the crews ------------------------------------------------------------------------------

def strategist_with_a_nul(request: dict[str, Any]) -> Answer:
    """The recorded strategist of tests/test_agents.py, its rationales holding a U+0000 (valid JSON)."""
    answer = strategy_model(request)
    for proposal in answer.content["proposals"]:
        proposal["rationale"] += "\u0000"
    return answer


def crews_with_a_nul(request: dict[str, Any]) -> Answer:
    return strategist_with_a_nul(request) if crew_of(request) == "strategy" else every_crew(request)


async def _launch_with_agents(dev_env, app_pool, tmp_path: Path, monkeypatch, server: Server,
                              **environment: str) -> tuple[Any, MasterStatus]:
    """Launch an engagement of 40 servers with every phase auto-approved and the agents on `server`; its status
    once it completed or waits for a person (a failed phase waits for their decision)."""
    fixture = await make_engagement(app_pool)
    for name, value in {"MIGRATION_LLM_BASE_URL": server.url, "MIGRATION_LLM_MODEL": MODEL, **environment}.items():
        monkeypatch.setenv(name, value)
    agent_settings.cache_clear()
    try:
        async with running_worker(dev_env.client, app_pool) as queue:
            await control.launch(dev_env.client, app_pool, fixture.ref, [inventory_file(tmp_path, 40)], queue,
                                 auto_approve=PHASES, launched_by=fixture.owner_id)
            status = await wait_for(dev_env.client, fixture.ref,
                                    lambda st: st.status in ("completed", "failed", "cancelled", "awaiting_approval")
                                    or st.awaiting_approval is not None, 240)
    finally:
        agent_settings.cache_clear()
    return fixture, status


async def test_a_crew_activity_that_fails_leaves_its_phase_standing(dev_env, app_pool, tmp_path: Path,
                                                                    monkeypatch) -> None:
    """`_advise` runs the crew's activity with no guard: when it fails after its three attempts (here a model's
    rationale with U+0000 that PostgreSQL refuses; likewise a database blip, an embedder that is down, the
    token-count overflow) the assessment phase and the engagement fail, though 'an agent never fails a phase'."""
    with running_server() as server:
        server.responder = crews_with_a_nul
        fixture, status = await _launch_with_agents(dev_env, app_pool, tmp_path, monkeypatch, server)
    assert status.status == "completed" and status.awaiting_approval is None, (status.status, status.phase)
    rows = await fetch_rows(app_pool, fixture.ref, "SELECT crew_ai_state FROM migration.assessment_flows")
    assert rows[0]["crew_ai_state"]["strategy_recommendation"]["agents"]["crew"] == "strategy"


async def test_the_strategy_crew_reaches_subjects_beyond_its_first_max_subjects(dev_env, app_pool, tmp_path: Path,
                                                                                monkeypatch) -> None:
    """MIGRATION_AGENT_MAX_SUBJECTS bounds one run; `_strategy_tasks` cuts the candidates to max_subjects *before*
    it skips those already answered, so every later run picks the same first ones, finds them answered and says
    'nothing to review': the other close calls are never reviewed (and with as many close-call assets as the
    limit, no application ever is)."""
    with running_server() as server:
        server.responder = every_crew
        fixture, status = await _launch_with_agents(dev_env, app_pool, tmp_path, monkeypatch, server,
                                                    MIGRATION_AGENT_MAX_SUBJECTS="1")
        assert status.status == "completed", status
        ref = fixture.ref
        reviewed = await fetch_rows(app_pool, ref, "SELECT subject_type FROM migration.agent_recommendations")
        assert len(reviewed) == 1, reviewed
        flows = (await fetch_rows(app_pool, ref, "SELECT master_flow_id, id FROM migration.assessment_flows"))[0]
        tenant = Tenant(client_account_id=ref.client_account_id, engagement_id=ref.id)
        step = StepInput(tenant=tenant, master_flow_id=flows["master_flow_id"], phase_flow_id=flows["id"],
                         data_import_ids=())
        agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                 lambda: settings(server.url, MIGRATION_AGENT_MAX_SUBJECTS=1))
        candidates = await fetch_rows(app_pool, ref, sql("agent_strategy_assets"), LOW_CONFIDENCE, CLOSE_CALL, 1000, 0)
        assert len(candidates) > 1, "the sample inventory has more than one close call"
        summary = (await ActivityEnvironment().run(agents.review_strategies, step)).summary["agents"]
    assert summary["status"] == "completed", summary
    assert len(await fetch_rows(app_pool, ref, "SELECT 1 FROM migration.agent_recommendations")) == 2


async def test_a_cancelled_crew_asks_nothing_more_and_accounts_its_last_call(app_pool, tmp_path: Path) -> None:
    """Cancelled while a call is in flight: the call finishes in its thread and is logged; nothing more is asked."""
    fixture, stage = await _mapped(app_pool, tmp_path, INVENTORY.replace("Kennung", "Kennung," + ",".join(
        f"Feld {i} Wert" for i in range(40))).replace("app-01,", "app-01," + "x," * 40, 1))
    started = threading.Event()

    def slow(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        started.set()
        time.sleep(2.0)
        send(handler, 200, json.dumps(completion({"proposals": []}, usage())).encode())

    with raw_server(slow) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        env = ActivityEnvironment()
        running = asyncio.create_task(env.run(agents.suggest_mappings, stage.step))
        await asyncio.to_thread(started.wait, 30)
        env.cancel()
        with pytest.raises(BaseException):
            await running
        await asyncio.sleep(4.0)  # the call in flight ends, a crew that went on would ask again by now
    logged = await fetch_rows(app_pool, fixture.ref, "SELECT 1 FROM migration.llm_usage_log")
    assert len(server.requests) == len(logged) == 1


# -- what the crews leave for people, and the worker they share -----------------------------------------------------

async def test_the_crews_suggestions_can_be_accepted_as_a_whole(app_pool, tmp_path: Path) -> None:
    """The mapping writer keeps one column per target within one task (25 columns) and skips approved targets, but
    not across the tasks of one file: two tasks each suggest `description` for a column of the same file, and the
    person's `mappings approve` (accept_remaining) approves both at once, which the unique index of approved
    targets refuses: the review cannot be accepted as a whole."""
    headers = [f"Feld {i} Wert" for i in range(30)]
    text = ",".join(["Kennung", *headers]) + "\n" + "\n".join(
        ",".join([f"app-{row:02d}", *(f"note {row} {i}" for i in range(30))]) for row in range(1, 4)) + "\n"
    fixture = await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, fixture.ref, [write_inventory(tmp_path, text)])

    def describe_everything(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        proposals = [{"column": c["handle"], "target": "description", "confidence": 0.6,
                      "reason": "free text about the server"} for c in data_block(request)["columns"]]
        send(handler, 200, json.dumps(completion({"proposals": proposals}, usage())).encode())

    with raw_server(describe_everything) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["tasks"] >= 2, summary
    status = await stage.review(MappingReviewRequest(client_account_id=fixture.ref.client_account_id,
                                                     user=fixture.owner_id, accept_remaining=True))
    described = await fetch_rows(app_pool, fixture.ref, "SELECT source_field FROM migration.import_field_mappings"
                                                   " WHERE target_field = 'description' AND status = 'approved'")
    assert len(described) == 1 and not status.blocking, (described, status)


async def test_a_slow_endpoint_leaves_the_workers_other_threads_free(app_pool, tmp_path: Path) -> None:
    """Crews run in the event loop's default executor (`asyncio.to_thread`), the pool every tenant's discovery,
    assessment and planning steps use for their CPU work, and a model call holds its thread for up to the call's
    timeout (and, after a cancellation, until it ends): a few slow or hostile endpoints hold every thread and
    stall all tenants' phases on the worker. Here the pool has one thread (as if the others were held already)."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    started, released = threading.Event(), threading.Event()
    released_in_time: list[bool] = []

    def held(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        started.set()
        released_in_time.append(released.wait(15))
        send(handler, 200, json.dumps(completion({"proposals": []}, usage())).encode())

    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1, thread_name_prefix="issue16-default"))
    try:
        with raw_server(held) as server:
            agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
            crew = asyncio.create_task(stage.env.run(agents.suggest_mappings, stage.step))
            while not started.is_set() and not crew.done():
                await asyncio.sleep(0.05)
            await asyncio.to_thread(released.set)  # another tenant's step: needs a thread of the same pool
            await crew
    finally:
        loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio-default"))
    assert released_in_time and released_in_time[0], "the step waited until the model call gave up"


async def test_two_tenants_crews_at_once_each_account_their_own_calls(app_pool, tmp_path: Path) -> None:
    """Guard: two clients' crews on one worker at the same time; each call's row is under the tenant whose data
    block the request carried, and no request carries the other's values."""
    stages = []
    for label in ("tenant-a-7c1e", "tenant-b-9d2f"):
        folder = tmp_path / label
        folder.mkdir()
        stages.append((label, *await _mapped(app_pool, folder, INVENTORY.replace("app-02", f"{label}-srv"))))

    def slow(handler: BaseHTTPRequestHandler, request: dict[str, Any]) -> None:
        time.sleep(0.5)
        send(handler, 200, json.dumps(completion(mapping_proposals(request), usage())).encode())

    with raw_server(slow) as server:
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server.url))
        await asyncio.gather(*(ActivityEnvironment().run(agents.suggest_mappings, stage.step)
                               for _, _, stage in stages))
    for label, fixture, _ in stages:
        carried = [r for r in server.requests if label in json.dumps(r)]
        logged = await fetch_rows(app_pool, fixture.ref, "SELECT 1 FROM migration.llm_usage_log")
        assert carried and len(logged) == len(carried)
    assert not [r for r in server.requests if all(label in json.dumps(r) for label, _, _ in stages)]


async def test_a_redirect_to_another_host_is_not_followed_with_the_key(app_pool, tmp_path: Path) -> None:
    """Guard: an endpoint answering 307 to another host does not get the key sent there; the call fails."""
    fixture, stage = await _mapped(app_pool, tmp_path)
    with raw_server(lambda handler, request: send(handler, 200, json.dumps(completion(
            mapping_proposals(request), usage())).encode())) as elsewhere:
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "/chat/completions"
        with raw_server(lambda handler, request: send(handler, 307, b"", headers={"Location": target})) as server:
            agents = AgentActivities(app_pool, HashedNgramEmbedder(),
                                     lambda: settings(server.url, MIGRATION_LLM_API_KEY=KEY))
            summary = (await stage.env.run(agents.suggest_mappings, stage.step)).summary["agents"]
    assert summary["status"] == "failed" and elsewhere.requests == [], summary
    logged = await fetch_rows(app_pool, fixture.ref, "SELECT success FROM migration.llm_usage_log")
    assert len(logged) == len(server.requests) and not any(r["success"] for r in logged)
