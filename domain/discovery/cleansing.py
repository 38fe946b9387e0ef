"""Cleanse one imported row into typed asset values, recording every value it alters.

Per mapped column, by the target's kind (`domain.asset_fields`):

- surrounding whitespace is trimmed (not recorded); an empty cell is no value;
- a placeholder (`N/A`, `-`, `unknown`, `TBD`, `To be filled by O.E.M.` ...) is dropped: rule `placeholder`;
- numbers accept `1,024` (rule `thousands_separator`) and `2,5` (rule `decimal_comma`); NaN,
  Infinity, negatives, text and fractions in whole-number columns are errors;
- sizes are converted to GB from the unit of the value (`16384 MB`) or else of the header
  (rule `<unit>_to_GB`); percentages may end in `%` and must lie within 0..100;
- manufacturer spellings become one vendor name (`Dell Inc.` -> `Dell`, rule `manufacturer_alias`);
  unknown vendors stay as written;
- environment and criticality spellings become canonical values (rule `<kind>_alias`); an unknown
  spelling is an error, never a guess;
- an asset type or class becomes a canonical type (`domain.asset_classes`: rule `asset_type_alias` for a
  known spelling, `asset_type_from_class` when the words of a class decide); a class nothing decides is
  `other` (rule `asset_type_other`), never an error. The spelling is kept as `source_class` unless it
  is the type's own name, and a server spelling that says virtual or physical sets `is_virtual` unless
  the row's own is_virtual cell says something (`VALUES_DEFAULTED_BY_KIND`); known power-state spellings become
  `powered_on` / `powered_off` / `suspended` (rule `power_state_alias`), and hypervisor spellings one name
  (`VMware ESXi` -> `vmware`, `Hyper-V` -> `hyperv`, `Nutanix AHV` -> `nutanix_ahv`: rule `hypervisor_alias`);
  others stay as written;
- install and operational statuses (`lifecycle_state`, `operational_state`) become `vocabulary.LIFECYCLE_STATES`,
  by label or by the column's own ServiceNow code (rule `<kind>_alias`: install status `7` and operational
  status `6` are `retired`); an unknown spelling is dropped, recorded (rule `<kind>_unrecognised`), and the
  row kept;
- the OS becomes its canonical name plus `os_version` and `os_family` (rules `os_normalised`,
  `os_version_from_name`, see `domain.os_catalogue`);
- IP and MAC lists split on `;`, `,` and spaces: the first address fills the column (rule
  `first_of_list`), all are kept under `ip_addresses` / `mac_addresses`; MACs are written
  `aa:bb:cc:dd:ee:ff` (rule `mac_format`); `depends_on` splits on `;`, `,`, `|` and new lines
  (rule `list_cleaned` when duplicates or placeholders are dropped);
- other text is kept as written (formula-looking text included: exports neutralise it).

- `tags` become a dictionary from `key:value` / `key=value` pairs (rule `tags_parsed`);
- columns no mapping uses are kept under `custom_attributes`; dates in date-named columns
  (Excel serials too) become ISO dates (rule `date_normalised`).

A row without a name takes its hostname, else the first label of its FQDN, else its external id,
else its IP or MAC address (rule `name_from_<field>`; the AWS import template accepts a row
identified by an address alone); a row with none of them is an error.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from domain.asset_classes import read_asset_type
from domain.asset_fields import ASSET_IMPORT_FIELDS, GB_SIZE_FIELDS, PERCENT_FIELDS, ROW_IDENTIFIERS
from domain.discovery.dates import parse_date
from domain.discovery.field_mapping import MappingSuggestion
from domain.discovery.size_units import SizeUnit, split_value_unit, to_gb
from domain.os_catalogue import identify_os, normalise_os
from domain.value_aliases import (
    BOOLEAN_ALIASES,
    CRITICALITY_ALIASES,
    ENVIRONMENT_ALIASES,
    INSTALL_STATUS_ALIASES,
    OPERATIONAL_STATUS_ALIASES,
    PLACEHOLDER_KEYS,
    POWER_STATE_ALIASES,
    alias_key,
    canonical_hypervisor,
    canonical_manufacturer,
    canonical_value,
    is_placeholder,
)

__all__ = ["CleansedRecord", "cleanse_record", "natural_key", "normalise_os"]


class CleansedRecord(BaseModel):
    """Typed values keyed by asset column, the alterations made, and the row's problems."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, object]
    changes: list[dict[str, object]]
    errors: list[str]


