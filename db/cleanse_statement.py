"""The set-based cleansing statement of one import: `db/queries/raw_records_cleanse.sql` with one
outcome lookup per mapped and per unmapped column.

Only our own vocabulary enters the SQL text (target names, checked against `ASSET_IMPORT_FIELDS`,
and generated aliases); source column names are bound as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from db.queries import sql
from domain.asset_fields import ASSET_IMPORT_FIELDS, ROW_IDENTIFIERS
from domain.discovery.cleansing import MAX_CHANGES_BY_KIND, VALUES_DEFAULTED_BY_KIND, VALUES_SET_BY_KIND

_IDENTIFIER = re.compile(r"[a-z_]+")
FIRST_COLUMN_PARAMETER = 3  # $1 import, $2 the no-identifier problem


def _object(pairs: Sequence[str]) -> str:
    """`jsonb_build_object` of `key, value` pairs, in calls of at most 50 pairs joined by `||` (a
    function takes at most 100 arguments; an RVTools export has about 90 columns)."""
    calls = [f"jsonb_build_object({', '.join(pairs[i:i + 50])})" for i in range(0, len(pairs), 50)]
    return " || ".join(calls) or "'{}'::jsonb"


def jsonb_key_order(columns: Sequence[str]) -> list[str]:
    """`columns` in the order jsonb keeps object keys (shorter first, then by bytes): the order the
    reference cleanser meets a stored raw row's columns in."""
    return sorted(set(columns), key=lambda c: (len(c.encode()), c.encode()))


def cleanse_statement(
    mapped: Sequence[tuple[str, str]], unmapped: Sequence[str], changing: Collection[str]
) -> tuple[str, list[str]]:
    """The statement and its column parameters for `mapped` (target, source column) and the `unmapped`
    columns (kept as custom attributes). Only the targets and unmapped columns in `changing` have
    outcome rows to look up; every cell of the others is kept as written."""
    targets = [target for target, _ in mapped]
    if len(set(targets)) != len(targets):
        raise ValueError(f"a target is mapped twice: {targets}")
    for target in targets:
        if target not in ASSET_IMPORT_FIELDS or not _IDENTIFIER.fullmatch(target):
            raise ValueError(f"{target!r} is not an importable asset column")
    order = list(ASSET_IMPORT_FIELDS)
    mapped = sorted(mapped, key=lambda pair: order.index(pair[0]))
    params: list[str] = []

    def param(column: str) -> str:
        params.append(column)
        return f"${FIRST_COLUMN_PARAMETER + len(params) - 1}::text"

    raw = {target: f"r.raw_data ->> {param(source)}" for target, source in mapped}
    alias = {target: f"m{i}" for i, (target, _) in enumerate(mapped) if target in changing}
    os_alias = alias.get("operating_system")
    joins: list[str] = []
    keys: dict[str, list[str]] = {}  # asset column -> the cells' values for it, first non-null wins
    defaults: list[tuple[str, str]] = []  # (asset column, a value another cell proposes), after its own cell's
    placeholder_changes, changes, errors = [], [], []
    for target, _ in mapped:
        cell = raw[target]
        if target not in alias:
            keys.setdefault(target, []).append(f"to_jsonb(nullif({cell}, ''))")
            continue
        a = alias[target]
        os_version = f"coalesce({raw['os_version']}, '')" if target == "operating_system" and "os_version" in raw else "''"
        joins.append(f"LEFT JOIN cleanse_cells {a} ON {a}.target = '{target}' AND {a}.text = {cell}"
                     f" AND {a}.os_version = {os_version}")
        # the OS-version column is read with the OS column when that one has a value
        active = (f"NOT (coalesce({os_alias}.vals <> '{{}}', false) AND NOT coalesce({a}.placeholder, false))"
                  if target == "os_version" and os_alias else "true")
        keys.setdefault(target, []).append(
            f"CASE WHEN NOT {active} THEN NULL WHEN {a}.target IS NULL THEN to_jsonb(nullif({cell}, ''))"
            f" ELSE {a}.vals -> '{target}' END")
        for derived in VALUES_SET_BY_KIND.get(ASSET_IMPORT_FIELDS[target], ()):
            keys.setdefault(derived, []).insert(0, f"{a}.vals -> '{derived}'")
        defaults.extend((derived, f"{a}.vals -> '{derived}'")
                        for derived in VALUES_DEFAULTED_BY_KIND.get(ASSET_IMPORT_FIELDS[target], ()))
        placeholder_changes.append(f", CASE WHEN {a}.placeholder THEN {a}.changes -> 0 END")
        changes.extend(f", CASE WHEN NOT {a}.placeholder AND {active} THEN {a}.changes -> {i} END"
                       for i in range(MAX_CHANGES_BY_KIND.get(ASSET_IMPORT_FIELDS[target], 1)))
        errors.append(f", CASE WHEN {active} THEN {a}.error END")
    for column, proposed in defaults:
        keys.setdefault(column, []).append(proposed)
    values = [f"coalesce({', '.join(found)})" if len(found) > 1 else found[0] for found in keys.values()]
    custom, custom_changes = [], []
    for j, column in enumerate(jsonb_key_order(unmapped)):
        a, name = f"u{j}", param(column)
        if column not in changing:
            custom.append(f"{name}, nullif(r.raw_data ->> {name}, '')")
            continue
        joins.append(f"LEFT JOIN cleanse_custom {a} ON {a}.column_name = {name} AND {a}.text = r.raw_data ->> {name}")
        custom.append(f"{name}, CASE WHEN {a}.column_name IS NULL THEN nullif(r.raw_data ->> {name}, '')"
                      f" ELSE {a}.kept END")
        custom_changes.append(f", {a}.change")
    named = " ".join(f"WHEN coalesce({name}, '') <> '' THEN ARRAY['{source}', {name}]" for source, name in (
        (source, f"split_part(c.vals ->> '{source}', '.', 1)" if source == "fqdn" else f"c.vals ->> '{source}'")
        for source in ROW_IDENTIFIERS[1:]))
    parts = {
        "values": [_object([f"'{key}', {value}" for key, value in zip(keys, values)])],
        "null_values": [f", CASE WHEN {value} IS NULL THEN '{key}' END" for key, value in zip(keys, values)],
        "placeholder_changes": placeholder_changes, "changes": changes, "errors": errors,
        "custom": [_object(custom)], "custom_changes": custom_changes, "joins": joins,
        "named": [f"CASE WHEN coalesce(c.vals ->> 'name', '') <> '' THEN NULL {named} END"],
    }
    statement = sql("raw_records_cleanse")
    for marker, lines in parts.items():
        statement = statement.replace(f"/*@{marker}*/", "\n        ".join(lines))
    return statement, params
