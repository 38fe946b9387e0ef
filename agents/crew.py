"""Running one crew task through crewai against the configured OpenAI-compatible endpoint, every HTTP call
accounted: the only module that imports crewai (the optional `agents` extra).

Each task is one crewai Agent with one Task whose answer must validate against a pydantic model (crewai asks
the endpoint for that JSON schema). The OpenAI client crewai builds gets `AccountingTransport`: before every
HTTP request the engagement's budget admits it or the crew stops, and after it the endpoint's own usage
fields (or the failure) are handed to `on_call`, which writes the `llm_usage_log` row at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, PrivateAttr, ValidationError

from agents.accounting import BudgetExceeded, CallUsage, Ledger, short_error, usage_of_response
from agents.config import AgentSettings, telemetry_off

telemetry_off()

from crewai import Agent, Crew, Process, Task  # noqa: E402  (telemetry must be off first)
from crewai.llms.providers.openai.completion import OpenAICompletion  # noqa: E402
from openai import APIConnectionError, APIStatusError, APITimeoutError, OpenAI  # noqa: E402

# One line per model call would flood a worker's log: httpx's request lines and crewai's note that it estimates
# token counts (the accounting takes the server's own counts) are kept below the log level.
for _name, _level in (("httpx", logging.WARNING), ("crewai.llms.base_llm", logging.ERROR),
                      ("crewai_core.settings", logging.WARNING)):
    logging.getLogger(_name).setLevel(_level)

M = TypeVar("M", bound=BaseModel)
# One retry of a task whose answer did not validate (a second call, accounted like the first).
TASK_RETRIES = 1
# Headers the transport drops from an answer it has already read and decoded.
_DECODED = ("content-encoding", "content-length", "transfer-encoding")
# The most an answer may hold, decoded (an answer of max_output_tokens is a few dozen KiB).
MAX_ANSWER_BYTES = 4 * 2**20


class AnswerRefused(RuntimeError):
    """The endpoint's answer was too large or too slow to read; the call failed."""


