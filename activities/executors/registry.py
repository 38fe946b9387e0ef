"""The executor registry: runs one call by the executor's name, exactly the names of `EXECUTORS`.

The remote side's failures are outcomes (completed, failed, retry_later), never exceptions; what the operator or
the step must fix first (an unknown executor, parameters the executor does not take, a program or endpoint that is
not configured) raises `BadExecutorConfig` with one line. Every outcome's output is within OUTPUT_LIMIT and its
error is one line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from activities.executors.command import run_command
from activities.executors.config import BadExecutorConfig, ExecutorConfig
from activities.executors.http import run_http
from activities.executors.probes import dns_probe, http_probe, tcp_probe
from activities.executors.text import bounded, one_line
from domain.execution.executor_specs import EXECUTORS, ExecutorCall, ExecutorOutcome

Runner = Callable[[ExecutorCall, ExecutorConfig], Awaitable[ExecutorOutcome]]


async def dry_run(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    """The demo's executor: completes at once, acting on nothing."""
    note = call.params.get("note")
    return ExecutorOutcome(status="completed", effect={"dry_run": True}, output=(
        f"dry run: acted on nothing for {call.idempotency_key}" + (f" ({note})" if note else "")))


RUNNERS: dict[str, Runner] = {
    "dry_run": dry_run,
    "command": run_command,
    "http": run_http,
    "tcp_probe": tcp_probe,
    "http_probe": http_probe,
    "dns_probe": dns_probe,
}
if set(RUNNERS) != set(EXECUTORS):  # the registry implements exactly the executors templates may name
    raise RuntimeError(f"executor registry {sorted(RUNNERS)} differs from the specs {sorted(EXECUTORS)}")


async def run_executor(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    """Run `call` with its executor; see the module's docstring for what is an outcome and what raises."""
    spec = EXECUTORS.get(call.executor)
    if spec is None:
        raise BadExecutorConfig(f"unknown executor {call.executor[:60]!r}")
    if unknown := sorted(set(call.params) - spec.accepted):
        raise BadExecutorConfig(f"executor {call.executor} does not take {', '.join(unknown)}")
    if missing := sorted(spec.required - set(call.params)):
        raise BadExecutorConfig(f"executor {call.executor} needs {', '.join(missing)}")
    outcome = await RUNNERS[call.executor](call, config)
    return outcome.model_copy(update={
        "output": bounded(outcome.output), "error": one_line(outcome.error) if outcome.error else None})
