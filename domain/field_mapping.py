"""Suggest which asset column each header of an inventory export fills.

A header matches *exactly* when, ignoring case, punctuation and spacing, it is a column name
(`HostName`, `IP Address`, `serial_number`): confidence 1.0. It matches by *synonym* when it is a
spelling listed in `HEADER_SYNONYMS`, gathered from generic CMDB exports and the vendor formats of
FORMATS.md (RVTools, AWS, Azure Migrate, Google Migration Center, ServiceNow, Cloud Migration
Factory): confidence 0.9. Anything else gets no target and confidence 0.0.

A size unit in the header (`RAM (MB)`, `RAM.TotalSizeInMB`, `Provisioned MiB`) is cut off before
matching and carried on the suggestion so cleansing converts the values to GB. A few spellings
mean something else in one vendor's export; `VENDOR_PROFILES` recognises the export by
tell-tale headers and overrides them (RVTools `Memory` is MiB and its `Host` is the ESXi host;
ServiceNow `ram` is MB).

Headers no table knows go to a generalising matcher (`match_header`, scoring documented above
it): abbreviations, camelCase, dotted names, units and typos are normalised into canonical words,
compared with every target's name and synonyms, and a match gets a confidence below a synonym's.
A learned match (the nearest stored pattern, found by the caller) and a profile of the column's
sample values (`domain.value_profile`) are further evidence; `suggest_mappings` gives the order.

When several headers match one column the most confident wins (an exact match on a tie), then the
leftmost; the others get no target and a reason naming the header that won.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.asset_fields import ASSET_IMPORT_FIELDS, GB_SIZE_FIELDS
from domain.header_embedding import header_words
from domain.size_units import SizeUnit, split_header_unit
from domain.value_profile import profile_values, suggest_from_profile
from domain.vocabulary import LEARNING_SCOPES, MAPPING_SOURCES

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
        {"ram": VendorOverride("memory_gb", "MB", "'ram' is the memory in MB")},
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


def _without_unit(header: str) -> tuple[str, SizeUnit | None]:
    """The header without decorations and its size unit (`[GB]` is read like `(GB)`), and that unit."""
    return split_header_unit(_DECORATIONS.sub(" ", header).replace("[", "(").replace("]", ")").strip())


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


def _unit_note(target: str, unit: SizeUnit | None) -> str:
    if target not in GB_SIZE_FIELDS:
        return ""
    if unit is None:
        return "; no unit in the header, so plain numbers are read as GB"
    if unit in ("GB", "GiB"):
        return f"; values are in {unit}"
    return f"; values are in {unit} and are converted to GB"


def _unmatched(header: str, reason: str) -> MappingSuggestion:
    return MappingSuggestion(source_field=header, target_field=None, confidence=0.0, source=None, reason=reason)


def _matched(
    header: str, target: str, source: str, unit: SizeUnit | None, reason: str, confidence: float
) -> MappingSuggestion:
    return MappingSuggestion(
        source_field=header,
        target_field=target,
        confidence=round(confidence, 3),
        source=source,
        reason=reason + _unit_note(target, unit),
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
    if target is not None:
        return _matched(header, target, "exact", unit, f"header is the column name {target}", EXACT_CONFIDENCE)
    target = _SYNONYM_INDEX.get(base)
    if target is not None:
        return _matched(
            header, target, "synonym", unit, f"{_shown(header)} is a known spelling of {target}", SYNONYM_CONFIDENCE
        )
    return None


def _from_generaliser(header: str) -> MappingSuggestion | None:
    _, unit = _without_unit(header)
    match = match_header(header)
    if match is None:
        return None
    return _matched(header, match.target, "synonym", unit, match.reason, match.confidence)


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
# A header becomes a set of canonical words: its size unit is cut off, `%` reads "percent" and `#`
# "number", camelCase, dots and punctuation split words (`header_words`), and each word is put in
# its canonical form (`_WORD_FORMS`: abbreviations such as srv, nm, mem, util, pct, env, crit, dept;
# plurals of known words; a misspelling one edit from a known word of five letters or more, or two
# edits from one of eight or more). Adjacent words that form one term are joined (`_TERMS`: "host
# name" -> hostname, "operating system" -> os). Every target has the same word sets for its column
# name and each of its synonyms.
#
# Scoring, per target spelling S against the header's words H, with word weights w: a word found in
# the spellings of few targets weighs more (1 + ln(targets / targets using it)); a word no spelling
# uses weighs like the rarest (it is a sign the header means something else); qualifiers that do not
# change what a column holds (server, vm, total, primary, allocated ...) weigh 0.5. With
# I = H & S: score = 2 w(I) / (w(H) + w(S)) (weighted Dice), accepted when w(I) covers at least
# 70% of w(S) and 50% of w(H), I holds a word that is not a qualifier, and score >= 0.6. A header
# with a size unit only matches size columns. The best target's confidence is 0.5 + 0.35 * score
# (at most 0.85, below a synonym's 0.9); when another target scores within 0.05 of it, the
# confidence is capped at 0.6 and the reason names both. A numbered header ("Disk 1 size",
# "Network #2") describes one of several parts, never the whole asset, and is not generalised.

GENERALISED_BASE = 0.5
GENERALISED_SPAN = 0.35
AMBIGUOUS_CONFIDENCE = 0.6
AMBIGUITY_MARGIN = 0.05
MIN_SCORE = 0.6
MIN_SPELLING_COVERAGE = 0.7
MIN_HEADER_COVERAGE = 0.5
QUALIFIER_WEIGHT = 0.5
HEADLESS_FACTOR = 0.85

STRONG_LEARNED_SIMILARITY = 0.9
MIN_LEARNED_SIMILARITY = 0.8
LEARNED_CONFIDENCE_FACTOR = 0.85


def _forms(canonical: str, *spellings: str) -> dict[str, str]:
    return {spelling: canonical for spelling in (canonical, *spellings)}


_WORD_FORMS: dict[str, str] = {
    **_forms("server", "srv", "svr", "serv"),
    **_forms("host", "hst"),
    **_forms("name", "nm", "nme"),
    **_forms("memory", "mem", "ram", "vram"),
    **_forms("storage", "stor", "strg"),
    **_forms("disk", "dsk", "hdd", "drive"),
    **_forms("utilization", "util", "utilisation", "usage", "usg", "load"),
    **_forms("configuration", "config", "cfg"),
    **_forms("used", "use", "utilized", "utilised", "consumed"),
    **_forms("utilization", "percent", "pct", "percentage", "perc"),  # a % of CPU or memory is its utilisation
    **_forms("average", "avg", "mean"),
    **_forms("peak", "max", "maximum", "pk", "percentile"),
    **_forms("cpu", "cpus", "vcpu", "vcpus"),
    **_forms("socket", "skt"),
    **_forms("number", "num", "no", "nr", "nbr", "cnt", "count", "qty", "quantity"),
    **_forms("ip", "ipv4", "ipv6", "ipaddr"),
    **_forms("address", "addr", "adr", "addrs"),
    **_forms("mac", "macaddr"),
    **_forms("environment", "env", "envt", "envir", "environ"),
    **_forms("criticality", "crit", "critical"),
    **_forms("department", "dept", "dpt"),
    **_forms("application", "app", "appl"),
    **_forms("owner", "own", "owned", "owning", "contact"),
    **_forms("version", "ver", "vers", "rel", "release", "build"),
    **_forms("description", "desc", "descr"),
    **_forms("datacenter", "datacentre"),
    **_forms("center", "centre"),
    **_forms("cluster", "clstr", "clu"),
    **_forms("location", "loc", "locn"),
    **_forms("power", "pwr"),
    **_forms("state", "status", "stat", "sts"),
    **_forms("manufacturer", "mfr", "mfg", "manuf", "oem"),
    **_forms("model", "mdl"),
    **_forms("hardware", "hw"),
    **_forms("system", "sys"),
    **_forms("serial", "sn"),
    **_forms("business", "biz", "bus", "busn"),
    **_forms("technical", "tech"),
    **_forms("administrator", "admin", "adm"),
    **_forms("id", "identifier", "uid", "uuid", "ref", "reference"),
    **_forms("external", "ext", "extern"),
    **_forms("sensitivity", "sens"),
    **_forms("virtual", "virt", "virtualised", "virtualized"),
    **_forms("hypervisor", "virtualization", "virtualisation"),
    **_forms("monthly", "month", "mo", "mth", "mthly"),
    **_forms("dependency", "dep", "deps", "dependent", "depends", "depend"),
    **_forms("type", "category"),
    **_forms("size", "capacity", "space"),
    **_forms("nic", "nics", "adapter", "adapters"),
    **_forms("throughput", "mbps", "bandwidth"),
    **_forms("architecture", "arch"),
    **_forms("allocated", "alloc", "provisioned", "configured", "assigned"),
}
# Two adjacent canonical words that name one thing.
_TERMS: dict[tuple[str, str], str] = {
    ("host", "name"): "hostname",
    ("data", "center"): "datacenter",
    ("ip", "address"): "ip",
    ("mac", "address"): "mac",
    ("operating", "system"): "os",
    ("os", "type"): "os",  # an OS type is its family (Windows, Linux), not an asset type
    ("fully", "qualified"): "fqdn",
    ("network", "nic"): "nic",
    ("esx", "host"): "esxhost",
    ("esxi", "host"): "esxhost",
    ("vmware", "host"): "esxhost",
    ("hypervisor", "host"): "esxhost",
}
_QUALIFIERS = frozenset(
    {"server", "vm", "machine", "instance", "guest", "host", "device", "system", "primary", "all", "total",
     "current", "list", "allocated", "email", "mail", "info", "detail", "value"}
)
_STOPWORDS = frozenset(
    {"of", "the", "in", "a", "an", "for", "by", "per", "on", "to", "and", "or", "is", "at", "according", "th", "st",
     "nd", "rd", "usd", "eur", "gbp", "optional"}
)
_KEEP_WHOLE = frozenset(
    {"vcpu", "vcpus", "vram", "ipv4", "ipv6", "vmware", "vsphere", "netbios", "smbios", "fqdn", "mbps", "iops", "nics"}
)
_SYMBOLS = (
    (re.compile(r"\b[kmg]b\s*/\s*s(?:ec)?\b", re.I), " mbps "),
    (re.compile(r"%"), " percent "),
    (re.compile(r"#"), " number "),
    (re.compile(r"\b([os])/([sn])\b", re.I), r"\1\2"),  # O/S, S/N
)
_NUMBERED = re.compile(r"(?<![\w.])\d+(?![\w.])")


def _canonical_words(text: str, vocabulary: frozenset[str]) -> list[str]:
    """Canonical words of a unit-less header text; unknown words are corrected against `vocabulary`."""
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    words: list[str] = []
    for word in header_words(text, keep=_KEEP_WHOLE):
        if word.isdigit() or word in _STOPWORDS:
            continue
        words.append(_WORD_FORMS.get(word) or _known_form(word, vocabulary))
    joined: list[str] = []
    for word in words:
        term = _TERMS.get((joined[-1], word)) if joined else None
        if term:
            joined[-1] = term
        elif word not in joined:
            joined.append(word)
    return joined


def _known_form(word: str, vocabulary: frozenset[str]) -> str:
    """`word` itself when known (or nothing is known), its singular, else the closest known word."""
    if not vocabulary or word in vocabulary or word in _QUALIFIERS:
        return word
    for singular in (word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if singular and (singular in vocabulary or singular in _WORD_FORMS):
            return _WORD_FORMS.get(singular, singular)
    if len(word) < 4:
        return word
    allowed = 1 if len(word) < 8 else 2
    scored = sorted(
        (_edit_distance(word, known), -difflib.SequenceMatcher(None, word, known).ratio(), known)
        for known in vocabulary
        if abs(len(known) - len(word)) <= allowed and len(known) >= 4
    )
    if not scored or scored[0][0] > allowed:
        return word
    if len(scored) > 1 and scored[1][:2] == scored[0][:2]:
        return word  # two known words are equally close: do not guess
    return _WORD_FORMS.get(scored[0][2], scored[0][2])


def _edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class _Spelling:
    target: str
    text: str
    words: frozenset[str]


def _build_spellings() -> tuple[tuple[_Spelling, ...], dict[str, float], frozenset[str]]:
    """Every target's word sets, the weight of each word, and the known words."""
    spellings: list[_Spelling] = []
    for target in ASSET_IMPORT_FIELDS:
        for text in (target.replace("_", " "), *HEADER_SYNONYMS.get(target, ())):
            words = frozenset(_canonical_words(_without_unit(text)[0], frozenset()))
            if words:
                spellings.append(_Spelling(target, text, words))
    users: dict[str, set[str]] = {}
    for spelling in spellings:
        for word in spelling.words:
            users.setdefault(word, set()).add(spelling.target)
    total = len(ASSET_IMPORT_FIELDS)
    weights = {word: 1.0 + math.log(total / len(targets)) for word, targets in users.items()}
    known = frozenset(users) | frozenset(_WORD_FORMS.values()) | frozenset(_TERMS.values())
    return tuple(spellings), weights, known