class AccountingTransport(httpx.BaseTransport):
    """Admits each request against the budget, times it, reads the answer's usage, reports the call."""

    def __init__(self, ledger: Ledger, on_call: Callable[[CallUsage], None], timeout_seconds: float,
                 secrets: tuple[str, ...] = ()) -> None:
        self._ledger = ledger
        self._on_call = on_call
        self._timeout = timeout_seconds
        self._secrets = secrets
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._ledger.admit()
        started = time.monotonic()
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                response = self._inner.handle_request(request)
                outcome["body"] = self._read(response, started + self._timeout)
                outcome["response"] = response
            except BaseException as error:  # noqa: BLE001 - handed to the crew's thread below
                outcome["error"] = error

        # The whole call, headers included, within the timeout: httpx bounds each read, not the sum, so an
        # endpoint sending a byte a minute would otherwise hold the crew for hours. A call past its time is
        # abandoned (its thread ends when the connection does) and the transport starts afresh.
        caller = threading.Thread(target=call, name="agent-model-call", daemon=True)
        caller.start()
        caller.join(self._timeout + 1)
        if caller.is_alive():
            self._inner.close()
            self._inner = httpx.HTTPTransport()
            outcome["error"] = AnswerRefused(f"the answer took longer than {self._timeout:g} s")
        if "error" in outcome:
            self._report(CallUsage(0, 0, 0, _ms(started), False, short_error(outcome["error"])))
            raise outcome["error"]
        response, body = outcome["response"], outcome["body"]
        self._report(usage_of_response(response.status_code, body, _ms(started), len(request.content)))
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request,
                              extensions=response.extensions)

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The decoded answer, refused beyond MAX_ANSWER_BYTES or once the call's time is up (an endpoint
        trickling bytes never holds a crew longer than its timeout)."""
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise AnswerRefused(f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB")
                if time.monotonic() > deadline:
                    raise AnswerRefused(f"the answer took longer than {self._timeout:g} s")
                chunks.append(chunk)
        finally:
            response.close()
        return b"".join(chunks)

    def _report(self, usage: CallUsage) -> None:
        if usage.error:
            usage = replace(usage, error=short_error(usage.error, self._secrets))
        self._ledger.record(usage)
        self._on_call(usage)

    def close(self) -> None:
        self._inner.close()


def _ms(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))


class AccountedCompletion(OpenAICompletion):
    """crewai's native OpenAI-compatible completion whose HTTP client goes through an AccountingTransport.
    Crews call models synchronously; an asynchronous call would bypass the accounting, so it is refused."""

    _transport: AccountingTransport | None = PrivateAttr(default=None)

    def use_transport(self, transport: AccountingTransport) -> None:
        self._transport = transport
        self._client = None  # rebuilt lazily with the transport

    def _build_sync_client(self) -> Any:
        params = self._get_client_params()
        if self._transport is not None:
            params["http_client"] = httpx.Client(transport=self._transport, timeout=self.timeout)
        return OpenAI(**params)

    def _build_async_client(self) -> Any:
        return None

    def _get_async_client(self) -> Any:
        raise RuntimeError("agents call their model synchronously only (asynchronous calls are not accounted)")


class _NoOutputStorage:
    """Keeps no task output: crewai's default writes every kickoff's inputs (a client's inventory data) and
    outputs to a SQLite file in the worker's home, outside the database, its row-level security and retention."""

    def update(self, task_index: int, log: dict[str, Any]) -> None:
        pass

    def add(self, *args: Any, **kwargs: Any) -> None:
        pass

    def reset(self) -> None:
        pass

    def load(self) -> None:
        return None


class TransientCrew(Crew):
    """A crew that leaves nothing on the worker's disk."""

    _task_output_handler: Any = PrivateAttr(default_factory=_NoOutputStorage)


class _Redaction(logging.Filter):
    """Masks the endpoint's key (and any bearer token) in log records crewai and the OpenAI client write: a gateway
    that echoes the key in an error must not put it in the worker's log."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = short_error(message, tuple(self.secrets)) if self.secrets or "Bearer" in message else message
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_REDACTION = _Redaction()


def _redact_logs(secret: str | None) -> None:
    """Mask `secret` in every record that reaches the root logger's handlers (crewai logs failures there)."""
    if secret:
        _REDACTION.secrets.add(secret)
    for handler in logging.getLogger().handlers:
        if _REDACTION not in handler.filters:
            handler.addFilter(_REDACTION)


@dataclass(frozen=True)
class AgentRole:
    """Who the agent is told it is (crewai's role, goal and backstory)."""

    role: str
    goal: str
    backstory: str


def model_for(settings: AgentSettings, transport: AccountingTransport) -> AccountedCompletion:
    """The endpoint's model behind the accounting transport: temperature 0, bounded answers, the SDK's own
    retries off (a task is retried as a whole, each attempt accounted)."""
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    llm = AccountedCompletion(model=settings.model, provider="openai", base_url=settings.base_url, api_key=key,
                              timeout=settings.timeout_seconds, max_retries=0, temperature=0.0,
                              max_tokens=settings.max_output_tokens)
    llm.use_transport(transport)
    return llm


def run_task(settings: AgentSettings, transport: AccountingTransport, role: AgentRole, instructions: str,
             data: str, expected_output: str, answer_model: type[M]) -> M:
    """One crew of one agent and one task; the answer validated against `answer_model`. `instructions` holds
    a `{data}` placeholder that crewai fills with `data` as is (never interpreted as a template)."""
    agent = Agent(role=role.role, goal=role.goal, backstory=role.backstory, llm=model_for(settings, transport),
                  allow_delegation=False, verbose=False, max_iter=1, max_retry_limit=TASK_RETRIES, memory=False)
    task = Task(description=instructions, expected_output=expected_output, agent=agent, output_pydantic=answer_model)
    _redact_logs(settings.api_key.get_secret_value() if settings.api_key else None)
    crew = TransientCrew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False, memory=False)
    result = crew.kickoff(inputs={"data": data})
    answer = result.pydantic
    if not isinstance(answer, answer_model):
        raise ValueError(f"the model's answer is not a {answer_model.__name__}")
    return answer


def describe_failure(error: BaseException, settings: AgentSettings) -> str:
    """One line saying why a crew task failed: the endpoint, its answer, or the answer's shape (never the key)."""
    secrets = (settings.api_key.get_secret_value(),) if settings.api_key else ()
    return short_error(_failure(error, settings), secrets)


def _failure(error: BaseException, settings: AgentSettings) -> str:
    cause = error.__cause__ or error.__context__
    if isinstance(error, BudgetExceeded) or isinstance(cause, BudgetExceeded):
        return short_error(error if isinstance(error, BudgetExceeded) else cause)
    if isinstance(error, ValidationError):
        faults = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in error.errors()[:3])
        return short_error(f"the model's answer does not match the {error.title} schema ({faults})")
    if isinstance(error, APITimeoutError):
        return f"the model endpoint did not answer within {settings.timeout_seconds:g} s"
    if isinstance(error, APIStatusError):
        return short_error(f"the model endpoint answered HTTP {error.status_code}: {error.message}")
    if isinstance(error, (APIConnectionError, ConnectionError)):  # crewai re-raises the SDK's as ConnectionError
        root = error
        while root.__cause__ is not None:
            root = root.__cause__
        if isinstance(root, AnswerRefused):
            return short_error(f"the model endpoint's answer was refused: {root}")
        return short_error(f"the model endpoint {settings.base_url} cannot be reached ({root})")
    if "None or empty" in str(error):
        return "the model gave no answer (it refused or answered empty)"
    return short_error(f"{type(error).__name__}: {error}")
