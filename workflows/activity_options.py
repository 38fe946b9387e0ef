"""Timeouts and retry policies of the activities the workflows call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from activities.errors import BAD_INPUT

# Phase steps: long batch work that heartbeats; bad input is final, anything else retries.
STEP_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(hours=2),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=5,
        non_retryable_error_types=[BAD_INPUT],
    ),
}

# Transitions and small reads: short, and retried until the database answers.
TRANSITION_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=60),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)),
}

# A person's mapping review: a person waits for the answer, so few quick attempts; bad input is final.
REVIEW_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=60),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_attempts=3,
        non_retryable_error_types=[BAD_INPUT],
    ),
}

# A crew after a step: model calls take time (each is heartbeated and bounded by the endpoint's timeout); a crew
# that fails for the model's sake returns a summary, so retries are for the database and the worker only.
AGENT_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(hours=1),
    "heartbeat_timeout": timedelta(seconds=60),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=5),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=3,
        non_retryable_error_types=[BAD_INPUT],
    ),
}
