"""What a column's sample values look like, and which asset column such values usually fill.

`profile_values` counts, among the non-empty values of a sample, how many have each shape
(`VALUE_KINDS`): an IP address (or a list of them), a MAC address, a size with a unit, a plain
number, a percentage, an operating system, a date, a yes/no word (`virtual`/`physical` apart: they
say is_virtual), an FQDN, a hostname, an e-mail address, a UUID, an environment, criticality,
power-state or asset-type word (a CMDB class name such as `cmdb_ci_ip_switch` is one). A value can
have several shapes (`1` is an integer and a yes/no word), except that an address, number, size, OS, date or UUID is never also a hostname or FQDN.
Placeholders (`N/A`, `-`, `unknown`) count as empty. Excel serial day numbers are only a weak sign
of a date: integers between 20000 and 60000 (1954-2064), counted as `excel_serial`, never `date`.

`suggest_from_profile` is for columns whose header said nothing: it proposes targets whose kind of
value dominates the sample, with source "profile" and a confidence of at most 0.75, so a person
reviews them. Confidence = the kind's strength x the share of values of that kind, reduced when the
sample has fewer than five values. Dates, plain numbers and percentages alone name no target.

`profile_signature` is a short, stable text of the profile to store (and embed) next to a learned
mapping pattern.
"""

from __future__ import annotations

import ipaddress
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.asset_classes import is_class_name
from domain.discovery.size_units import split_value_unit, to_gb
from domain.os_catalogue import identify_os
from domain.value_aliases import (
    ASSET_TYPE_ALIASES,
    BOOLEAN_ALIASES,
    CRITICALITY_ALIASES,
    ENVIRONMENT_ALIASES,
    POWER_STATE_ALIASES,
    alias_key,
    canonical_value,
    is_placeholder,
)

MAX_PROFILE_CONFIDENCE = 0.75
FULL_SAMPLE = 5  # fewer non-empty values than this scale the confidence down
MIN_SHARE = 0.6  # a kind must cover this share of the non-empty values to suggest anything

VALUE_KINDS: tuple[str, ...] = (
    "ipv4",
    "ipv6",
    "ip_list",
    "mac",
    "size",
    "integer",
    "decimal",
    "percent",
    "os",
    "date",
    "excel_serial",
    "boolean",
    "virtual_word",
    "fqdn",
    "hostname",
    "email",
    "uuid",
    "environment",
    "criticality",
    "power_state",
    "asset_type",
)

