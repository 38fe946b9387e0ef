"""Dates as exports write them, Excel serials included; what is not a date stays None."""

from __future__ import annotations

import pytest

from domain.discovery.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45123", "2023-07-16"),  # Excel serial (1899-12-30 epoch)
        ("45123.75", "2023-07-16"),  # serial with a time of day
        ("36526", "2000-01-01"),
        ("2024-04-03", "2024-04-03"),
        ("2024-04-03T10:11:12Z", "2024-04-03"),
        ("2024-04-03 10:11:12", "2024-04-03"),
        ("03/04/2024", "2024-04-03"),  # day first
        ("03.04.2024", "2024-04-03"),
        ("03-Apr-2024", "2024-04-03"),
        ("7/16/2023 10:00:00 AM", "2023-07-16"),  # US export with a time: month first
        ("12345", None),  # a number, but no plausible serial date
        ("99999", None),
        ("31/02/2024", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected
