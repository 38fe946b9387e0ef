"""Suggest which asset column each header of an inventory export fills.

A header matches *exactly* when, ignoring case, punctuation and spacing, it is a column name
(`HostName`, `IP Address`, `serial_number`): confidence 1.0. It matches by *synonym* when it is a
spelling listed in `HEADER_SYNONYMS`, gathered from generic CMDB exports and the vendor formats of
FORMATS.md (RVTools, AWS, Azure Migrate, Google Migration Center, ServiceNow, Cloud Migration
Factory): confidence 0.9. A header with a `%` matches a table only as a percentage column (`CPU (%)`
is a utilisation, not a CPU count). Anything else gets no target and confidence 0.0.

A size unit in the header (`RAM (MB)`, `RAM.TotalSizeInMB`, `Provisioned MiB`) is cut off before
matching and carried on the suggestion so cleansing converts the values to GB. A few spellings
mean something else in one vendor's export; `VENDOR_PROFILES` recognises the export by
tell-tale headers and overrides them (RVTools `Memory` is MiB and its `Host` is the ESXi host;
ServiceNow `ram` is MB, its `install_status` the lifecycle state and `operational_status` the operational one).

Headers no table knows go to a generalising matcher (`match_header`, scoring documented above
it): abbreviations, camelCase, dotted names, units and typos are normalised into canonical words
(`domain.discovery.header_concepts`), compared with every target's name, synonyms and concept glossary, and
a match gets a confidence below a synonym's.
A learned match (the nearest stored pattern, found by the caller) and a profile of the column's
sample values (`domain.discovery.value_profile`) are further evidence; `suggest_mappings` gives the order.

When several headers match one column the most confident wins (an exact match on a tie), then the
leftmost; the others get no target and a reason naming the header that won.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.asset_fields import ASSET_IMPORT_FIELDS, GB_SIZE_FIELDS
from domain.discovery.header_concepts import (
    ASPECTS,
    CONCEPTS,
    OTHER_SUBJECTS,
    QUALIFIERS,
    TERMS,
    WORD_FORMS,
    HeaderReading,
    names_a_part,
    names_something_else,
    names_the_plan,
    read_header,
)
from domain.discovery.header_embedding import header_words
from domain.discovery.header_lexicon import LEXICON_FORMS
from domain.discovery.size_units import SizeUnit, split_header_unit
from domain.discovery.value_profile import profile_values, suggest_from_profile
from domain.vocabulary import LEARNING_SCOPES, MAPPING_SOURCES

# Columns whose values are percentages.
PERCENT_FIELDS = frozenset(
    {"cpu_utilization_avg", "cpu_utilization_peak", "memory_utilization_avg", "memory_utilization_peak"}
)
EXACT_CONFIDENCE = 1.0
SYNONYM_CONFIDENCE = 0.9

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "Server name",  # Azure Migrate, generic
        "Server",
        "VM",  # RVTools
        "VM Name",
        "VMware.VMName",  # AWS
        "MachineName",  # Google
        "server_name",  # Cloud Migration Factory
        "Asset Name",
        "Asset",
        "CI Name",
        "Device Name",
        "Display Name",
        "Machine",
        "Node Name",
    ),
    "external_id": ("ServerId", "MachineId", "VM UUID", "Asset ID", "Asset Tag", "Unique ID"),
    "cmdb_id": ("sys_id", "CI ID", "CMDB ID", "Configuration Item ID"),
    "hostname": ("host", "Host Name", "Computer Name", "Server Hostname", "DNS Hostname"),
    "fqdn": ("DNS Name", "server_fqdn", "Fully Qualified Domain Name"),
    "asset_type": ("Type", "sys_class_name", "CI Class", "Class", "Device Type"),
    "description": ("Annotation", "Notes", "Comments", "Comment", "short_description"),
    "serial_number": ("Serial", "Serial No", "Serial Nr"),
    "manufacturer": ("Vendor", "Make", "Hardware Vendor"),
    "model": ("Model ID", "model_id", "Hardware Model"),
    "ip_address": (
        "IP",
        "IPs",
        "IP addresses",  # Azure Migrate
        "Primary IP Address",  # RVTools
        "PrimaryIPAddress",  # Google
        "IpAddressListSemiColonDelimited",  # Google
        "IPv4 Address",
        "Addresses",
    ),
    "mac_address": ("MAC", "MAC Addresses", "PrimaryMACAddress"),
    "operating_system": (
        "OS",
        "OS Name",  # Azure Migrate, AWS "OS.Name", Google "OsName"
        "OS according to the configuration file",  # RVTools
        "OS according to the VMware Tools",  # RVTools
        "server_os_family",  # Cloud Migration Factory
        "Guest OS",
    ),
    "os_version": ("OS.Version", "server_os_version"),
    "cpu_cores": (
        "cores",
        "CPU count",
        "CPU Cores",
        "CPUs",  # RVTools
        "CPU.NumberOfCores",  # AWS
        "AllocatedProcessorCoreCount",  # Google
        "vCPU",
        "vCPUs",
        "Number of CPUs",
        "Num CPU",
        "Core Count",
        "CPU",
    ),
    "cpu_sockets": ("Sockets", "CPU.NumberOfProcessors", "Number of Processors", "Processor Count"),
    "memory_gb": (
        "Memory",  # also "Memory (In MB)" (Azure Migrate), "MemoryGiB" / "MemoryMiB" (Google)
        "RAM",  # also "RAM (MB)"
        "RAM.TotalSizeInMB",  # AWS
        "Memory Size",
        "Total Memory",
        "Mem",
    ),
    "storage_gb": (
        "Disk",
        "Disk Size",
        "disk_space",  # ServiceNow
        "Storage",
        "Total Storage",
        "Total disk capacity MiB",  # RVTools
        "Provisioned MiB",  # RVTools, older "Provisioned MB"
        "TotalDiskAllocatedGiB",  # Google
        "Allocated Storage",
        "Disk Capacity",
    ),
    "storage_used_gb": (
        "In Use MiB",  # RVTools, older "In Use MB"
        "Storage in use (In GB)",  # Azure Migrate
        "TotalDiskUsedGiB",  # Google
        "Used Storage",
        "Disk Used",
        "Storage Used",
    ),
    "disk_count": ("Disks", "Number of disks", "Num Disks"),
    "is_virtual": ("Virtual", "Is VM"),
    "hypervisor": ("Virtualization Platform", "Virtualisation Platform"),
    "power_state": ("Powerstate", "Power Status", "MachineStatus", "VM State"),
    "lifecycle_state": ("Installation Status", "Lifecycle Status", "Lifecycle State", "Life Cycle Status",
                        "Hardware Status"),  # ServiceNow's install_status: VENDOR_PROFILES
    "operational_state": ("Operational State",),  # ServiceNow's operational_status: VENDOR_PROFILES
    "datacenter": ("Data Center", "Datacentre", "DC"),
    "cluster": ("ESX Cluster", "Cluster Name"),
    "location": ("Site", "HostingLocation", "Building", "City"),
    "environment": ("env", "u_environment", "server_environment", "Env Type"),
    "application_name": (
        "app",
        "Application",
        "App Name",
        "app_name",  # Cloud Migration Factory
        "Applications",  # AWS
        "Business Application",
        "Business Service",
    ),
    "business_owner": ("Owner", "App Owner", "Application Owner", "owned_by", "Business Contact"),
    "technical_owner": ("Tech Owner", "managed_by", "support_group", "System Owner", "Administrator"),
    "department": ("Dept",),
    "business_unit": ("BU", "Division", "Line of Business", "LOB"),
    "business_criticality": ("criticality", "Criticality Tier", "Business Impact", "Importance", "Crit"),
    "data_classification": ("Classification", "Data Sensitivity", "Sensitivity"),
    "cpu_utilization_avg": (
        "CPU Util",
        "CPU Utilization",
        "CPU Utilisation",
        "CPU utilization percentage",  # Azure Migrate
        "CPU.UsagePct.Avg",  # AWS
        "CPU Usage",
        "Avg CPU",
        "CPU Avg",
        "Average CPU",
    ),
    "cpu_utilization_peak": (
        "CPU.UsagePct.Max",  # AWS
        "CPU Peak",
        "Peak CPU",
        "Max CPU",
        "CPU Max",
        "CPU Util Peak",
    ),
    "memory_utilization_avg": (
        "Memory utilization percentage",  # Azure Migrate
        "Memory Utilization",
        "Memory Utilisation",
        "Memory Util",
        "Mem Util",
        "RAM Util",
    ),
    "memory_utilization_peak": ("Memory Util Peak", "Peak Memory Util", "Max Memory Util"),
    "current_monthly_cost": ("Monthly Cost", "Cost per Month", "Cost", "Run Cost"),
    "cost_currency": ("Currency", "Cost Currency", "Currency Code"),
    "database_engine": ("DB Engine", "Database Engine", "Database Type", "DBMS", "DB Type"),
    "depends_on": ("depends on", "dependencies", "Depends", "Dependency", "Dependent On", "Upstream"),
    "host_name": ("ESXi Host", "ESX Host"),
    "is_template": ("Template",),  # RVTools
    "bios_uuid": ("SMBIOS UUID", "SMBiosId"),  # RVTools, AWS
    "vm_hardware_version": ("HW version",),  # RVTools
    "network_adapters": ("NICs",),  # RVTools; Azure "Network adapters" is the column name
}


@dataclass(frozen=True)
class VendorOverride:
    """What one header means in one vendor's export: a target (or none) and the unit of its values."""

    target: str | None
    unit: SizeUnit | None
    note: str


