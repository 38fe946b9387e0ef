"""The `command` executor: a program of the operator's commands directory, by file name, arguments as a list.

No shell, no path or command text from a template: the name must be a plain file name whose resolved path stays in
the directory and is executable. The program runs in its own process group (a timeout or a cancelled step kills
the whole group, grandchildren included) with a small environment holding MIGRATION_IDEMPOTENCY_KEY, so it can
act at most once per step run. Its stdout and stderr are read together as they come, keeping head and tail only.
Exit 0 completes, exit 75 (EX_TEMPFAIL) asks to be tried again later, anything else fails.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from activities.executors.config import COMMANDS_VARIABLE, BadExecutorConfig, ExecutorConfig
from activities.executors.text import Excerpt, one_line
from domain.execution.executor_specs import OUTPUT_LIMIT, TEMPFAIL_EXIT_CODE, ExecutorCall, ExecutorOutcome

READ_CHUNK = 64 << 10
ARGS_LIMIT = 256
# Worker variables every program gets (when set); the operator adds others with `command_environment`.
BASE_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


def resolve_program(name: Any, config: ExecutorConfig) -> Path:
    """The executable file `name` of the commands directory; refuses anything else."""
    directory = config.commands_dir
    if directory is None:
        raise BadExecutorConfig(f"the command executor is not available: {COMMANDS_VARIABLE} is not set")
    if not isinstance(name, str) or not name or name in (".", "..") or ".." in name or any(
            ch in name for ch in "/\\\x00") or not name.isprintable():
        raise BadExecutorConfig(f"program {name!r} is not a plain file name of the commands directory")
    try:
        path = (directory / name).resolve(strict=True)
    except (OSError, RuntimeError):
        raise BadExecutorConfig(f"program {name!r} is not in the commands directory {directory}") from None
    if not path.is_relative_to(directory):
        raise BadExecutorConfig(f"program {name!r} resolves outside the commands directory {directory}")
    if not path.is_file() or not os.access(path, os.X_OK):
        raise BadExecutorConfig(f"program {name!r} of the commands directory is not an executable file")
    return path


def _arguments(args: Any) -> list[str]:
    if args is None:
        return []
    if not isinstance(args, list) or len(args) > ARGS_LIMIT:
        raise BadExecutorConfig(f"command args must be a list of at most {ARGS_LIMIT} values")
    texts = []
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, str | int | float) or "\x00" in str(arg):
            raise BadExecutorConfig(f"command argument {str(arg)[:60]!r} is not a text or a number")
        texts.append(str(arg))
    return texts


def _environment(call: ExecutorCall, config: ExecutorConfig) -> dict[str, str]:
    names = BASE_ENVIRONMENT + config.command_environment
    environment = {name: os.environ[name] for name in names if name in os.environ}
    environment["MIGRATION_IDEMPOTENCY_KEY"] = call.idempotency_key
    return environment


async def _drain(stream: asyncio.StreamReader, excerpt: Excerpt) -> None:
    while chunk := await stream.read(READ_CHUNK):
        excerpt.add_bytes(chunk)
    excerpt.add_bytes(b"", final=True)


def _kill_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


async def run_command(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    program = resolve_program(call.params.get("program"), config)
    args = _arguments(call.params.get("args"))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + call.timeout_seconds
    stdout, stderr = Excerpt(), Excerpt()
    try:
        process = await asyncio.create_subprocess_exec(
            str(program), *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=_environment(call, config), cwd=config.commands_dir,
            start_new_session=True)
    except OSError as error:
        return ExecutorOutcome(status="failed", error=one_line(f"{program.name} could not start: {error}"))
    readers = asyncio.gather(_drain(process.stdout, stdout), _drain(process.stderr, stderr))
    timed_out = False
    try:
        try:
            async with asyncio.timeout_at(deadline):
                await process.wait()
        except TimeoutError:
            timed_out = True
        _kill_group(process)  # what the program left running ends with its step
        await process.wait()
        try:
            async with asyncio.timeout_at(max(deadline, loop.time() + 1.0)):
                await readers  # a process that left the group may still hold the pipes
        except TimeoutError:
            pass
    finally:
        _kill_group(process)
        readers.cancel()
    code = process.returncode
    effect: dict[str, Any] = {"exit_code": code, "program": program.name}
    output = _output(stdout, stderr)
    if timed_out:
        return ExecutorOutcome(status="failed", output=output, effect=effect | {"timed_out": True}, error=one_line(
            f"{program.name} did not finish within {call.timeout_seconds:g} s; its process group was killed"))
    if code == 0:
        return ExecutorOutcome(status="completed", output=output, effect=effect)
    reason = f"killed by signal {_signal_name(-code)}" if code < 0 else f"exit code {code}"
    last = stderr.last_line()
    error = one_line(f"{program.name} {reason}" + (f": {last}" if last else ""))
    if code == TEMPFAIL_EXIT_CODE:
        return ExecutorOutcome(status="retry_later", output=output, effect=effect, error=error)
    return ExecutorOutcome(status="failed", output=output, effect=effect, error=error)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _output(stdout: Excerpt, stderr: Excerpt) -> str:
    """stdout, then stderr under a heading, within OUTPUT_LIMIT together (stderr has at most half when both
    are long)."""
    if stderr.empty:
        return stdout.text(OUTPUT_LIMIT)
    heading = "\n--- stderr ---\n" if not stdout.empty else "--- stderr ---\n"
    err = stderr.text(OUTPUT_LIMIT // 2 if not stdout.empty else OUTPUT_LIMIT - len(heading))
    out = stdout.text(OUTPUT_LIMIT - len(heading) - len(err)) if not stdout.empty else ""
    return out + heading + err
