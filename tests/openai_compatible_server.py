"""An OpenAI-compatible chat-completions server on loopback for the agent tests: the real HTTP protocol, with
the answers a test recorded for its requests.

`POST /v1/chat/completions` answers with the next completion a test queued (`answer(...)`), else with what the
test's `responder` returns for the request (it reads the request's data block, as a model would, and answers
from a table of recorded answers), else HTTP 500. Usage fields are reported as OpenAI's API reports them;
token counts are estimated at one token per four characters of the request's messages and of the answer (the
ratio crewai itself assumes without a tokenizer), with `prompt_tokens_details.cached_tokens`. Every request and
the usage reported for it are kept in `calls`, so a test compares the platform's accounting with the server's.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_BLOCK = re.compile(r"<(data-[0-9a-f]+)>\n(.*?)\n</\1>", re.S)


@dataclass
class Answer:
    """One queued answer: message content (a string, or a dict/list sent as JSON), or an HTTP error, or a
    refusal."""

    content: Any = None
    status: int = 200
    refusal: str | None = None


@dataclass
class Call:
    request: dict[str, Any]
    status: int
    usage: dict[str, Any] | None

    @property
    def messages_text(self) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.request.get("messages", []))

    @property
    def agent(self) -> str:
        return system_prompt(self.request)


@dataclass
class Server:
    url: str
    calls: list[Call] = field(default_factory=list)
    queued: deque[Answer] = field(default_factory=deque)
    responder: Callable[[dict[str, Any]], Answer] | None = None
    cached_tokens: int = 0

    def answer(self, *answers: Answer) -> None:
        self.queued.extend(answers)


def tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def system_prompt(request: dict[str, Any]) -> str:
    return next((str(m.get("content")) for m in request.get("messages", []) if m.get("role") == "system"), "")


def data_block(request: dict[str, Any]) -> Any:
    """The JSON data block of the request's task (what the platform gave the model to review)."""
    text = "\n".join(str(m.get("content") or "") for m in request.get("messages", []) if m.get("role") == "user")
    match = _BLOCK.search(text)
    if match is None:
        raise LookupError("the request holds no data block")
    return json.loads(match.group(2))


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request"}})
            if server.queued:
                answer = server.queued.popleft()
            elif server.responder is not None:
                answer = server.responder(request)
            else:
                answer = Answer(content="no answer recorded for this request", status=500)
            if answer.status != 200:
                server.calls.append(Call(request, answer.status, None))
                return self._send(answer.status, {"error": {"message": str(answer.content or "server error"),
                                                            "type": "server_error"}})
            content = answer.content if isinstance(answer.content, str) or answer.content is None \
                else json.dumps(answer.content)
            prompt = tokens(json.dumps(request.get("messages", [])))
            completion = tokens(content or answer.refusal or "")
            usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                     "prompt_tokens_details": {"cached_tokens": min(server.cached_tokens, prompt)},
                     "completion_tokens_details": {"reasoning_tokens": 0}}
            server.calls.append(Call(request, 200, usage))
            self._send(200, {
                "id": f"chatcmpl-test-{len(server.calls)}", "object": "chat.completion", "created": 1765000000,
                "model": request.get("model"), "system_fingerprint": "fp_loopback",
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                             "message": {"role": "assistant", "content": content, "refusal": answer.refusal}}],
                "usage": usage,
            })

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class running_server:
    """Context manager: a Server listening on 127.0.0.1 (`port`, or a free one) until the block ends."""

    def __init__(self, port: int = 0) -> None:
        self._port = port

    def __enter__(self) -> Server:
        self._state = Server(url="")
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), _handler(self._state))
        self._state.url = f"http://127.0.0.1:{self._httpd.server_port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self._state

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