@dataclass(frozen=True)
class VendorProfile:
    """An export recognised by headers that all appear in it, and the headers it spells its own way."""

    vendor: str
    signature: tuple[str, ...]
    overrides: Mapping[str, VendorOverride]


VENDOR_PROFILES: tuple[VendorProfile, ...] = (
    VendorProfile(
        "RVTools vInfo",
        ("VM", "Powerstate"),
        {
            "Memory": VendorOverride("memory_gb", "MiB", "'Memory' is the VM's memory in MiB"),
            "Host": VendorOverride("host_name", None, "'Host' is the ESXi host the VM runs on, not its hostname"),
        },
    ),
    VendorProfile(
        "ServiceNow CMDB",
        ("sys_id",),
        {
            "ram": VendorOverride("memory_gb", "MB", "'ram' is the memory in MB"),
            "install_status": VendorOverride("lifecycle_state", None, "'install_status' is the CI's lifecycle "
                                             "(Installed, In stock, Retired, Absent ...; codes 1-8, 100)"),
            "operational_status": VendorOverride("operational_state", None, "'operational_status' says whether "
                                                 "the CI runs (Operational, Non-Operational, Retired ...; codes 1-8)"),
        },
    ),
)


class MappingSuggestion(BaseModel):
    """One header and the asset column it is suggested to fill, with why and how sure.

    `suggest_mappings` produces sources "exact", "synonym" (also for generalised matches, at a
    lower confidence), "learned" and "profile" (None when nothing matches); a mapping read back
    after review may carry any of `MAPPING_SOURCES` (e.g. "user").
    """

    model_config = ConfigDict(frozen=True)

    source_field: str
    target_field: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    source: str | None
    reason: str
    unit: SizeUnit | None = None

    @field_validator("target_field")
    @classmethod
    def _known_target(cls, value: str | None) -> str | None:
        if value is not None and value not in ASSET_IMPORT_FIELDS:
            raise ValueError(f"{value!r} is not an importable asset field")
        return value

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str | None) -> str | None:
        if value is not None and value not in MAPPING_SOURCES:
            raise ValueError(f"{value!r} is not one of {MAPPING_SOURCES}")
        return value


