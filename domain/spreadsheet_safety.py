"""Cells written to CSV/XLSX for people to open in a spreadsheet must not run as formulas.

A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (CSV injection, e.g. `=cmd|' /C calc'!A0`). Such a cell is written with
a leading apostrophe, which spreadsheets show as text; plain numbers such as `-5` or `+3.2` stay
numbers.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> str:
    """The cell as text that a spreadsheet shows as written and never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
