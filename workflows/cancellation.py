"""Keep an engagement's cancellation when it arrives while a workflow's main task waits on something the
SDK shields from it.

The Python SDK protects a sent signal's outcome from task cancellation: a cancel request that arrives
while the main task awaits a signal to another workflow (or a child that then completes anyway) is
absorbed when that operation succeeds, and the workflow would go on as if never cancelled. Checked
after such waits, the request takes effect there. Behind a patch, so that histories recorded before
(where the request was absorbed) replay as they ran.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

PATCH = "cancel-after-shielded-wait"


def raise_if_cancel_requested() -> None:
    """Raise CancelledError if this workflow's cancellation was requested (and absorbed by a shielded wait)."""
    if workflow.cancellation_reason() is not None and workflow.patched(PATCH):
        raise asyncio.CancelledError()


async def signal_then_check_cancel(handle: Any, signal: str, *args: Any) -> None:
    """Signal another workflow from the main task; a cancellation that arrived meanwhile is raised after."""
    await handle.signal(signal, *args)
    raise_if_cancel_requested()