@dataclass(frozen=True)
class LearnedMatch:
    """The nearest learned mapping pattern to a header, found by the caller (pgvector cosine search).

    `header` is the header the pattern was learned from; `validated` is True for a pattern a person
    approved (a user correction).
    """

    target: str
    similarity: float
    scope: str
    pattern_id: str
    header: str
    validated: bool = False

    def __post_init__(self) -> None:
        if self.target not in ASSET_IMPORT_FIELDS:
            raise ValueError(f"learned pattern {self.pattern_id}: {self.target!r} is not an importable asset field")
        if not 0.0 <= self.similarity <= 1.0:
            raise ValueError(f"learned pattern {self.pattern_id}: similarity {self.similarity} is not between 0 and 1")
        if self.scope not in LEARNING_SCOPES:
            raise ValueError(f"learned pattern {self.pattern_id}: scope {self.scope!r} is not one of {LEARNING_SCOPES}")


_DECORATIONS = re.compile(r"\ufeff|\*|\(\s*optional\s*\)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\W_]+")


def normalise_header(header: str) -> str:
    """Lower-case words joined by single underscores, without BOM, `*` and `(optional)`.

    `'\\ufeff*Memory (In MB) '` -> `'memory_in_mb'`; `'RAM.TotalSizeInMB'` -> `'ram_totalsizeinmb'`.
    """
    return _SEPARATORS.sub("_", _DECORATIONS.sub(" ", header).casefold()).strip("_")


