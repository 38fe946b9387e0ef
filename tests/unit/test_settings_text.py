"""Settings typed as `key=value`, read by the annotation of the model's field (domain.settings_text), on a model
of its own so the planner's settings may change without touching these cases."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from domain.settings_text import RESET, allowed, described, shown, split_assignment


class Example(BaseModel):
    day: date
    cap: int = Field(default=5, ge=1, description="Most of them.")
    share: float | None = Field(default=None, gt=0, le=100)
    mode: Literal["first", "later"] = "first"
    strict: bool = False
    periods: tuple[str, ...] = ()


@pytest.mark.parametrize(("text", "expected"), [
    ("cap=7", ("cap", 7)), ("cap=", ("cap", RESET)), ("share=none", ("share", None)), ("share=2.5", ("share", 2.5)),
    ("mode=later", ("mode", "later")), ("strict=Yes", ("strict", True)), ("day=2027-01-04", ("day", "2027-01-04")),
    ("periods=a..b, c ,", ("periods", ["a..b", "c"])), (" cap = 3 ", ("cap", 3)),
])
def test_values_are_read_by_the_fields_type(text: str, expected: tuple) -> None:
    assert split_assignment(text, Example) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("colour=red", "unknown setting 'colour'; settings: day, cap, share, mode, strict, periods"),
    ("cap=2.5", "cap: '2.5' is not a whole number; allowed: whole number ≥ 1"),
    ("share=inf", "share: 'inf' is not a finite number; allowed: number > 0 and ≤ 100 or none"),
    ("mode=never", "mode: 'never' is not allowed; allowed: one of first, later"),
    ("strict=maybe", "strict: 'maybe' is not true or false; allowed: true or false"),
    ("day=04/01/2027", "day: '04/01/2027' is not a date; allowed: date (YYYY-MM-DD)"),
    ("=3", "'=3': give settings as key=value (key= resets it to its default)"),
])
def test_a_mistake_is_one_line_naming_the_key_and_what_it_allows(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        split_assignment(text, Example)
    assert str(refused.value) == message


def test_descriptions_and_values_as_a_person_reads_them() -> None:
    fields = Example.model_fields
    assert described(fields["cap"], "cap") == "Most of them."
    assert described(fields["periods"], "periods") == "periods (comma-separated list of text)"
    assert allowed(fields["periods"]) == "comma-separated list of text"
    assert [shown(v) for v in (None, True, 3.0, 2.5, ("a", "b"), date(2027, 1, 4))] == [
        "none", "true", "3", "2.5", "a, b", "2027-01-04"]
