"""Header normalisation and mapping suggestions, for generic and vendor exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.field_mapping import (
    HEADER_SYNONYMS,
    MappingSuggestion,
    normalise_header,
    suggest_mappings,
)

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "samples" / "demo_inventory.csv"


def _targets(headers: list[str]) -> dict[str, str | None]:
    return {s.source_field: s.target_field for s in suggest_mappings(headers)}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("\ufeffServer Name ", "server_name"),
        ("*Memory (In MB)", "memory_in_mb"),
        ("IP address (optional)", "ip_address"),
        ("RAM.TotalSizeInMB", "ram_totalsizeinmb"),
        ("CPU Util %", "cpu_util"),
        ("  Business -- Criticality  ", "business_criticality"),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Server name", "name"),
        ("VM", "name"),
        ("HostName", "hostname"),
        ("host", "hostname"),
        ("CPU count", "cpu_cores"),
        ("cores", "cpu_cores"),
        ("RAM (MB)", "memory_gb"),
        ("Memory", "memory_gb"),
        ("OS", "operating_system"),
        ("Operating System", "operating_system"),
        ("env", "environment"),
        ("Environment", "environment"),
        ("criticality", "business_criticality"),
        ("Business Criticality", "business_criticality"),
        ("app", "application_name"),
        ("Application", "application_name"),
        ("depends on", "depends_on"),
        ("dependencies", "depends_on"),
        ("IP", "ip_address"),
        ("IP Address", "ip_address"),
    ],
)
def test_generic_spellings(header: str, target: str) -> None:
    [suggestion] = suggest_mappings([header])
    assert suggestion.target_field == target
    assert suggestion.source_field == header


def test_exact_beats_synonym_in_confidence_and_source() -> None:
    exact, synonym, unknown = suggest_mappings(["Host Name ", "host", "Favourite colour"])
    assert (exact.source, exact.confidence, exact.target_field) == ("exact", 1.0, "hostname")
    assert (synonym.source, synonym.confidence, synonym.target_field) == (None, 0.0, None)
    assert "'Host Name'" in synonym.reason and "exact match" in synonym.reason
    assert (unknown.source, unknown.confidence, unknown.target_field) == (None, 0.0, None)
    assert unknown.reason == "no known column matches"


def test_two_synonyms_for_one_target_keep_the_leftmost() -> None:
    first, second = suggest_mappings(["VM", "Server name"])
    assert (first.target_field, first.source, first.confidence) == ("name", "synonym", 0.9)
    assert second.target_field is None
    assert "'VM' also matches name" in second.reason and "further left" in second.reason


@pytest.mark.parametrize(
    ("header", "unit"),
    [("Memory (MB)", "MB"), ("RAM.TotalSizeInMB", "MB"), ("Memory (In MB)", "MB"), ("MemoryGiB", "GiB"),
     ("MemoryMiB", "MiB"), ("RAM (GB)", "GB"), ("Disk (TB)", "TB"), ("memory_gb", "GB"), ("Memory KB", "KB")],
)
def test_size_headers_carry_their_unit(header: str, unit: str) -> None:
    [suggestion] = suggest_mappings([header])
    assert suggestion.target_field in ("memory_gb", "storage_gb")
    assert suggestion.unit == unit


def test_size_header_without_unit_says_values_are_read_as_gb() -> None:
    [suggestion] = suggest_mappings(["Total Memory"])
    assert suggestion.unit is None and "read as GB" in suggestion.reason


def test_units_are_only_carried_for_size_columns() -> None:
    [suggestion] = suggest_mappings(["CPU.UsagePct.Avg"])
    assert suggestion.target_field == "cpu_utilization_avg" and suggestion.unit is None


def test_rvtools_vinfo() -> None:
    headers = ["VM", "Powerstate", "Template", "DNS Name", "CPUs", "Memory", "NICs", "Disks",
               "Total disk capacity MiB", "Primary IP Address", "Provisioned MiB", "In Use MiB", "Annotation",
               "Datacenter", "Cluster", "Host", "OS according to the configuration file",
               "OS according to the VMware Tools", "VM UUID"]
    suggestions = {s.source_field: s for s in suggest_mappings(headers)}
    assert _targets(headers) == {
        "VM": "name", "Powerstate": "power_state", "Template": "is_template", "DNS Name": "fqdn", "CPUs": "cpu_cores",
        "Memory": "memory_gb", "NICs": "network_adapters", "Disks": "disk_count", "Total disk capacity MiB": "storage_gb",
        "Primary IP Address": "ip_address", "Provisioned MiB": None, "In Use MiB": "storage_used_gb",
        "Annotation": "description", "Datacenter": "datacenter", "Cluster": "cluster", "Host": "host_name",
        "OS according to the configuration file": "operating_system", "OS according to the VMware Tools": None,
        "VM UUID": "external_id",
    }
    assert suggestions["Memory"].unit == "MiB"  # RVTools memory is MiB although the header says nothing
    assert suggestions["Total disk capacity MiB"].unit == "MiB"
    assert "ESXi host" in suggestions["Host"].reason


def test_host_means_hostname_outside_rvtools() -> None:
    assert _targets(["Server Name", "Host"]) == {"Server Name": "name", "Host": "hostname"}


def test_aws_import_template() -> None:
    headers = ["ExternalId", "SMBiosId", "IPAddress", "MACAddress", "HostName", "VMware.MoRefId",
               "CPU.NumberOfProcessors", "CPU.NumberOfCores", "CPU.NumberOfLogicalCores", "OS.Name", "OS.Version",
               "VMware.VMName", "RAM.TotalSizeInMB", "RAM.UsedSizeInMB.Avg", "CPU.UsagePct.Avg", "CPU.UsagePct.Max",
               "Applications", "Tags", "ServerId"]
    suggestions = {s.source_field: s for s in suggest_mappings(headers)}
    assert _targets(headers) == {
        "ExternalId": "external_id", "SMBiosId": "bios_uuid", "IPAddress": "ip_address", "MACAddress": "mac_address",
        "HostName": "hostname", "VMware.MoRefId": None, "CPU.NumberOfProcessors": "cpu_sockets",
        "CPU.NumberOfCores": "cpu_cores", "CPU.NumberOfLogicalCores": None, "OS.Name": "operating_system",
        "OS.Version": "os_version", "VMware.VMName": "name", "RAM.TotalSizeInMB": "memory_gb",
        "RAM.UsedSizeInMB.Avg": None, "CPU.UsagePct.Avg": "cpu_utilization_avg",
        "CPU.UsagePct.Max": "cpu_utilization_peak", "Applications": "application_name", "Tags": "tags",
        "ServerId": None,
    }
    assert suggestions["RAM.TotalSizeInMB"].unit == "MB"
    assert "'ExternalId' also matches external_id" in suggestions["ServerId"].reason


def test_azure_migrate_template() -> None:
    headers = ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
               "OS architecture", "Hypervisor", "CPU utilization percentage", "Memory utilization percentage",
               "Number of disks", "Storage in use (In GB)", "Disk 1 size (In GB)"]
    suggestions = {s.source_field: s for s in suggest_mappings(headers)}
    assert _targets(headers) == {
        "*Server name": "name", "IP addresses": "ip_address", "*Cores": "cpu_cores", "*Memory (In MB)": "memory_gb",
        "*OS name": "operating_system", "OS version": "os_version", "OS architecture": "os_architecture",
        "Hypervisor": "hypervisor", "CPU utilization percentage": "cpu_utilization_avg",
        "Memory utilization percentage": "memory_utilization_avg", "Number of disks": "disk_count",
        "Storage in use (In GB)": "storage_used_gb", "Disk 1 size (In GB)": None,
    }
    assert suggestions["*Memory (In MB)"].unit == "MB"
    assert suggestions["Storage in use (In GB)"].unit == "GB"


def test_google_migration_center_vminfo() -> None:
    headers = ["MachineId", "MachineName", "PrimaryIPAddress", "PrimaryMACAddress", "IpAddressListSemiColonDelimited",
               "TotalDiskAllocatedGiB", "TotalDiskUsedGiB", "AllocatedProcessorCoreCount", "MemoryGiB",
               "HostingLocation", "OsType", "OsName", "OsVersion", "MachineStatus", "IsPhysical"]
    suggestions = {s.source_field: s for s in suggest_mappings(headers)}
    assert _targets(headers) == {
        "MachineId": "external_id", "MachineName": "name", "PrimaryIPAddress": "ip_address",
        "PrimaryMACAddress": "mac_address", "IpAddressListSemiColonDelimited": None,
        "TotalDiskAllocatedGiB": "storage_gb", "TotalDiskUsedGiB": "storage_used_gb",
        "AllocatedProcessorCoreCount": "cpu_cores", "MemoryGiB": "memory_gb", "HostingLocation": "location",
        "OsType": None, "OsName": "operating_system", "OsVersion": "os_version", "MachineStatus": "power_state",
        "IsPhysical": None,
    }
    assert suggestions["MemoryGiB"].unit == "GiB"


def test_servicenow_cmdb_export() -> None:
    headers = ["sys_id", "name", "sys_class_name", "fqdn", "ip_address", "mac_address", "serial_number",
               "manufacturer", "os", "os_version", "cpu_count", "ram", "disk_space", "u_environment",
               "owned_by", "managed_by", "business_criticality", "location"]
    suggestions = {s.source_field: s for s in suggest_mappings(headers)}
    assert _targets(headers) == {
        "sys_id": "cmdb_id", "name": "name", "sys_class_name": "asset_type", "fqdn": "fqdn",
        "ip_address": "ip_address", "mac_address": "mac_address", "serial_number": "serial_number",
        "manufacturer": "manufacturer", "os": "operating_system", "os_version": "os_version",
        "cpu_count": "cpu_cores", "ram": "memory_gb", "disk_space": "storage_gb", "u_environment": "environment",
        "owned_by": "business_owner", "managed_by": "technical_owner",
        "business_criticality": "business_criticality", "location": "location",
    }
    assert suggestions["ram"].unit == "MB"  # ServiceNow ram is MB although the header says nothing
    assert suggestions["name"].source == "exact"


def test_cloud_migration_factory_intake() -> None:
    headers = ["wave_name", "app_name", "server_name", "server_os_family", "server_os_version", "server_fqdn",
               "server_environment"]
    assert _targets(headers) == {
        "wave_name": None, "app_name": "application_name", "server_name": "name",
        "server_os_family": "operating_system", "server_os_version": "os_version", "server_fqdn": "fqdn",
        "server_environment": "environment",
    }


def test_empty_header() -> None:
    [suggestion] = suggest_mappings(["  "])
    assert (suggestion.target_field, suggestion.reason) == (None, "empty header")


def test_synonym_table_names_real_fields_only() -> None:
    assert set(HEADER_SYNONYMS) <= set(ASSET_IMPORT_FIELDS)


def test_suggestion_rejects_unknown_target_and_source() -> None:
    with pytest.raises(ValueError):
        MappingSuggestion(source_field="x", target_field="colour", confidence=1.0, source="exact", reason="")
    with pytest.raises(ValueError):
        MappingSuggestion(source_field="x", target_field="name", confidence=1.0, source="magic", reason="")


def test_reviewed_mapping_may_come_from_a_person() -> None:
    mapping = MappingSuggestion(source_field="Box", target_field="name", confidence=1.0, source="user", reason="")
    assert mapping.source == "user"


def test_deterministic() -> None:
    headers = ["VM", "Server name", "RAM (MB)", "Memory", "Host", "Powerstate"]
    assert suggest_mappings(headers) == suggest_mappings(list(headers))


def test_every_header_of_the_bundled_sample_is_mapped() -> None:
    with SAMPLE_CSV.open(newline="", encoding="utf-8") as handle:
        headers = next(csv.reader(handle))
    suggestions = suggest_mappings(headers)
    assert [s.source_field for s in suggestions] == headers
    assert all(s.target_field is not None and s.confidence >= 0.9 for s in suggestions), suggestions