def _compact(header: str) -> str:
    """The header with spacing and punctuation gone, for comparing spellings: `'Host Name'` -> `'hostname'`."""
    return normalise_header(header).replace("_", "")


_FRENCH_UNIT = re.compile(r"(?<![A-Za-z])([KMGT])o(?![A-Za-z])")


def _without_unit(header: str) -> tuple[str, SizeUnit | None]:
    """The header without decorations and its size unit (`[GB]` is read like `(GB)`, French `(Go)` like
    `(GB)`), and that unit."""
    base, unit = split_header_unit(_DECORATIONS.sub(" ", header).replace("[", "(").replace("]", ")").strip())
    if unit is None and _FRENCH_UNIT.search(base):
        french, unit = split_header_unit(_FRENCH_UNIT.sub(r"\1B", base))
        base = french if unit is not None else base
    return base, unit


def _compact_without_unit(header: str) -> tuple[str, SizeUnit | None]:
    base, unit = _without_unit(header)
    return _compact(base), unit


def _build_synonym_index(synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for target, spellings in synonyms.items():
        if target not in ASSET_IMPORT_FIELDS:
            raise ValueError(f"synonyms listed for unknown field {target!r}")
        for spelling in spellings:
            key = _compact_without_unit(spelling)[0]
            if index.setdefault(key, target) != target:
                raise ValueError(f"{spelling!r} is listed for both {index[key]!r} and {target!r}")
    return index


_TARGET_BY_COMPACT: dict[str, str] = {}
for _target in ASSET_IMPORT_FIELDS:  # "hostname" and "host_name" compact alike: the first listed wins
    _TARGET_BY_COMPACT.setdefault(_compact(_target), _target)
_SYNONYM_INDEX: dict[str, str] = _build_synonym_index(HEADER_SYNONYMS)


def _active_overrides(headers: list[str]) -> dict[str, tuple[str, VendorOverride]]:
    """compact header -> (vendor, override) for every vendor profile whose signature is present."""
    present = {_compact(header) for header in headers}
    return {
        _compact(spelling): (profile.vendor, override)
        for profile in VENDOR_PROFILES
        if all(_compact(tell) in present for tell in profile.signature)
        for spelling, override in profile.overrides.items()
    }


def _shown(header: str) -> str:
    return repr(header.replace("\ufeff", "").strip())


def _unit_note(target: str, unit: SizeUnit | None, in_bytes: bool = False) -> str:
    if target not in GB_SIZE_FIELDS:
        return ""
    if in_bytes:
        return "; values are in bytes, which cleansing does not convert: divide them by 1024^3"
    if unit is None:
        return "; no unit in the header, so plain numbers are read as GB"
    if unit in ("GB", "GiB"):
        return f"; values are in {unit}"
    return f"; values are in {unit} and are converted to GB"


def _unmatched(header: str, reason: str) -> MappingSuggestion:
    return MappingSuggestion(source_field=header, target_field=None, confidence=0.0, source=None, reason=reason)


def _matched(
    header: str,
    target: str,
    source: str,
    unit: SizeUnit | None,
    reason: str,
    confidence: float,
    in_bytes: bool = False,
) -> MappingSuggestion:
    return MappingSuggestion(
        source_field=header,
        target_field=target,
        confidence=round(confidence, 3),
        source=source,
        reason=reason + _unit_note(target, unit, in_bytes),
        unit=unit if target in GB_SIZE_FIELDS else None,
    )


def _from_tables(header: str, overrides: Mapping[str, tuple[str, VendorOverride]]) -> MappingSuggestion | None:
    """A vendor profile's, exact or synonym suggestion for a non-empty header, or None."""
    full = _compact(header)
    base, unit = _compact_without_unit(header)
    if full in overrides or base in overrides:
        vendor, override = overrides.get(full) or overrides[base]
        if override.target is None:
            return _unmatched(header, f"{vendor}: {override.note}")
        return _matched(
            header, override.target, "synonym", unit or override.unit, f"{vendor}: {override.note}", SYNONYM_CONFIDENCE
        )
    target = _TARGET_BY_COMPACT.get(full) or _TARGET_BY_COMPACT.get(base)
    if "%" in header and (target or _SYNONYM_INDEX.get(base)) not in PERCENT_FIELDS:
        return None  # a share of a thing is not the thing: "CPU (%)" is a utilisation, not a CPU count
    if target is not None:
        return _matched(header, target, "exact", unit, f"header is the column name {target}", EXACT_CONFIDENCE)
    target = _SYNONYM_INDEX.get(base)
    if target is not None:
        return _matched(
            header, target, "synonym", unit, f"{_shown(header)} is a known spelling of {target}", SYNONYM_CONFIDENCE
        )
    return None


def _from_generaliser(header: str) -> MappingSuggestion | None:
    _, unit = _header_unit(header)
    match = match_header(header)
    if match is None:
        return None
    if match.target is None:
        return _unmatched(header, match.reason)
    return _matched(header, match.target, "synonym", unit, match.reason, match.confidence, match.in_bytes)


def _from_learned(header: str, learned: LearnedMatch) -> MappingSuggestion:
    _, unit = _without_unit(header)
    strong = learned.validated and learned.similarity >= STRONG_LEARNED_SIMILARITY
    confidence = learned.similarity if strong else learned.similarity * LEARNED_CONFIDENCE_FACTOR
    origin = "an approved correction" if learned.validated else "a learned pattern"
    reason = (
        f"{origin} mapped {_shown(learned.header)} to {learned.target} "
        f"(similarity {learned.similarity:.2f}, {learned.scope} scope, pattern {learned.pattern_id})"
    )
    return _matched(header, learned.target, "learned", unit, reason, min(confidence, EXACT_CONFIDENCE))


def _from_profile(header: str, values: list[str], taken: set[str]) -> MappingSuggestion | None:
    """The most confident profile suggestion whose target no header-based suggestion has taken."""
    _, unit = _without_unit(header)
    for target, confidence, reason in suggest_from_profile(profile_values(values)):
        if target not in taken:
            return _matched(header, target, "profile", unit, f"header unknown; {reason}", confidence)
    return None


def _overrides_tables(learned: LearnedMatch | None, header: str, table: MappingSuggestion | None) -> bool:
    """True when a learned match wins over the tables' answer: an approved correction at similarity
    >= 0.9 beats a synonym or vendor reading, and beats an exact match only when it corrected this very
    header."""
    if learned is None or not learned.validated or learned.similarity < STRONG_LEARNED_SIMILARITY:
        return False
    if table is None or table.source != "exact":
        return True
    return _compact(learned.header) == _compact(header)


def _suggest(
    header: str, overrides: Mapping[str, tuple[str, VendorOverride]], learned: LearnedMatch | None
) -> MappingSuggestion | None:
    """The header-based suggestion (tables, strong learned, generaliser, weaker learned), or None."""
    if not _compact(header):
        return _unmatched(header, "empty header")
    table = _from_tables(header, overrides)
    if _overrides_tables(learned, header, table):
        return _from_learned(header, learned)
    if table is not None:
        return table
    generalised = _from_generaliser(header)
    if generalised is not None:
        return generalised
    if learned is not None and learned.similarity >= MIN_LEARNED_SIMILARITY:
        return _from_learned(header, learned)
    return None


def _resolve_unique_targets(suggestions: list[MappingSuggestion]) -> list[MappingSuggestion]:
    """Keep each target on one header: the most confident, an exact match on a tie, then the leftmost."""
    winners: dict[str, int] = {}
    for index, suggestion in enumerate(suggestions):
        target = suggestion.target_field
        if target is None:
            continue
        best = winners.get(target)
        if best is None or _rank(suggestion) > _rank(suggestions[best]):
            winners[target] = index
    resolved: list[MappingSuggestion] = []
    for index, suggestion in enumerate(suggestions):
        target = suggestion.target_field
        if target is None or winners[target] == index:
            resolved.append(suggestion)
            continue
        winner = suggestions[winners[target]]
        if winner.source == "exact" and suggestion.source != "exact":
            why = "an exact match"
        elif winner.confidence > suggestion.confidence:
            why = f"more confident, {winner.confidence:.2f}"
        else:
            why = "further left"
        resolved.append(
            _unmatched(suggestion.source_field, f"{_shown(winner.source_field)} also matches {target} and wins ({why})")
        )
    return resolved


def _rank(suggestion: MappingSuggestion) -> tuple[float, bool]:
    return suggestion.confidence, suggestion.source == "exact"


def suggest_mappings(
    headers: list[str],
    samples: Mapping[str, list[str]] | None = None,
    learned: Mapping[str, LearnedMatch] | None = None,
) -> list[MappingSuggestion]:
    """One suggestion per header, in header order; no two suggestions share a target.

    `samples` maps a header to some of its column's values, `learned` a header to its nearest
    learned pattern; both are optional. Evidence is weighed in this order: vendor profile, exact
    and synonym tables; an approved correction at similarity >= 0.9 (it beats the tables, see
    `_overrides_tables`); the generalising matcher (`match_header`); other learned patterns; the
    values' profile, for headers nothing else recognised, onto targets no header has taken.
    """
    samples = samples or {}
    learned = learned or {}
    overrides = _active_overrides(headers)
    found = [_suggest(header, overrides, learned.get(header)) for header in headers]
    taken = {s.target_field for s in found if s is not None and s.target_field is not None}
    suggestions: list[MappingSuggestion] = []
    for header, suggestion in zip(headers, found, strict=True):
        if suggestion is None and samples.get(header):
            suggestion = _from_profile(header, samples[header], taken)
        suggestions.append(suggestion or _unmatched(header, "no known column matches"))
    return _resolve_unique_targets(suggestions)


# --- The generalising matcher ----------------------------------------------------------------
# Every target has word sets (`domain.discovery.header_concepts.read_header`) for its column name, each of its
# synonyms and each phrase of its concept glossary (`CONCEPTS`). A header is read the same way, with
# unknown words corrected against the known ones.
#
# Word weights: a word found in the spellings of few targets weighs more (1 + ln(targets / targets
# using it)); a word no spelling uses weighs 1.5 times the rarest (it is a sign the header means
# something else: "CPU *Ready* %", "*Snapshot* Count"); qualifiers (server, vm, total, primary ...)
# weigh 0.5. On the header's side a secondary word (in brackets, after a preposition, or in a
# dotted name's namespace) weighs half, a namespace word half again, and an aspect word (name, type,
# level, number ...) half when the header also has a word that names the attribute ("Hypervisor
# *Type*").
#
# Scoring, per target spelling S against the header's words H, I = H & S: spelling coverage
# c_s = w(I) / w(S) >= 0.7 and header coverage c_h = w_h(I) / w_h(H) >= 0.5, I holds a word that
# is not a qualifier (unless H and S are the same words), and score = 2 c_s c_h / (c_s + c_h)
# (their harmonic mean, weighted Dice when no header word is discounted) >= 0.6. A spelling without
# the header's head word scores 0.85 times less. With a size unit in the header only size columns
# compete, "size" is dropped as saying nothing more, and a "usage" in bytes reads as "used"; so with
# the word "bytes", which no `SizeUnit` expresses: the reason then says the values need converting. A
# numbered part ("Disk 2 size", "Network #1") and a column about the migration's destination
# ("Target Region") are not generalised; a header about something no column holds ("Default Gateway",
# "Free Space", "Annual Cost") gets no target with a reason saying so, and its values are not profiled. A header naming one statistic (peak or average) never
# matches a target giving the other. The best target's confidence is 0.5 + 0.35 * score (at
# most 0.85, below a synonym's 0.9); when another target scores within 0.05 of it, the confidence
# is capped at 0.6 and the reason names both.

GENERALISED_BASE = 0.5
GENERALISED_SPAN = 0.35
AMBIGUOUS_CONFIDENCE = 0.6
AMBIGUITY_MARGIN = 0.05
MIN_SCORE = 0.6
MIN_SPELLING_COVERAGE = 0.7
MIN_HEADER_COVERAGE = 0.5
QUALIFIER_WEIGHT = 0.5
DISCOUNT = 0.5
UNKNOWN_FACTOR = 1.5
HEADLESS_FACTOR = 0.85

STRONG_LEARNED_SIMILARITY = 0.9
MIN_LEARNED_SIMILARITY = 0.8
LEARNED_CONFIDENCE_FACTOR = 0.85

_UNIT_WORDS: dict[str, SizeUnit] = {unit.lower(): unit for unit in ("KB", "KiB", "MB", "MiB", "GB", "GiB", "TB", "TiB")}


@dataclass(frozen=True)
class _Spelling:
    target: str
    text: str
    words: frozenset[str]


def _spelling_words(text: str) -> frozenset[str]:
    return frozenset(read_header(_without_unit(text)[0]).words)


def _build_spellings() -> tuple[tuple[_Spelling, ...], dict[str, float], dict[str, str]]:
    """Every target's word sets, the weight of each word, and the known spellings -> canonical words.

    A column name that reads like an earlier column's name ("host name" after "hostname") is left
    out: it would make every match of the first one ambiguous.
    """
    spellings: list[_Spelling] = []
    names: set[frozenset[str]] = set()
    for target in ASSET_IMPORT_FIELDS:
        name_words = _spelling_words(target.replace("_", " "))
        texts = (*HEADER_SYNONYMS.get(target, ()), *CONCEPTS.get(target, ()))
        if name_words not in names:
            names.add(name_words)
            spellings.append(_Spelling(target, target, name_words))
        spellings.extend(_Spelling(target, text, words) for text in texts if (words := _spelling_words(text)))
    users: dict[str, set[str]] = {}
    for spelling in spellings:
        for word in spelling.words:
            users.setdefault(word, set()).add(spelling.target)
    total = len(ASSET_IMPORT_FIELDS)
    weights = {word: 1.0 + math.log(total / len(targets)) for word, targets in users.items()}
    known = {word: word for word in users}
    known.update(
        (spelling, form)
        for spelling, form in WORD_FORMS.items()
        if (len(spelling) >= 5 or spelling == form + "s") and spelling not in LEXICON_FORMS
    )
    known.update((word, word) for word in WORD_FORMS.values() if " " not in word)
    known.update((word, word) for pair in TERMS for word in pair)
    known.update((word, word) for word in OTHER_SUBJECTS)
    return tuple(spellings), weights, known


_SPELLINGS, _WEIGHTS, _KNOWN = _build_spellings()
_UNKNOWN_WEIGHT = UNKNOWN_FACTOR * (1.0 + math.log(len(ASSET_IMPORT_FIELDS)))


def _weight(word: str) -> float:
    return QUALIFIER_WEIGHT if word in QUALIFIERS else _WEIGHTS.get(word, _UNKNOWN_WEIGHT)


def _header_weights(reading: HeaderReading) -> dict[str, float]:
    """Each header word's weight on the header's side: secondary words and, beside a word naming the
    attribute, aspect words count half; the outer namespace of a dotted name counts half again."""
    named = any(word not in QUALIFIERS and word not in ASPECTS for word in reading.words)
    return {
        word: _weight(word)
        * (DISCOUNT if word in reading.secondary else 1.0)
        * (DISCOUNT if word in reading.context else 1.0)
        * (DISCOUNT if named and word in ASPECTS else 1.0)
        for word in reading.words
    }


@dataclass(frozen=True)
class HeaderMatch:
    """The generalising matcher's answer for one header; no target when the header names something an
    asset has no column for (the reason says what)."""

    target: str | None
    score: float
    confidence: float
    reason: str
    in_bytes: bool = False


BYTES = "bytes"


def _score(reading: HeaderReading, header_weights: Mapping[str, float], spelling: frozenset[str]) -> float:
    words = frozenset(reading.words)
    common = words & spelling
    if not common or (common <= QUALIFIERS and words != spelling):
        return 0.0
    spelling_coverage = sum(map(_weight, common)) / sum(map(_weight, spelling))
    header_coverage = sum(header_weights[word] for word in common) / sum(header_weights.values())
    if spelling_coverage < MIN_SPELLING_COVERAGE or header_coverage < MIN_HEADER_COVERAGE:
        return 0.0
    score = 2 * spelling_coverage * header_coverage / (spelling_coverage + header_coverage)
    return score if reading.head is None or reading.head in spelling else score * HEADLESS_FACTOR


_STANDALONE_UNIT = re.compile(r"(?<![^\W_])(" + "|".join(_UNIT_WORDS) + r")(?![^\W_])(?!\s*/\s*s)", re.I)  # not MB/s
_GLUED_UNIT = re.compile(r"^([a-z]{3,})(" + "|".join(_UNIT_WORDS) + r")$")


def _header_unit(header: str) -> tuple[str, SizeUnit | None]:
    """The header without its size unit, and that unit; also a trailing camelCase `Mb`/`Gb` (`ramSizeMb`), a
    unit word amid others (`Disk Size GB total`) and a unit glued to known words (`DISKSIZEGB`)."""
    base, unit = _without_unit(header)
    if unit is not None:
        return base, unit
    words = header_words(base)
    if len(words) > 1 and words[-1] in _UNIT_WORDS and re.search(words[-1] + r"\W*$", base, re.I):
        return re.sub(words[-1] + r"\W*$", "", base, flags=re.I), _UNIT_WORDS[words[-1]]
    standalone = _STANDALONE_UNIT.search(base)
    if len(words) > 1 and standalone is not None:
        return f"{base[: standalone.start()]} {base[standalone.end() :]}".strip(), _UNIT_WORDS[standalone[1].lower()]
    glued = _GLUED_UNIT.match(words[-1]) if len(words) == 1 else None
    if glued is not None and all(word in _WEIGHTS for word in read_header(glued[1], _KNOWN).words):
        return glued[1], _UNIT_WORDS[glued[2]]
    return base, unit


_STATISTIC_SUFFIXES = {"average": "_avg", "peak": "_peak"}


def _other_statistic_targets(words: tuple[str, ...]) -> frozenset[str]:
    """Targets giving another statistic than the only one the header names: a peak is never an average."""
    named = [suffix for word, suffix in _STATISTIC_SUFFIXES.items() if word in words]
    if len(named) != 1:
        return frozenset()
    return frozenset(
        target
        for target in ASSET_IMPORT_FIELDS
        for suffix in _STATISTIC_SUFFIXES.values()
        if suffix != named[0] and target.endswith(suffix)
    )


def match_header(header: str) -> HeaderMatch | None:
    """The target a header's words point to (see the scoring above), no target when they name something
    an asset has no column for, or None."""
    base, unit = _header_unit(header)
    if names_a_part(base):
        return None
    reading = read_header(base, _KNOWN)
    if names_the_plan(reading.words):
        return None
    other = names_something_else(reading)
    if other is not None:
        reason = f"{_shown(header)} is about {other!r}, which no asset column holds"
        return HeaderMatch(None, 0.0, 0.0, reason)
    in_bytes = unit is None and BYTES in reading.words  # a size in bytes ("memoryTotalBytes") has no SizeUnit
    sized = unit is not None or in_bytes
    if sized:  # only sizes compete: "size" says nothing more, and a usage in bytes is the used amount
        words = tuple(
            dict.fromkeys(
                "used" if word == "utilization" else word for word in reading.words if word not in ("size", BYTES)
            )
        )
        head = "used" if reading.head == "utilization" else reading.head
        reading = HeaderReading(words or reading.words, reading.secondary, head, reading.context)
    header_weights = _header_weights(reading)
    excluded = _other_statistic_targets(reading.words)
    best: dict[str, tuple[float, _Spelling]] = {}
    for spelling in _SPELLINGS:
        if (sized and spelling.target not in GB_SIZE_FIELDS) or spelling.target in excluded:
            continue
        score = _score(reading, header_weights, spelling.words)
        if score > best.get(spelling.target, (0.0, spelling))[0]:
            best[spelling.target] = (score, spelling)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])
    if not ranked or ranked[0][1][0] < MIN_SCORE:
        return None
    target, (score, spelling) = ranked[0]
    confidence = GENERALISED_BASE + GENERALISED_SPAN * score
    reading_text = " ".join(sorted(reading.words))
    reason = f"{_shown(header)} reads as '{reading_text}', like {spelling.text!r} ({target}), score {score:.2f}"
    if len(ranked) > 1 and ranked[1][1][0] >= score - AMBIGUITY_MARGIN:
        runner_up, (other, _) = ranked[1]
        confidence = min(confidence, AMBIGUOUS_CONFIDENCE)
        reason += f"; almost as close to {runner_up} ({other:.2f}), so it needs a review"
    return HeaderMatch(target, round(score, 3), round(confidence, 3), reason, in_bytes)
