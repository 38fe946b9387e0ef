"""What agents spend: an engagement's budget, checked before every model call, and the cost of each call."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

from agents.config import Prices
from domain.wording import one_line

# An error text stored for a call or a task is cut to this many characters (the tables' CHECK is 2,000).
ERROR_CHARS = 1000
# More tokens than any one call of a crew can take or give (its prompt is a few thousand, its answer at most
# MIGRATION_LLM_MAX_OUTPUT_TOKENS): a count above it is not believed.
MAX_CALL_TOKENS = 10_000_000
_BEARER = re.compile(r"Bearer\s+[^\s'\",}]+", re.I)


class BudgetExceeded(RuntimeError):
    """The engagement's agent budget would be exceeded by another call; the crew stops, the rules stand."""


@dataclass(frozen=True)
class Budget:
    """An engagement's limits and what its agents have used so far (from llm_usage_log)."""

    max_tokens: int
    max_calls: int
    used_tokens: int = 0
    used_calls: int = 0

    def left(self) -> str:
        return (f"{max(0, self.max_tokens - self.used_tokens):,} of {self.max_tokens:,} tokens and "
                f"{max(0, self.max_calls - self.used_calls):,} of {self.max_calls:,} calls left")


@dataclass(frozen=True)
class CallUsage:
    """One model call as the endpoint reported it."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    latency_ms: int
    success: bool
    error: str | None = None
    estimated: bool = False  # the endpoint reported no believable counts: estimated from the bytes sent and read

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def cost_usd(usage: CallUsage, prices: Prices) -> float:
    """The call's estimated cost: uncached and cached prompt tokens and completion tokens at their prices."""
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    return round(((usage.prompt_tokens - cached) * prices.input + cached * prices.cached
                  + usage.completion_tokens * prices.output) / 1_000_000, 6)


def short_error(error: BaseException | str, secrets: tuple[str, ...] = ()) -> str:
    """An error as one storable line, with any of `secrets` (the endpoint's key) masked."""
    text = one_line(error, ERROR_CHARS * 2) or type(error).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return one_line(_BEARER.sub("Bearer ***", text), ERROR_CHARS)


class Ledger:
    """The budget as calls happen (thread-safe: crews run in a worker thread). `admit` is asked before each
    call and refuses once the calls or tokens used reach a limit (`refusal` then says why), or once the
    activity stopped the crew; `record` adds a finished call."""

    def __init__(self, budget: Budget) -> None:
        self._budget = budget
        self._lock = threading.Lock()
        self._stopped = False
        self.calls = 0
        self.tokens = 0
        self.refusal: str | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def admit(self) -> None:
        with self._lock:
            if self._stopped:
                raise BudgetExceeded("the crew was stopped")
            b = self._budget
            if b.used_calls + self.calls >= b.max_calls or b.used_tokens + self.tokens >= b.max_tokens:
                self.refusal = (f"the engagement's agent budget is spent ({self._left()}); "
                                "`agents budget` raises it")
                raise BudgetExceeded(self.refusal)

    def record(self, usage: CallUsage) -> None:
        with self._lock:
            self.calls += 1
            self.tokens += usage.tokens

    def stop(self) -> None:
        """No further call is admitted (the activity was cancelled)."""
        with self._lock:
            self._stopped = True

    def _left(self) -> str:
        b = self._budget
        return Budget(b.max_tokens, b.max_calls, b.used_tokens + self.tokens, b.used_calls + self.calls).left()


def usage_of_response(status: int, body: bytes, latency_ms: int, request_bytes: int) -> CallUsage:
    """What one HTTP answer of an OpenAI-compatible endpoint says it cost. An answer whose token counts are missing
    or not believable is counted at four bytes a token of the request and the answer (`estimated`), so a server
    that reports nothing still spends the budget; an error status or a body that is not a completion is a failed
    call (the tokens it reports, if any, still count)."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    usage = data.get("usage") if isinstance(data, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    prompt = _count(usage.get("prompt_tokens"))
    completion = _count(usage.get("completion_tokens"))
    details = usage.get("prompt_tokens_details")
    cached = (_count(details.get("cached_tokens")) if isinstance(details, dict) else None) or 0
    if status != 200:
        excerpt = body[:300].decode("utf-8", "replace")
        return CallUsage(prompt or 0, completion or 0, min(cached, prompt or 0), latency_ms, False,
                         short_error(f"HTTP {status}: {excerpt}"))
    estimated = prompt is None or completion is None
    if estimated:
        prompt, completion, cached = -(-request_bytes // 4), -(-len(body) // 4), 0
    if not isinstance(data, dict) or not data.get("choices"):
        return CallUsage(prompt, completion, min(cached, prompt), latency_ms, False,
                         "the answer is not a chat completion", estimated)
    return CallUsage(prompt, completion, min(cached, prompt), latency_ms, True, None, estimated)


def _count(value: object) -> int | None:
    """A token count as reported; None when it is no plausible count (not an integer, negative, or more than
    any call of a crew could use)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CALL_TOKENS else None
