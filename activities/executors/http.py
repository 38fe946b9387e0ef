"""The `http` executor: a configured endpoint, by name, with a JSON body and the call's Idempotency-Key.

Connection errors, timeouts, 408, 425, 429 and 5xx are retried with exponential back-off, honouring Retry-After
(seconds or an HTTP date), all within the call's timeout; other 4xx (and redirects, which are never followed)
fail at once. When the endpoint names a `status_url_field`, a long operation's status URL from the answer is polled
until it reports `{"status": "succeeded"}` or `"failed"`. Bodies are read up to BODY_LIMIT; secrets of the
configured headers are read at the call and blotted out of everything it returns.

`fetch` (one bounded request, no retries) is shared with the `http_probe`. It uses the standard library's
blocking client in a thread pool of its own, so the event loop never waits on a socket and DNS lookups of the
default pool are never starved.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.client
import json
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from activities.executors.config import BadExecutorConfig, Endpoint, ExecutorConfig
from activities.executors.text import bounded, one_line
from domain.execution.executor_specs import ExecutorCall, ExecutorOutcome

BODY_LIMIT = 1 << 20  # bytes of a response body read
READ_CHUNK = 64 << 10
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
RETRIED_STATUSES = frozenset({408, 425, 429})  # and every 5xx
TERMINAL_STATES = frozenset({"succeeded", "failed"})
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="executor-http")
_PATH_SAFE = "/?&=%:@!$'()*+,;-._~"


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    retry_after: str | None
    body: bytes  # at most BODY_LIMIT bytes
    truncated: bool  # the body was longer and was not read further

    def text(self) -> str:
        text = self.body.decode("utf-8", errors="replace")
        return text + f"\n[body truncated after {BODY_LIMIT} bytes]" if self.truncated else text

    def json(self) -> Any:
        try:
            return None if self.truncated else json.loads(self.body)
        except ValueError:
            return None


async def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None,
                timeout: float) -> Response:
    """One request, answered within `timeout` seconds (TimeoutError otherwise); raises OSError or
    http.client.HTTPException when no answer comes. Redirects are answers, not followed."""
    deadline = time.monotonic() + timeout
    work = asyncio.get_running_loop().run_in_executor(_POOL, _fetch, url, method, headers or {}, body, deadline)
    return await asyncio.wait_for(work, timeout + 1.0)  # the thread keeps the deadline itself; this is a net


def _fetch(url: str, method: str, headers: dict[str, str], body: bytes | None, deadline: float) -> Response:
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no time left for the request")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=remaining,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=remaining)
    try:
        connection.request(method, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers)
        sock = connection.sock
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size <= BODY_LIMIT:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the response body did not arrive in time")
            try:
                if sock is not None:
                    sock.settimeout(remaining)  # each read within what is left
            except OSError:
                pass  # closed by a `Connection: close` answer: the body's reads keep the first timeout
            chunk = response.read(min(READ_CHUNK, BODY_LIMIT + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return Response(response.status, response.reason, response.getheader("Retry-After"), data[:BODY_LIMIT],
                        size > BODY_LIMIT)
    finally:
        connection.close()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date (None when absent or unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _retryable(status: int) -> bool:
    return status in RETRIED_STATUSES or status >= 500


def _describe(error: BaseException) -> str:
    return one_line(str(error) or type(error).__name__)


class _Request:
    """A call's requests to one endpoint: retries and back-off within the call's deadline, secrets blotted out."""

    def __init__(self, endpoint: Endpoint, headers: dict[str, str], secrets: list[str], deadline: float) -> None:
        self.endpoint = endpoint
        self.headers = headers
        self.secrets = secrets
        self.deadline = deadline
        self.attempts = 0

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text

    async def send(self, url: str, method: str, body: bytes | None) -> Response | ExecutorOutcome:
        """The first final answer (2xx, or a status that retrying cannot change), or an outcome when the
        deadline leaves no time for another attempt."""
        backoff = self.endpoint.retry_initial_seconds
        headers = self.headers | ({"Content-Type": "application/json"} if body is not None else {})
        while True:
            self.attempts += 1
            asked: float | None = None
            try:
                remaining = self.deadline - time.monotonic()
                response = await fetch(url, method=method, headers=headers, body=body,
                                       timeout=min(self.endpoint.timeout_seconds, max(remaining, 0.0)))
            except ssl.SSLCertVerificationError as error:
                return ExecutorOutcome(status="failed", error=self.clean(_describe(error)))
            except (OSError, http.client.HTTPException) as error:
                problem = _describe(error) if not isinstance(error, TimeoutError) else "no answer in time"
            else:
                if not _retryable(response.status):
                    return response
                problem = f"HTTP {response.status} {response.reason}"
                asked = retry_after_seconds(response.retry_after)
            pause = asked if asked is not None else backoff
            backoff = min(backoff * 2, self.endpoint.retry_max_seconds)
            if time.monotonic() + pause >= self.deadline:
                if asked is not None:
                    return ExecutorOutcome(status="retry_later", retry_after_seconds=asked, error=one_line(self.clean(
                        f"{problem}; the server asks to retry in {asked:g} s, after this call's timeout")),
                        effect={"attempts": self.attempts})
                return ExecutorOutcome(status="failed", effect={"attempts": self.attempts}, error=one_line(
                    self.clean(f"gave up after {self.attempts} attempt{'s' if self.attempts != 1 else ''} within the call's timeout: "
                               f"{problem}")))
            await asyncio.sleep(pause)


def _url(base: str, path: Any) -> str:
    """The endpoint's URL with the step's `path` appended (quoted), refusing anything that leaves the endpoint."""
    if path is None or path == "":
        return base
    if not isinstance(path, str) or "\x00" in path or "://" in path or path.startswith("//"):
        raise BadExecutorConfig(f"http path {str(path)[:80]!r} is not a path below the endpoint")
    quoted = quote(path, safe=_PATH_SAFE)
    url = base + quoted if quoted.startswith("?") else base.rstrip("/") + "/" + quoted.lstrip("/")
    if not _same_origin(url, base) or any(segment in (".", "..") for segment in unquote(urlsplit(url).path).split("/")):
        raise BadExecutorConfig(f"http path {path[:80]!r} is not a path below the endpoint")
    return url


def _same_origin(url: str, base: str) -> bool:
    parts, origin = urlsplit(url), urlsplit(base)
    return (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)


def _state(document: Any) -> str | None:
    state = document.get("status") if isinstance(document, dict) else None
    return state if state in TERMINAL_STATES else None


async def run_http(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    name = call.params.get("endpoint")
    if not isinstance(name, str):
        raise BadExecutorConfig("http endpoint must be the name of a configured endpoint")
    endpoint = config.endpoint(name)
    method = str(call.params.get("method", "POST")).upper()
    if method not in METHODS:
        raise BadExecutorConfig(f"http method {method[:20]!r} is not one of {', '.join(sorted(METHODS))}")
    url = _url(endpoint.url, call.params.get("path"))
    body = None
    if "body" in call.params:
        try:
            body = json.dumps(call.params["body"], ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError):
            raise BadExecutorConfig("http body is not JSON (texts, numbers, lists and mappings only)") from None
    headers, secrets = endpoint.resolved_headers()
    headers |= {"Idempotency-Key": call.idempotency_key, "Accept": "application/json"}
    request = _Request(endpoint, headers, secrets, time.monotonic() + call.timeout_seconds)

    def outcome(status: str, response: Response, polls: int, error: str | None = None) -> ExecutorOutcome:
        effect = {"endpoint": name, "http_status": response.status, "attempts": request.attempts, "polls": polls}
        return ExecutorOutcome(status=status, output=bounded(request.clean(response.text())), effect=effect,
                               error=one_line(request.clean(error)) if error else None)

    answer = await request.send(url, method, body)
    polls = 0
    while True:
        if isinstance(answer, ExecutorOutcome):
            return answer.model_copy(update={"effect": answer.effect | {"endpoint": name, "polls": polls}})
        if answer.status >= 300:
            return outcome("failed", answer, polls, f"{name} answered HTTP {answer.status} {answer.reason}")
        document = answer.json()
        if polls == 0:
            status_url = _status_url(document, endpoint)
            if status_url is None:
                return outcome("completed", answer, polls)  # a plain call: no long operation to follow
            status_url = urljoin(url, status_url)
            if not _same_origin(status_url, endpoint.url):
                return outcome("failed", answer, polls, f"{name} gave a status URL outside the endpoint")
        state = _state(document)
        if state == "succeeded":
            return outcome("completed", answer, polls)
        if state == "failed":
            detail = document.get("error") or document.get("message") or "no reason given"
            return outcome("failed", answer, polls, f"{name} reports the operation failed: {detail}")
        asked = retry_after_seconds(answer.retry_after)
        pause = asked if asked is not None else endpoint.poll_interval_seconds
        if time.monotonic() + pause >= request.deadline:
            return outcome("failed", answer, polls,
                           f"the operation of {name} was still running when the call's timeout ran out")
        await asyncio.sleep(pause)
        polls += 1
        answer = await request.send(status_url, "GET", None)


def _status_url(document: Any, endpoint: Endpoint) -> str | None:
    field = endpoint.status_url_field
    value = document.get(field) if field and isinstance(document, dict) else None
    return value if isinstance(value, str) and value else None