class _InvalidValueError(ValueError):
    """A cell that cannot be read as its column's kind; the message names the value."""


@dataclass(frozen=True)
class _Outcome:
    """A cleansed cell: its value, the rule that altered it, and values derived from it."""

    value: object
    rule: str | None = None  # set when the value is not what the text says at face value
    derived: dict[str, object] = field(default_factory=dict)


# A list cell holding only placeholders ("N/A; N/A").
_NO_VALUE = _Outcome(None, "placeholder")

# (target column, trimmed cell text, unit from the mapping) -> outcome; raises _InvalidValueError.
_Cleanser = Callable[[str, str, SizeUnit | None], _Outcome]

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?", re.IGNORECASE)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_ADDRESS_SEPARATORS = re.compile(r"[;,\s\[\]]+")  # Azure Migrate brackets each NIC: "[a,b]; [c];"
_LIST_SEPARATORS = re.compile(r"[;,|\n]+")
_MAC_SEPARATORS = re.compile(r"[:\-.]")
_MAC_HEX = re.compile(r"[0-9a-f]{12}")
_IP_LIKE_HOST = re.compile(r"[0-9]+(?:\.[0-9]+){3}")  # kept whole by natural_key


def _parse_number(text: str, shown: str | None = None) -> tuple[float, str | None]:
    """A finite, non-negative float and the rule that read it, if the text needed interpreting.

    Errors quote `shown` (the whole cell) when given, else `text`.
    """
    compact = text.strip()
    shown = text if shown is None else shown
    if _NON_FINITE.fullmatch(compact):
        raise _InvalidValueError(f"{shown!r} is not a finite number")
    if _PLAIN_NUMBER.fullmatch(compact):
        number, rule = float(compact), None
    elif _THOUSANDS.fullmatch(compact):
        number, rule = float(compact.replace(",", "")), "thousands_separator"
    elif _DECIMAL_COMMA.fullmatch(compact):
        number, rule = float(compact.replace(",", ".")), "decimal_comma"
    else:
        raise _InvalidValueError(f"{shown!r} is not a number")
    if not math.isfinite(number):
        raise _InvalidValueError(f"{shown!r} is not a finite number")
    if number < 0:
        raise _InvalidValueError(f"{shown!r} is negative")
    return number, rule


