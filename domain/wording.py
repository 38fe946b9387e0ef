"""Counts, lists and names as people write them, for every text a person reads (report, exports, CLI):
"1 wave", "2 waves"; "web-01, db-01 and 3 more"; a move group by its applications and environment.
Identifiers (asset UUIDs) stay in the machine-readable outputs; `UUID_TEXT` finds any left in a text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

UUID_TEXT = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_IRREGULAR = {"person-day": "person-days", "dependency": "dependencies", "was": "were"}


def plural(count: float, noun: str) -> str:
    """`noun` as it goes with `count`: the singular for exactly one, else the plural."""
    if count == 1:
        return noun
    return _IRREGULAR.get(noun) or (noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou"
                                    else noun + "es" if noun.endswith(("s", "x", "sh", "ch")) else noun + "s")


def counted(count: float, noun: str) -> str:
    """'1 wave', '2 waves', '1,234 assets' (thousands separated)."""
    return f"{count:,} {plural(count, noun)}" if isinstance(count, int) else f"{count:,g} {plural(count, noun)}"


def listed(names: Sequence[str], total: int | None = None) -> str:
    """The names shown, joined with commas, and how many of `total` more there are: 'a, b and 3 more'."""
    more = (total or len(names)) - len(names)
    if more > 0:
        return f"{', '.join(names)} and {more:,} more" if names else f"{more:,} more"
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def group_name(applications: Sequence[str], application_count: int, members: Sequence[str], assets: int) -> str:
    """A move group as people know it: its one asset by name, else its applications (the first two and how many
    more), else its first assets."""
    if applications and assets > 1:
        return listed(applications[:2], application_count)
    return listed(members[:2], assets)


def group_label(group_id: str, name: str, environments: Sequence[str]) -> str:
    """'MG-0001 Billing (production)': the id to find the group by, then what it holds."""
    where = f" ({', '.join(e.replace('_', '-') for e in environments)})" if environments else ""
    return f"{group_id} {name}".rstrip() + where


def named(text: str, names: Mapping[str, str]) -> str:
    """`text` with every asset id that `names` knows replaced by the asset's name (texts stored before plans named
    their assets)."""
    return UUID_TEXT.sub(lambda m: names.get(m.group(0).lower(), m.group(0)), text)


def one_line(text: object, limit: int) -> str:
    """`text` on one line that PostgreSQL and a terminal take as it is: every character that is not printable
    (controls and NUL, format characters such as bidirectional overrides, lone surrogates) as a space, runs of
    space as one, cut to `limit` characters with an ellipsis."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
