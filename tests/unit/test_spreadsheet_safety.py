"""Formula injection is neutralised in exported cells; ordinary values are left alone."""

from __future__ import annotations

import pytest

from domain.spreadsheet_safety import neutralise_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("-1e3", "-1e3"),
        ("web-01", "web-01"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("'; DROP TABLE assets; --", "'; DROP TABLE assets; --"),
    ],
)
def test_neutralise_cell(value: object, expected: str) -> None:
    assert neutralise_cell(value) == expected
