"""What a failure inside a child workflow or activity says, for summaries and logs."""

from __future__ import annotations


def root_message(err: BaseException) -> str:
    """The innermost cause's message: what actually went wrong inside the child's activity."""
    while getattr(err, "cause", None) is not None:
        err = err.cause  # type: ignore[assignment]
    return getattr(err, "message", None) or str(err)