_SPELLINGS, _WEIGHTS, _KNOWN_WORDS = _build_spellings()
_UNKNOWN_WEIGHT = 1.0 + math.log(len(ASSET_IMPORT_FIELDS))


def _weight(word: str) -> float:
    return QUALIFIER_WEIGHT if word in _QUALIFIERS else _WEIGHTS.get(word, _UNKNOWN_WEIGHT)


@dataclass(frozen=True)
class HeaderMatch:
    """The generalising matcher's answer for one header."""

    target: str
    score: float
    confidence: float
    reason: str


def _score(words: frozenset[str], head: str | None, spelling: frozenset[str]) -> float:
    common = words & spelling
    if not common or common <= _QUALIFIERS:
        return 0.0
    shared = sum(map(_weight, common))
    header_weight, spelling_weight = sum(map(_weight, words)), sum(map(_weight, spelling))
    if shared < MIN_SPELLING_COVERAGE * spelling_weight or shared < MIN_HEADER_COVERAGE * header_weight:
        return 0.0
    score = 2 * shared / (header_weight + spelling_weight)
    return score if head is None or head in spelling else score * HEADLESS_FACTOR


def match_header(header: str) -> HeaderMatch | None:
    """The target a header's words point to (see the scoring above), or None."""
    base, unit = _without_unit(header)
    if _NUMBERED.search(base):
        return None
    ordered = _canonical_words(base, _KNOWN_WORDS)
    words = frozenset(ordered)
    head = next((word for word in reversed(ordered) if word not in _QUALIFIERS), None)
    best: dict[str, tuple[float, _Spelling]] = {}
    for spelling in _SPELLINGS:
        if unit is not None and spelling.target not in GB_SIZE_FIELDS:
            continue
        score = _score(words, head, spelling.words)
        if score > best.get(spelling.target, (0.0, spelling))[0]:
            best[spelling.target] = (score, spelling)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])
    if not ranked or ranked[0][1][0] < MIN_SCORE:
        return None
    target, (score, spelling) = ranked[0]
    confidence = GENERALISED_BASE + GENERALISED_SPAN * score
    reading = " ".join(sorted(words))
    reason = f"{_shown(header)} reads as '{reading}', like {spelling.text!r} ({target}), score {score:.2f}"
    if len(ranked) > 1 and ranked[1][1][0] >= score - AMBIGUITY_MARGIN:
        runner_up, (other, _) = ranked[1]
        confidence = min(confidence, AMBIGUOUS_CONFIDENCE)
        reason += f"; almost as close to {runner_up} ({other:.2f}), so it needs a review"
    return HeaderMatch(target, round(score, 3), round(confidence, 3), reason)
