"""Errors activities raise: bad input is final (retrying cannot fix it), everything else retries."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

BAD_INPUT = "BadInput"


def bad_input(message: str) -> ApplicationError:
    """A non-retryable failure caused by the input (a malformed file, an unknown engagement ...)."""
    return ApplicationError(message, type=BAD_INPUT, non_retryable=True)