def _whole_number(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    number, rule = _parse_number(text)
    if not number.is_integer():
        raise _InvalidValueError(f"{text!r} is not a whole number")
    return _Outcome(int(number), rule)


def _number(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    amount = text.strip()
    if target in PERCENT_FIELDS:
        amount = amount.removesuffix("%")
    value_unit: SizeUnit | None = None
    if target in GB_SIZE_FIELDS:
        amount, value_unit = split_value_unit(amount)
    number, rule = _parse_number(amount, shown=text)
    if target in PERCENT_FIELDS and number > 100:
        raise _InvalidValueError(f"{text!r} is above 100%")
    size_unit = value_unit or unit
    if target in GB_SIZE_FIELDS and size_unit not in (None, "GB", "GiB"):
        return _Outcome(to_gb(number, size_unit), f"{size_unit}_to_GB")
    return _Outcome(number, rule)


def read_amount(text: str, size: bool = False) -> float:
    """A cell read as cleansing reads numbers (`1,024`, `2,5`; with `size`, a unit such as `127 GB`, in
    GB); raises ValueError naming the text when it is not a finite, non-negative number."""
    if size:
        return float(_number("storage_gb", text, None).value)
    return _parse_number(text)[0]


def _boolean(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    value = BOOLEAN_ALIASES.get(alias_key(text))
    if value is None:
        raise _InvalidValueError(f"{text!r} is not a yes/no value")
    return _Outcome(value)


def _vocabulary(kind: str, table: Mapping[str, str], strict: bool) -> _Cleanser:
    """A cleanser onto `table`'s canonical values; unknown spellings are errors if `strict`, else kept."""

    def cleanse(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
        value = canonical_value(table, text)
        if value is None:
            if strict:
                known = ", ".join(sorted(set(table.values())))
                raise _InvalidValueError(f"{text!r} is not a known {kind} (known: {known})")
            return _Outcome(text)
        return _Outcome(value, None if value == text else f"{kind}_alias")

    return cleanse


def _lifecycle(kind: str, table: Mapping[str, str]) -> _Cleanser:
    """A cleanser onto `vocabulary.LIFECYCLE_STATES` by `table`; an unknown spelling is no value, its
    dropping recorded (rule `<kind>_unrecognised`): a status nobody knows must not keep the asset out."""

    def cleanse(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
        value = canonical_value(table, text)
        if value is None:
            return _Outcome(None, f"{kind}_unrecognised")
        return _Outcome(value, None if value == text else f"{kind}_alias")

    return cleanse


def _asset_type(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    """The canonical type a type or class spelling names, else `other`; the spelling kept as `source_class`
    unless it is the type's own name; a server spelling's word on virtualisation as `is_virtual`."""
    reading = read_asset_type(text)
    asset_type = reading.asset_type if reading else "other"
    derived: dict[str, object] = {}
    if alias_key(text) != alias_key(asset_type):
        derived["source_class"] = text
    if reading is not None and reading.is_virtual is not None:
        derived["is_virtual"] = reading.is_virtual
    rule = None if asset_type == text else f"asset_type_{reading.read_by if reading else 'other'}"
    return _Outcome(asset_type, rule, derived)


def _text(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    return _Outcome(text)


def _split(text: str, separators: re.Pattern[str]) -> tuple[list[str], bool]:
    """Distinct non-placeholder items in order, and whether any item was dropped."""
    items = [item.strip() for item in separators.split(text) if item.strip()]
    kept = list(dict.fromkeys(item for item in items if not is_placeholder(item)))
    return kept, len(kept) != len(items)


def _ip_list(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    addresses = _split(text, _ADDRESS_SEPARATORS)[0]
    if not addresses:
        return _NO_VALUE
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise _InvalidValueError(f"{address!r} is not an IP address") from None
    return _Outcome(addresses[0], "first_of_list" if len(addresses) > 1 else None, {"ip_addresses": addresses})


def _mac_list(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    macs: list[str] = []
    for item in _split(text, _ADDRESS_SEPARATORS)[0]:
        digits = _MAC_SEPARATORS.sub("", item).lower()
        if not _MAC_HEX.fullmatch(digits):
            raise _InvalidValueError(f"{item!r} is not a MAC address")
        macs.append(":".join(digits[i : i + 2] for i in range(0, 12, 2)))
    macs = list(dict.fromkeys(macs))
    if not macs:
        return _NO_VALUE
    if len(macs) > 1:
        return _Outcome(macs[0], "first_of_list", {"mac_addresses": macs})
    return _Outcome(macs[0], None if macs[0] == text else "mac_format", {"mac_addresses": macs})


def _name_list(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    names, dropped = _split(text, _LIST_SEPARATORS)
    if not names:
        return _NO_VALUE
    return _Outcome(names, "list_cleaned" if dropped else None)


_TAG_SEPARATORS = re.compile(r"[;,\n]+")
_TAG_PAIR = re.compile(r"\s*([^:=]+?)\s*[:=]\s*(.*?)\s*")


def _tags(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    """`env:prod, owner=ops` -> {"env": "prod", "owner": "ops"}; a bare word is a tag without value;
    a JSON object (joined tag supplements write one) is read as it is."""
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # nested deeper than the parser can follow: no tags a person wrote
            raise _InvalidValueError(f"{text[:80]!r} is not a JSON object of tags") from None
        if not isinstance(parsed, dict):
            raise _InvalidValueError(f"{text[:80]!r} is not a JSON object of tags")
        return _Outcome({str(k): None if v is None else str(v) for k, v in parsed.items()} or None)
    tags: dict[str, str | None] = {}
    for item in _TAG_SEPARATORS.split(text):
        if not item.strip() or is_placeholder(item.strip()):
            continue
        pair = _TAG_PAIR.fullmatch(item)
        if pair:
            tags[pair.group(1)] = pair.group(2) or None
        else:
            tags[item.strip()] = None
    return _Outcome(tags or None, "tags_parsed" if tags else "placeholder")


_CURRENCY = re.compile(r"[A-Za-z]{3}")


def _currency(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    """An ISO 4217 code (`usd` -> `USD`)."""
    if not _CURRENCY.fullmatch(text):
        raise _InvalidValueError(f"{text!r} is not a three-letter currency code")
    return _Outcome(text.upper(), None if text.isupper() else "currency_upper_case")


_CLEANSERS: dict[str, _Cleanser] = {
    "text": _text,
    "int": _whole_number,
    "number": _number,
    "bool": _boolean,
    "environment": _vocabulary("environment", ENVIRONMENT_ALIASES, strict=True),
    "criticality": _vocabulary("criticality", CRITICALITY_ALIASES, strict=True),
    "asset_type": _asset_type,
    "install_status": _lifecycle("install_status", INSTALL_STATUS_ALIASES),
    "operational_status": _lifecycle("operational_status", OPERATIONAL_STATUS_ALIASES),
    "ip_list": _ip_list,
    "mac_list": _mac_list,
    "list": _name_list,
    "tags": _tags,
    "currency": _currency,
}


def _manufacturer(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    vendor = canonical_manufacturer(text)
    if vendor is None or vendor == text:
        return _Outcome(text)
    return _Outcome(vendor, "manufacturer_alias")


def _hypervisor(target: str, text: str, unit: SizeUnit | None) -> _Outcome:
    name = canonical_hypervisor(text)
    if name is None or name == text:
        return _Outcome(text)
    return _Outcome(name, "hypervisor_alias")


# Text columns with a vocabulary of their own: known spellings normalised, others kept.
_TEXT_VOCABULARIES: dict[str, _Cleanser] = {
    "power_state": _vocabulary("power_state", POWER_STATE_ALIASES, strict=False),
    "hypervisor": _hypervisor,
    "manufacturer": _manufacturer,
}


@functools.lru_cache(maxsize=1 << 16)
def _cleanse_cell(target: str, kind: str, text: str, unit: SizeUnit | None) -> _Outcome | str:
    """One cell's outcome, or the problem with it. Exports repeat the same spellings (OS names,
    environments, sizes) across thousands of rows, so results are remembered; outcomes are never
    mutated, only read."""
    cleanse = _TEXT_VOCABULARIES.get(target, _CLEANSERS[kind])
    try:
        return cleanse(target, text, unit)
    except _InvalidValueError as problem:
        return str(problem)


def _change(target: str, before: object, after: object, rule: str) -> dict[str, object]:
    return {"field": target, "from": before, "to": after, "rule": rule}


def _sources(mappings: Sequence[MappingSuggestion]) -> dict[str, MappingSuggestion]:
    """target -> the mapping that fills it; two mappings onto one target are a caller error."""
    by_target: dict[str, MappingSuggestion] = {}
    for mapping in mappings:
        if mapping.target_field is None:
            continue
        if mapping.target_field in by_target:
            raise ValueError(
                f"columns {by_target[mapping.target_field].source_field!r} and {mapping.source_field!r} "
                f"both map to {mapping.target_field}"
            )
        by_target[mapping.target_field] = mapping
    return by_target


_identify_os = functools.lru_cache(maxsize=1 << 14)(identify_os)


@dataclass(frozen=True)
class CellOutcome:
    """What cleansing makes of one cell: the asset values it sets, the changes it records (a placeholder's
    come before every other change of its row), or the problem that keeps its row out."""

    values: dict[str, object] = field(default_factory=dict)
    changes: tuple[dict[str, object], ...] = ()
    error: str | None = None
    placeholder: bool = False


def cleanse_cell(target: str, text: str, unit: SizeUnit | None = None, os_version: str | None = None) -> CellOutcome:
    """One trimmed, non-empty cell of column `target`. The OS column is read with its row's OS-version
    cell (`os_version`, trimmed; a placeholder there counts as none)."""
    if is_placeholder(text):
        return CellOutcome(changes=(_change(target, text, None, "placeholder"),), placeholder=True)
    kind = ASSET_IMPORT_FIELDS[target]
    if kind == "os":
        return _cleanse_os(text, os_version if os_version and not is_placeholder(os_version) else None)
    outcome = _cleanse_cell(target, kind, text, unit)
    if isinstance(outcome, str):
        return CellOutcome(error=f"{target}: {outcome}")
    values = {target: outcome.value, **outcome.derived} if outcome.value is not None else {}
    changes = (_change(target, text, outcome.value, outcome.rule),) if outcome.rule is not None else ()
    return CellOutcome(values, changes)


def _cleanse_os(os_text: str, version_text: str | None) -> CellOutcome:
    """OS name, version and family from the OS column and, if mapped, the OS-version column."""
    identity = _identify_os(os_text, version_text)
    values: dict[str, object] = {"operating_system": identity.name, "os_family": identity.family}
    changes = []
    if identity.name != os_text:
        changes.append(_change("operating_system", os_text, identity.name, "os_normalised"))
    version = identity.version or version_text
    if version is not None:
        values["os_version"] = version
    if version_text is not None and version != version_text:
        changes.append(_change("os_version", version_text, version, "os_version_from_name"))
    return CellOutcome(values, tuple(changes))


NO_IDENTIFIER = "no identifying value (name, hostname, fqdn, external id, IP or MAC address)"


def name_from_identifiers(values: Mapping[str, object]) -> tuple[str, dict[str, object]] | None:
    """A name for a nameless row from its other identifiers, with the change that records it; None when
    it has none."""
    for source in ROW_IDENTIFIERS[1:]:
        identifier = values.get(source)
        name = (str(identifier).split(".")[0] if source == "fqdn" else str(identifier)) if identifier else ""
        if name:  # an FQDN such as ".corp" names nothing
            return name, _change("name", None, name, f"name_from_{source}")
    return None


def cleanse_record(raw: Mapping[str, str | None], mappings: Sequence[MappingSuggestion]) -> CleansedRecord:
    """Typed, canonical values of one raw row under the given column mappings.

    The reference for the set-based cleansing of whole imports (`db/queries/raw_records_cleanse.sql`),
    which assembles the same `cleanse_cell` / `custom_cell` outcomes in the same order."""
    sources = _sources(mappings)
    texts = {target: text for target in ASSET_IMPORT_FIELDS  # a fixed order, whatever the column order
             if target in sources and (text := (raw.get(sources[target].source_field) or "").strip())}
    outcomes = {target: cleanse_cell(target, text, sources[target].unit, texts.get("os_version"))
                for target, text in texts.items()}
    os_read = "operating_system" in outcomes and not outcomes["operating_system"].placeholder
    if os_read and not outcomes.get("os_version", CellOutcome()).placeholder:
        outcomes.pop("os_version", None)  # read together with the OS name
    values: dict[str, object] = {}
    changes = [change for outcome in outcomes.values() if outcome.placeholder for change in outcome.changes]
    errors: list[str] = []
    defaults: dict[str, object] = {}  # values a cell proposes for another column, whose own cell wins
    for target, outcome in outcomes.items():
        if outcome.placeholder:
            continue
        if outcome.error:
            errors.append(outcome.error)
        defaulted = VALUES_DEFAULTED_BY_KIND.get(ASSET_IMPORT_FIELDS[target], ())
        for key, value in outcome.values.items():
            if key in defaulted:
                defaults[key] = value
            else:
                values[key] = value
        changes.extend(outcome.changes)
    for key, value in defaults.items():
        values.setdefault(key, value)
    if not values.get("name"):
        named = name_from_identifiers(values)
        if named is None:
            errors.append(NO_IDENTIFIER)
        else:
            values["name"] = named[0]
            changes.append(named[1])
    custom: dict[str, str] = {}
    mapped = {m.source_field for m in mappings}
    for column, cell in raw.items():
        text = (cell or "").strip()
        if column in mapped or not text:
            continue
        kept, change = custom_cell(column, text)
        if kept is not None:
            custom[column] = kept
        if change is not None:
            changes.append(change)
    if custom:
        values["custom_attributes"] = custom
    return CleansedRecord(values=values, changes=changes, errors=errors)


# Asset values a cell sets besides its own column, by kind, and the most changes one cell records: the
# set-based statement (db/cleanse_statement.py) reads exactly these; stored_cell_outcome checks them.
VALUES_SET_BY_KIND: dict[str, tuple[str, ...]] = {
    "ip_list": ("ip_addresses",), "mac_list": ("mac_addresses",), "os": ("os_family", "os_version"),
    "asset_type": ("source_class",),
}
# Values a cell proposes for another importable column: that column's own cell, when it gives a value, wins.
VALUES_DEFAULTED_BY_KIND: dict[str, tuple[str, ...]] = {"asset_type": ("is_virtual",)}
MAX_CHANGES_BY_KIND: dict[str, int] = {"os": 2}


def cleansed_one_by_one(target: str) -> bool:
    """Whether every distinct cell of `target` goes through `cleanse_cell` in the set-based cleansing;
    plain text columns send only the cells `may_change` admits (the others are kept as written)."""
    return ASSET_IMPORT_FIELDS[target] != "text" or target in _TEXT_VOCABULARIES


@functools.cache
def may_change() -> tuple[list[str], list[str]]:
    """What the set-based cleansing's SQL prefilter needs to find every text cell that cleansing could
    alter: the characters `str.strip` removes, and the placeholder keys without their spaces (for text
    of ASCII characters only, `alias_key` is its lower-cased letters and digits; other text is always
    sent)."""
    stripped = [c for c in map(chr, range(0x110000)) if c.isspace()]
    return stripped, sorted({key.replace(" ", "") for key in PLACEHOLDER_KEYS})


def stored_cell_outcome(
    target: str, stored: str, unit: SizeUnit | None = None, os_version: str = ""
) -> CellOutcome | None:
    """The outcome of a mapped cell as stored (untrimmed), for the set-based cleansing of whole imports;
    None when the cell is kept exactly as written (the SQL then takes its text). The OS column's outcome
    is always given: whether it was read decides whether the OS-version column is read on its own."""
    text = stored.strip()
    if not text:
        return CellOutcome()
    outcome = cleanse_cell(target, text, unit, os_version.strip())
    kind = ASSET_IMPORT_FIELDS[target]
    fitting = {target, *VALUES_SET_BY_KIND.get(kind, ()), *VALUES_DEFAULTED_BY_KIND.get(kind, ())}
    if not set(outcome.values) <= fitting or (
            len(outcome.changes) > MAX_CHANGES_BY_KIND.get(kind, 1)):
        raise ValueError(f"the outcome of {target} {text!r} does not fit the set-based statement: {outcome}")
    if kind == "os" or text != stored or outcome != CellOutcome({target: text}):
        return outcome
    return None


def stored_custom_outcome(column: str, stored: str) -> tuple[str | None, dict[str, object] | None] | None:
    """`custom_cell` of an unmapped cell as stored (untrimmed); None when it is kept exactly as written."""
    text = stored.strip()
    kept, change = custom_cell(column, text) if text else (None, None)
    return None if kept == stored and change is None else (kept, change)


_DATE_HEADER = re.compile(r"date|created|discovered|power\s*on|last[\s_]*seen|modified|updated", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def is_date_column(column: str) -> bool:
    """Whether an unmapped column's name says it holds dates (its dates are normalised)."""
    return _DATE_HEADER.search(column) is not None


def custom_cell(column: str, text: str) -> tuple[str | None, dict[str, object] | None]:
    """A trimmed, non-empty cell of a column no mapping uses, as kept under `custom_attributes` (None: a
    placeholder, dropped), and the change made to it: dates in date-named columns, Excel serials
    included, become ISO dates (rule `date_normalised`)."""
    if is_placeholder(text):
        return None, None
    if is_date_column(column):
        iso = parse_date(text)
        if iso is not None and iso != text:
            return iso, _change(f"custom_attributes.{column}", text, iso, "date_normalised")
    return text, None


def natural_key(values: Mapping[str, object]) -> str:
    """The asset's de-duplication key within an engagement: external id, else host, else name.

    `ext:<external_id>`; else `host:<host>`, the hostname or else the FQDN in lower case, cut to
    its first label unless it looks like an IP address (a dotted quad, or any text with `:`);
    else `name:<name>` in lower case with runs of white space made one space. The SQL match keys
    (`migration.asset_host_key` / `asset_name_key`, ADR-0007) apply the same rules.
    """
    external_id = str(values.get("external_id") or "").strip()
    if external_id:
        return f"ext:{external_id}"
    host = str(values.get("hostname") or "").strip() or str(values.get("fqdn") or "")
    host = host.strip().lower()
    if not _IP_LIKE_HOST.fullmatch(host) and ":" not in host:
        host = host.split(".")[0]
    if host:
        return f"host:{host}"
    name = " ".join(str(values.get("name") or "").split()).lower()
    if name:
        return f"name:{name}"
    raise ValueError("no identifying value (name, hostname, fqdn or external_id)")
