"""A guessed mapping must fit the column's values, or it is not suggested at all.

Header guesses (a generalised match, a value profile, a weak learned match: confidence below
`CHECKED_BELOW`) are tried on a sample of the column: each value is cleansed as the target would
cleanse it (`domain.discovery.cleansing`), and hostnames and FQDNs must also look like them. A column guessed
to identify assets (`IDENTIFYING`) must also hold mostly distinct values: more than `MIN_DISTINCT`
of them. A guess that fits fewer than `MIN_FIT` of the non-empty values is withdrawn, with the
reason kept, because applying it would quarantine or merge the rows (`wave_name` values `Wave1, Wave1,
Wave2` name no hosts). Any text cleanses as an asset type (`other` when nothing in it names one), so an
asset-type guess fits only values that name a type or are CMDB class names (`instanceType` values
such as `m5.large` would file every server as `other`). Exact names, known spellings and people's
decisions are not second-guessed by that trial.

Values that plainly name something else contradict a naming target (`NAMED_BY_VALUES`) when they are more than half of them: yes/no flags
(an SRM placeholder column) and CPU families or EVC modes (`intel-broadwell`, `amd-zen2`) are no host
or machine names. A suggestion whose values contradict its target is withdrawn whatever its source
and confidence (people's corrections are never checked: they are not suggestions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from domain.asset_classes import is_class_name, read_asset_type
from domain.discovery.cleansing import cleanse_record
from domain.discovery.field_mapping import MappingSuggestion
from domain.value_aliases import BOOLEAN_ALIASES, alias_key, is_placeholder

CHECKED_BELOW = 0.9
MIN_FIT = 0.8
MIN_DISTINCT = 0.5  # more than half of the values must differ
CONTRADICTED_ABOVE = 0.5  # more than half of the values name something else
IDENTIFYING = frozenset({"name", "hostname", "fqdn", "external_id", "cmdb_id", "serial_number", "bios_uuid"})

_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_\-]{0,62})"
NAMED_BY_VALUES = frozenset({"name", "hostname", "fqdn", "host_name", "cluster", "datacenter"})
# CPU families as vSphere's EVC modes and CPU-compatibility columns spell them (`intel-cascadelake`, `amd-rev-e`,
# `Intel Broadwell Generation`).
_CPU_FAMILY = re.compile(
    r"(?:intel|amd)[\s_-]*(?:merom|penryn|nehalem|westmere|sandy\s*bridge|ivy\s*bridge|haswell|broadwell|skylake"
    r"|cascade\s*lake|cooper\s*lake|ice\s*lake|sapphire\s*rapids|emerald\s*rapids|rev[\s_-]*[ef]|greyhound"
    r"|bulldozer|piledriver|steamroller|zen\s*\d?)(?:[\s_-]*generation)?",
    re.IGNORECASE,
)
_SHAPES: dict[str, re.Pattern[str]] = {
    "hostname": re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*"),
    "fqdn": re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})+\.?"),
}


def _names_something_else(value: str) -> bool:
    return alias_key(value) in BOOLEAN_ALIASES or _CPU_FAMILY.fullmatch(value) is not None


def contradiction(suggestion: MappingSuggestion, values: Sequence[str]) -> str | None:
    """Why the column's values contradict the suggestion's target (most of them are flags or CPU
    families where names belong), or None."""
    present = [v.strip() for v in values if v and v.strip() and not is_placeholder(v.strip())]
    if suggestion.target_field not in NAMED_BY_VALUES or not present:
        return None
    other = sum(map(_names_something_else, present)) / len(present)
    if other <= CONTRADICTED_ABOVE:
        return None
    return f"{other:.0%} of its sampled values are yes/no flags or CPU families, not {suggestion.target_field} values"


def value_fit(suggestion: MappingSuggestion, values: Sequence[str]) -> float | None:
    """Share of the non-empty, non-placeholder values that read as the suggestion's target (None: no
    values); 0 for an identifying target whose values repeat."""
    target = suggestion.target_field
    present = [v.strip() for v in values if v and v.strip() and not is_placeholder(v.strip())]
    if target is None or not present:
        return None
    if target in IDENTIFYING and len(set(v.casefold() for v in present)) <= MIN_DISTINCT * len(present):
        return 0.0  # a repeated value identifies nothing
    shape = _SHAPES.get(target)
    fitting = 0
    for value in present:
        if shape is not None and not shape.fullmatch(value):
            continue
        if target == "asset_type" and read_asset_type(value) is None and not is_class_name(value):
            continue
        record = cleanse_record({suggestion.source_field: value}, [suggestion])
        if not any(error.startswith(f"{target}:") for error in record.errors):
            fitting += 1
    return fitting / len(present)


def check_guesses(
    suggestions: Sequence[MappingSuggestion], samples: Mapping[str, Sequence[str]]
) -> list[MappingSuggestion]:
    """The suggestions, with every guess whose values do not fit its target, and every suggestion whose
    values contradict it, withdrawn (reason kept)."""
    checked = []
    for s in suggestions:
        values = samples.get(s.source_field, ())
        why = contradiction(s, values)
        fit = value_fit(s, values) if s.confidence < CHECKED_BELOW and why is None else None
        if fit is not None and fit < MIN_FIT:
            why = f"only {fit:.0%} of its sampled values read as {s.target_field}"
        if why is not None:
            s = MappingSuggestion(source_field=s.source_field, target_field=None, confidence=0.0, source=None,
                                  reason=f"{s.reason}; withdrawn: {why}")
        checked.append(s)
    return checked