_LIST_SEPARATORS = re.compile(r"\s*[,;|\s]\s*")
_MAC = re.compile(r"(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})", re.I)
_INTEGER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)")
_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?\.\d+")
_PERCENT = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*%")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FQDN = re.compile(rf"(?=.{{4,253}}$)(?:{_LABEL}\.)+[a-z][a-z0-9-]{{1,62}}\.?", re.I)
_HOSTNAME = re.compile(r"(?=[a-z0-9-]*[a-z])(?=[a-z0-9-]*[0-9-])[a-z0-9][a-z0-9-]{0,62}", re.I)
_EMAIL = re.compile(r"[^@\s<>]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)
_NAMED_EMAIL = re.compile(r"[^<>]*<\s*([^<>]+)\s*>")
_UUID = re.compile(r"\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?", re.I)
_EXCEL_SERIALS = (20000, 60000)
# A value of one of these shapes is not also counted as a hostname or FQDN.
_NOT_A_NAME = frozenset({"ipv4", "ipv6", "ip_list", "mac", "size", "integer", "decimal", "os", "date", "email", "uuid"})
_VIRTUAL_WORDS = frozenset({"virtual", "physical"})  # yes/no of is_virtual, not asset types


@dataclass(frozen=True)
class ValueProfile:
    """Shares of value shapes in a column sample, with the range of its plain numbers."""

    sampled: int
    non_empty: int
    distinct: int
    shares: Mapping[str, float] = field(default_factory=dict)  # kind -> share of the non-empty values
    number_range: tuple[float, float] | None = None  # min and max of the plain numbers
    size_median_gb: float | None = None

    @property
    def empty_share(self) -> float:
        return 1.0 - self.non_empty / self.sampled if self.sampled else 1.0

    def share(self, kind: str) -> float:
        return self.shares.get(kind, 0.0)


def _is_ip(text: str) -> int | None:
    try:
        return ipaddress.ip_address(text.strip("[]")).version
    except ValueError:
        return None


def _number(text: str) -> float | None:
    if _INTEGER.fullmatch(text) or _DECIMAL.fullmatch(text):
        return float(text.replace(",", ""))
    return None


def _is_date(text: str) -> bool:
    iso = _ISO_DATE.fullmatch(text)
    dmy = _DMY_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        candidates = [(year, month, day)]
    elif dmy:
        first, second, year = (int(part) for part in dmy.groups())
        year += 2000 if year < 100 else 0
        candidates = [(year, second, first), (year, first, second)]  # d/m/Y, else m/d/Y
    else:
        return False
    for year, month, day in candidates:
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False


def _email(text: str) -> bool:
    named = _NAMED_EMAIL.fullmatch(text)
    return bool(_EMAIL.fullmatch(named.group(1) if named else text))


def _kinds(text: str) -> set[str]:
    """Every shape one non-empty value has."""
    kinds: set[str] = set()
    version = _is_ip(text)
    if version:
        kinds.add(f"ipv{version}")
    parts = [part for part in _LIST_SEPARATORS.split(text) if part]
    if len(parts) > 1 and all(_is_ip(part) for part in parts):
        kinds.add("ip_list")
    if parts and all(_MAC.fullmatch(part) for part in parts):
        kinds.add("mac")
    amount, unit = split_value_unit(text)
    if unit is not None and _number(amount) is not None:
        kinds.add("size")
    number = _number(text)
    if number is not None:
        kinds.add("integer" if _INTEGER.fullmatch(text) else "decimal")
        if number.is_integer() and _EXCEL_SERIALS[0] <= number <= _EXCEL_SERIALS[1]:
            kinds.add("excel_serial")
    if _PERCENT.fullmatch(text):
        kinds.add("percent")
    if identify_os(text).product is not None:
        kinds.add("os")
    if _is_date(text):
        kinds.add("date")
    key = alias_key(text)
    if key in BOOLEAN_ALIASES:
        kinds.add("virtual_word" if key in _VIRTUAL_WORDS else "boolean")
    if _email(text):
        kinds.add("email")
    if _UUID.fullmatch(text):
        kinds.add("uuid")
    if not kinds & _NOT_A_NAME:
        if _FQDN.fullmatch(text):
            kinds.add("fqdn")
        if _HOSTNAME.fullmatch(text):
            kinds.add("hostname")
    for kind, table in (
        ("environment", ENVIRONMENT_ALIASES),
        ("power_state", POWER_STATE_ALIASES),
        ("asset_type", ASSET_TYPE_ALIASES),
    ):
        if canonical_value(table, text) is not None and key not in _VIRTUAL_WORDS:
            kinds.add(kind)
    if is_class_name(text):
        kinds.add("asset_type")
    if number is None and canonical_value(CRITICALITY_ALIASES, text) is not None:
        kinds.add("criticality")  # bare digits 1-4 say too little on their own
    return kinds


def profile_values(values: list[str]) -> ValueProfile:
    """The profile of a column sample; `None` values and placeholders count as empty."""
    present = [value.strip() for value in values if value is not None and not is_placeholder(value)]
    counts = dict.fromkeys(VALUE_KINDS, 0)
    numbers: list[float] = []
    sizes: list[float] = []
    for value in present:
        for kind in _kinds(value):
            counts[kind] += 1
        number = _number(value)
        if number is not None:
            numbers.append(number)
        amount, unit = split_value_unit(value)
        if unit is not None and _number(amount) is not None:
            sizes.append(to_gb(_number(amount), unit))
    total = len(present)
    return ValueProfile(
        sampled=len(values),
        non_empty=total,
        distinct=len({value.casefold() for value in present}),
        shares={kind: count / total for kind, count in counts.items() if count},
        number_range=(min(numbers), max(numbers)) if numbers else None,
        size_median_gb=statistics.median(sizes) if sizes else None,
    )


def _size_target(profile: ValueProfile) -> tuple[str, str]:
    median = profile.size_median_gb or 0.0
    if median <= 512:
        return "memory_gb", f"sizes with units, median {median:g} GB: memory-sized"
    return "storage_gb", f"sizes with units, median {median:g} GB: storage-sized"


# kind(s) -> (target, strength, what the values are); tried in order, one suggestion per target.
_RULES: tuple[tuple[tuple[str, ...], str, float, str], ...] = (
    (("mac",), "mac_address", 0.75, "MAC addresses"),
    (("ipv4", "ipv6", "ip_list"), "ip_address", 0.75, "IP addresses"),
    (("os",), "operating_system", 0.75, "operating system names"),
    (("fqdn",), "fqdn", 0.7, "fully qualified domain names"),
    (("environment",), "environment", 0.7, "environment names"),
    (("power_state",), "power_state", 0.7, "power states"),
    (("criticality",), "business_criticality", 0.65, "criticality levels"),
    (("uuid",), "external_id", 0.6, "UUIDs"),
    (("asset_type",), "asset_type", 0.6, "asset types"),
    (("hostname",), "hostname", 0.55, "hostname-shaped words"),
    (("email",), "business_owner", 0.5, "e-mail addresses (an owner or contact)"),
    (("virtual_word",), "is_virtual", 0.7, "the words virtual or physical"),
    (("boolean", "virtual_word"), "is_virtual", 0.45, "yes/no values (is_virtual is the only yes/no column)"),
)


def suggest_from_profile(profile: ValueProfile) -> list[tuple[str, float, str]]:
    """(target, confidence, reason) for targets the sample's values point to, most confident first."""
    if profile.non_empty == 0:
        return []
    scale = min(1.0, profile.non_empty / FULL_SAMPLE)
    of = f"of {profile.non_empty} sample values"
    found: dict[str, tuple[float, str]] = {}
    for kinds, target, strength, what in _RULES:
        share = min(1.0, sum(profile.share(kind) for kind in kinds))
        if share >= MIN_SHARE and target not in found:
            found[target] = (strength * share * scale, f"{share:.0%} {of} are {what}")
    if profile.share("size") >= MIN_SHARE:
        target, what = _size_target(profile)
        found.setdefault(target, (0.5 * profile.share("size") * scale, f"{profile.share('size'):.0%} {of} are {what}"))
    ranked = sorted(found.items(), key=lambda item: -item[1][0])
    return [(target, round(min(MAX_PROFILE_CONFIDENCE, confidence), 3), why) for target, (confidence, why) in ranked]


def profile_signature(profile: ValueProfile) -> str:
    """Short stable text of a profile: `'n=20 empty=0.10 ipv4=0.95 ip_list=0.05 num=1..64'`."""
    parts = [f"n={profile.sampled}", f"empty={profile.empty_share:.2f}"]
    parts += [f"{kind}={profile.shares[kind]:.2f}" for kind in VALUE_KINDS if profile.shares.get(kind, 0.0) >= 0.05]
    if profile.number_range is not None:
        low, high = profile.number_range
        parts.append(f"num={low:g}..{high:g}")
    return " ".join(parts)
