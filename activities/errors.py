"""Errors activities raise: bad input is final (retrying cannot fix it), everything else retries."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

BAD_INPUT = "BadInput"


def bad_input(message: str) -> ApplicationError:
    """A final failure caused by what a file or a person sent (a malformed file, a mistyped column, an unknown
    engagement ...): not retried, answered to whoever asked, and logged by the worker as one line. It is benign
    to the SDK, which then logs it at DEBUG instead of as a failure with a traceback, so bad input cannot flood
    a worker's log. (Also raised by an update's validator, in the workflow: nothing is logged there.)"""
    if activity.in_activity():
        activity.logger.info("refused: %s", message)
    return ApplicationError(message, type=BAD_INPUT, non_retryable=True, category=ApplicationErrorCategory.BENIGN)
