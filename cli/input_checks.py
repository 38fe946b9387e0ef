"""Values checked while the command line is parsed: a bad one is a usage error (exit code 2, one line naming
the option and what it takes) before any server is started or anything is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

import typer

from runtime.engagement_control import ControlError

T = TypeVar("T")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def usage_check(rule: Callable[[T], T]) -> Callable[[T | None], T | None]:
    """A parser callback from a rule that returns the value (normalised) or raises ValueError or ControlError
    saying what is allowed; an option left out (None) is not checked."""

    def callback(value: T | None) -> T | None:
        if value is None:
            return None
        try:
            return rule(value)
        except (ValueError, ControlError) as exc:
            raise typer.BadParameter(str(exc)) from None

    return callback


def checked_uuid(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise ValueError(f"{text!r:.60} is not a UUID: write one like 6f1c0b1e-8d2a-4c3b-9e5f-0a1b2c3d4e5f") from None


def parsed_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD."""
    try:
        if _ISO_DATE.fullmatch(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ValueError(f"{text!r:.60} is not a date: write YYYY-MM-DD, e.g. 2027-01-04")
