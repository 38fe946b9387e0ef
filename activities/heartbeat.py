"""Heartbeats for long steps: a background beat keeps a step alive through long single statements,
and `progress` records resumable details (a retried attempt reads them from heartbeat_details).

With a short heartbeat timeout a crashed worker's step is retried elsewhere within seconds, while
a healthy step that spends minutes in one set-based statement is never mistaken for a dead one.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from temporalio import activity

INTERVAL_SECONDS = 5.0
_details: ContextVar[list[tuple[Any, ...]]] = ContextVar("heartbeat_details")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def heartbeating(fn: F) -> F:
    """Wrap an async activity so it heartbeats every few seconds until it returns."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        holder = [tuple(activity.info().heartbeat_details)]
        token = _details.set(holder)
        beat = asyncio.create_task(_beat(holder))
        try:
            return await fn(*args, **kwargs)
        finally:
            beat.cancel()
            _details.reset(token)

    return wrapper  # type: ignore[return-value]


def progress(*details: Any) -> None:
    """Heartbeat now with `details`, and keep repeating them in the background beats."""
    holder = _details.get(None)
    if holder is not None:
        holder[0] = details
    activity.heartbeat(*details)


def resume_details() -> tuple[Any, ...]:
    """The details of the previous attempt's last heartbeat (empty on a first attempt)."""
    return tuple(activity.info().heartbeat_details)


async def _beat(holder: list[tuple[Any, ...]]) -> None:
    while True:
        await asyncio.sleep(INTERVAL_SECONDS)
        activity.heartbeat(*holder[0])
