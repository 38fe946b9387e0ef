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

When several headers match one column the exact match wins, then the leftmost; the others get no
target and a reason naming the header that won.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.asset_fields import ASSET_IMPORT_FIELDS, GB_SIZE_FIELDS
from domain.size_units import SizeUnit, split_header_unit
from domain.vocabulary import MAPPING_SOURCES

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
            "Host": VendorOverride(None, None, "'Host' is the ESXi host the VM runs on, not its hostname"),
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

    `suggest_mappings` produces sources "exact" and "synonym" (None when nothing matches); a
    mapping read back after review may carry any of `MAPPING_SOURCES` (e.g. "user").
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


def _compact_without_unit(header: str) -> tuple[str, SizeUnit | None]:
    base, unit = split_header_unit(_DECORATIONS.sub(" ", header).strip())
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


_TARGET_BY_COMPACT: dict[str, str] = {_compact(target): target for target in ASSET_IMPORT_FIELDS}
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


def _matched(header: str, target: str, source: str, unit: SizeUnit | None, reason: str) -> MappingSuggestion:
    return MappingSuggestion(
        source_field=header,
        target_field=target,
        confidence=EXACT_CONFIDENCE if source == "exact" else SYNONYM_CONFIDENCE,
        source=source,
        reason=reason + _unit_note(target, unit),
        unit=unit if target in GB_SIZE_FIELDS else None,
    )


def _suggest(header: str, overrides: Mapping[str, tuple[str, VendorOverride]]) -> MappingSuggestion:
    full = _compact(header)
    base, unit = _compact_without_unit(header)
    if not full:
        return _unmatched(header, "empty header")
    if full in overrides or base in overrides:
        vendor, override = overrides.get(full) or overrides[base]
        if override.target is None:
            return _unmatched(header, f"{vendor}: {override.note}")
        return _matched(header, override.target, "synonym", unit or override.unit, f"{vendor}: {override.note}")
    target = _TARGET_BY_COMPACT.get(full) or _TARGET_BY_COMPACT.get(base)
    if target is not None:
        return _matched(header, target, "exact", unit, f"header is the column name {target}")
    target = _SYNONYM_INDEX.get(base)
    if target is not None:
        return _matched(header, target, "synonym", unit, f"{_shown(header)} is a known spelling of {target}")
    return _unmatched(header, "no known column matches")


def suggest_mappings(headers: list[str]) -> list[MappingSuggestion]:
    """One suggestion per header, in header order; no two suggestions share a target."""
    overrides = _active_overrides(headers)
    suggestions = [_suggest(header, overrides) for header in headers]
    winners: dict[str, int] = {}
    for index, suggestion in enumerate(suggestions):
        target = suggestion.target_field
        if target is None:
            continue
        best = winners.get(target)
        if best is None or (suggestion.source == "exact" and suggestions[best].source != "exact"):
            winners[target] = index
    resolved: list[MappingSuggestion] = []
    for index, suggestion in enumerate(suggestions):
        target = suggestion.target_field
        if target is None or winners[target] == index:
            resolved.append(suggestion)
            continue
        winner = suggestions[winners[target]]
        why = "an exact match" if winner.source == "exact" and suggestion.source != "exact" else "further left"
        resolved.append(
            _unmatched(suggestion.source_field, f"{_shown(winner.source_field)} also matches {target} and wins ({why})")
        )
    return resolved
