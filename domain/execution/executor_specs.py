"""The executors a runbook step may name, the parameters each accepts, and what a call and its outcome carry.

Pure data: templates are checked against it (`domain.execution.templates`), and the registry in
`activities.executors` implements exactly these names. An executor acts on another system; every call carries an
idempotency key that stays the same across retries of the same step run (DESIGN contract 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from domain.flow_contracts import Model

OUTPUT_LIMIT = 4096  # characters of an executor's output kept with its step run (head and tail)
TEMPFAIL_EXIT_CODE = 75  # a command's "try again later" (EX_TEMPFAIL of sysexits.h)


@dataclass(frozen=True)
class ExecutorSpec:
    """What a template may give an executor: the parameters it needs and those it may take."""

    required: frozenset[str]
    optional: frozenset[str]
    probe: bool  # a check of validation and smoke-test steps (also usable by `wait` conditions)
    automated: bool  # may run an `automated` step

    @property
    def accepted(self) -> frozenset[str]:
        return self.required | self.optional


def _spec(required: tuple[str, ...], optional: tuple[str, ...] = (), *, probe: bool, automated: bool
          ) -> ExecutorSpec:
    return ExecutorSpec(frozenset(required), frozenset(optional), probe, automated)


EXECUTORS: dict[str, ExecutorSpec] = {
    # the demo's executor: completes at once, acting on nothing
    "dry_run": _spec((), ("note",), probe=True, automated=True),
    # a program from the operator's configured directory, by file name, arguments as a list (no shell)
    "command": _spec(("program",), ("args",), probe=True, automated=True),
    # a configured HTTP endpoint, by name; secrets come from the environment or a file, never the template
    "http": _spec(("endpoint",), ("method", "path", "body"), probe=True, automated=True),
    "tcp_probe": _spec(("host", "port"), probe=True, automated=False),
    "http_probe": _spec(("url",), ("expect_status", "expect_body"), probe=True, automated=False),
    "dns_probe": _spec(("name",), ("expect_addresses",), probe=True, automated=False),
}


class ExecutorCall(Model):
    """One call of an executor for one step run (placeholders already filled)."""

    executor: str
    params: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str
    timeout_seconds: float = 3600.0


class ExecutorOutcome(Model):
    """What a call did: completed, failed, or asks to be tried again later (with an optional delay)."""

    status: Literal["completed", "failed", "retry_later"]
    output: str = ""  # bounded excerpt (OUTPUT_LIMIT), never secrets
    error: str | None = None  # one line
    retry_after_seconds: float | None = None
    effect: dict[str, Any] = Field(default_factory=dict)  # small structured result: status code, exit code, ...
