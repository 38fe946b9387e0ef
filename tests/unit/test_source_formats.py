"""Recognition of vendor export formats by header signature, with the name as a tie-breaker."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domain.discovery.source_formats import FORMATS, ROLES, header_key, layout_mappings, recognise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
SAMPLE_CSV = Path(__file__).resolve().parents[2] / "samples" / "demo_inventory.csv"


def _headers(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


@pytest.mark.parametrize(
    ("file_name", "format_id", "role", "key_column"),
    [
        ("RVTools_tabvInfo.csv", "rvtools_vinfo", "inventory", "VM"),
        ("RVTools_tabvPartition.csv", "rvtools_vpartition", "supplement", "VM"),
        ("RVTools_tabvNetwork.csv", "rvtools_vnetwork", "supplement", "VM"),
        ("RVTools_tabvDisk.csv", "rvtools_vdisk", "supplement", "VM"),
        ("aws_ads_import.csv", "aws_ads", "inventory", "ExternalId"),
        ("azure_migrate_import.csv", "azure_migrate", "inventory", "*Server name"),
        ("azure_dependencies.csv", "azure_dependencies", "dependencies", None),
        ("vmInfo.csv", "google_vminfo", "inventory", "MachineId"),
        ("perfInfo.csv", "google_perfinfo", "supplement", "MachineId"),
        ("diskInfo.csv", "google_diskinfo", "supplement", "MachineId"),
        ("tagInfo.csv", "google_taginfo", "supplement", "MachineId"),
        ("cmdb_ci_server.csv", "servicenow_cmdb_ci", "inventory", "sys_id"),
        ("cmdb_rel_ci.csv", "servicenow_rel_ci", "dependencies", None),
        ("konveyor_applications.csv", "konveyor_applications", "inventory", "Application Name"),
        ("cmf_intake.csv", "aws_cmf", "inventory", "server_name"),
    ],
)
def test_every_fixture_is_recognised_by_its_headers_alone(
    file_name: str, format_id: str, role: str, key_column: str | None
) -> None:
    match = recognise("upload.csv", _headers(FIXTURES / file_name))
    assert (match.format_id, match.role, match.key_column) == (format_id, role, key_column)
    assert match.vendor_label == FORMATS[format_id].vendor_label
    assert "signature headers present" in match.evidence[0]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("*Memory (In MB) ", "memory"),
        ("Provisioned MB", "provisioned"),
        ("Provisioned MiB  ", "provisioned"),
        ("Capacity [MiB]", "capacity"),
        ("SizeInGib", "size"),
        ("RAM.UsedSizeInMB.Avg", "ramusedsizeavg"),
        ("IP addresses (optional)", "ipaddresses"),
        ("\ufeffsys_id", "sysid"),
        ("Free %", "free"),
    ],
)
def test_header_key_ignores_case_decoration_units_and_punctuation(header: str, key: str) -> None:
    assert header_key(header) == key


def test_older_rvtools_spellings_with_trailing_spaces_and_other_case_are_vinfo() -> None:
    headers = ["vm ", "POWERSTATE", "Template", "CPUs", "Memory", "NICs", "Disks", "Provisioned MB ", "In Use MB",
               "Annotation", "Datacenter", "Cluster", "Host"]
    match = recognise("RVTools_export_all.xlsx", headers)
    assert match.format_id == "rvtools_vinfo"
    assert match.key_column == "vm "  # the table's own spelling, to read the rows by


def test_google_vminfo_with_the_older_memory_mib_header() -> None:
    headers = _headers(FIXTURES / "vmInfo.csv")
    assert "MemoryMiB" in headers
    assert recognise("export.csv", headers).format_id == "google_vminfo"


def test_a_servicenow_list_export_without_sys_id_is_still_recognised() -> None:
    headers = ["name", "sys_class_name", "ip_address", "os", "install_status", "operational_status", "location"]
    match = recognise("cmdb_ci_server.csv", headers)
    assert (match.format_id, match.key_column) == ("servicenow_cmdb_ci", "name")


def test_the_name_breaks_a_tie_between_signatures_and_the_evidence_says_so() -> None:
    headers = ["VM", "Disk", "Capacity MiB", "Consumed MiB", "Mac Address", "NIC label", "Network"]
    partition = recognise("vPartition", headers)
    network = recognise("RVTools_tabvNetwork.csv", headers)
    undecided = recognise("export.csv", headers)
    assert partition.format_id == "rvtools_vpartition"
    assert network.format_id == "rvtools_vnetwork"
    assert "decides against RVTools vPartition" in network.evidence[1]
    assert "nothing in the name 'export.csv' decides" in undecided.evidence[1]


def test_the_name_alone_does_not_make_a_format() -> None:
    match = recognise("RVTools_tabvInfo.csv", ["Server", "IP", "RAM (GB)"])
    assert match.format_id == "generic"
    assert match.role == "inventory"
    assert match.key_column is None
    assert match.evidence == ["no vendor header signature matched; columns are mapped one by one"]


def test_the_demo_inventory_is_generic() -> None:
    assert recognise(SAMPLE_CSV.name, _headers(SAMPLE_CSV)).format_id == "generic"


def test_konveyor_is_recognised_by_its_leading_cells_only() -> None:
    konveyor = _headers(FIXTURES / "konveyor_applications.csv")
    assert recognise("apps.csv", ["Record Type 1", "Application Name", "Description", "Comments",
                                  "Business Service"]).format_id == "konveyor_applications"
    shuffled = [konveyor[1], konveyor[0], *konveyor[2:]]
    assert recognise("apps.csv", shuffled).format_id == "generic"


def test_azure_dependency_headers_in_another_case_and_spacing() -> None:
    headers = ["TIME SLOT", "source server name", "Source_IP", "Source Process", "Destination Server Name",
               "destination ip", "Destination  Port"]
    match = recognise("deps.csv", headers)
    assert (match.format_id, match.role) == ("azure_dependencies", "dependencies")


def test_aws_template_needs_more_than_generic_column_names() -> None:
    generic = ["IPAddress", "MACAddress", "HostName", "OS.Name", "Applications"]
    assert recognise("servers.csv", generic).format_id == "generic"
    assert recognise("servers.csv", generic + ["CPU.NumberOfCores", "RAM.TotalSizeInMB"]).format_id == "aws_ads"


def test_the_catalogue_is_consistent() -> None:
    assert set(FORMATS) == {
        "rvtools_vinfo", "rvtools_vpartition", "rvtools_vnetwork", "aws_ads", "azure_migrate", "azure_dependencies",
        "google_vminfo", "google_perfinfo", "google_diskinfo", "google_taginfo", "servicenow_cmdb_ci",
        "servicenow_rel_ci", "konveyor_applications", "aws_cmf", "generic", "azure_migrate_assessment",
        "azure_assessment_disks", "azure_software_inventory", "vsphere_vm_json", "nutanix_prism_vms", "cast_highlight",
        "tidal_applications", "rvtools_vdisk",
    }
    for fmt in FORMATS.values():
        assert fmt.role in ROLES
        assert (fmt.describes is not None) == (fmt.role == "supplement"), fmt.format_id
        if fmt.describes:
            assert FORMATS[fmt.describes].role == "inventory"
        assert fmt.file_label


def _fixture_headers(name: str) -> list[str]:
    with (FIXTURES / name).open(encoding="utf-8") as file:
        return next(csv.reader(file))


def test_a_recognised_layout_maps_by_its_table_and_keeps_the_rest_as_custom_attributes() -> None:
    headers = _fixture_headers("RVTools4_vInfo.csv")  # RVTools 4.x, its full header
    mapped = {m.source_field: m for m in layout_mappings("rvtools_vinfo", headers)}
    assert [m.source_field for m in layout_mappings("rvtools_vinfo", headers)] == headers
    assert {h: m.target_field for h, m in mapped.items() if m.target_field} == {
        "VM": "name", "DNS Name": "fqdn", "Powerstate": "power_state", "Template": "is_template", "CPUs": "cpu_cores",
        "Memory": "memory_gb", "NICs": "network_adapters", "Disks": "disk_count", "Provisioned MiB": "storage_gb",
        "In Use MiB": "storage_used_gb", "Primary IP Address": "ip_address", "Annotation": "description",
        "Datacenter": "datacenter", "Cluster": "cluster", "Host": "host_name",
        "OS according to the configuration file": "operating_system", "HW version": "vm_hardware_version",
        "SMBIOS UUID": "bios_uuid", "VM UUID": "external_id"}
    assert all(m.confidence == 1.0 for m in mapped.values() if m.target_field)  # nothing waits for a review
    assert (mapped["Memory"].unit, mapped["Provisioned MiB"].unit, mapped["In Use MiB"].unit) == ("MiB",) * 3
    for custom in ("HA Restart Priority", "SRM Placeholder", "min Required EVC Mode Key", "com.vrlcm.snapshot"):
        assert mapped[custom].target_field is None
        assert mapped[custom].reason == "not a column of the RVTools vInfo layout: kept as a custom attribute"
    assert mapped["Total disk capacity MiB"].reason == "RVTools vInfo: storage_gb comes from another column of the layout"


def test_older_mb_headers_and_a_layout_without_provisioned_capacity() -> None:
    older = layout_mappings("rvtools_vinfo", ["VM", "Powerstate", "Memory", "Provisioned MB", "In Use MB", "Disks"])
    assert [(m.target_field, m.unit) for m in older] == [
        ("name", None), ("power_state", None), ("memory_gb", "MiB"), ("storage_gb", "MB"), ("storage_used_gb", "MB"),
        ("disk_count", None)]
    only_total = layout_mappings("rvtools_vinfo", ["VM", "Total disk capacity MiB"])
    assert [(m.target_field, m.unit) for m in only_total] == [("name", None), ("storage_gb", "MiB")]


def test_asset_column_names_written_by_the_import_map_exactly_and_unknown_layouts_have_no_table() -> None:
    [virtual, hypervisor] = layout_mappings("rvtools_vinfo", ["is_virtual", "hypervisor"])
    assert (virtual.target_field, virtual.source, hypervisor.target_field) == ("is_virtual", "exact", "hypervisor")
    assert layout_mappings("generic", ["VM"]) is None and layout_mappings("no_such_layout", ["VM"]) is None


def test_a_vendor_server_type_says_virtual_or_physical_not_the_asset_type() -> None:
    azure = {m.source_field: m.target_field for m in layout_mappings("azure_migrate", _fixture_headers(
        "azure_migrate_import.csv"))}
    assert (azure["Server type"], azure["Hypervisor"]) == ("is_virtual", "hypervisor")
    assert "asset_type" not in azure.values()
    aws = layout_mappings("aws_ads", ["ExternalId", "HostName", "Server type", "RAM.TotalSizeInMB"])
    assert [(m.target_field, m.unit) for m in aws] == [
        ("external_id", None), ("hostname", None), ("is_virtual", None), ("memory_gb", "MB")]


def test_konveyor_columns_map_by_the_layout_and_tag_columns_are_never_guessed() -> None:
    # the headers of the import view: name, asset_type and tags written by the import, the file's own kept columns
    headers = ["name", "asset_type", "Description", "Comments", "Business Service", "Owner", "Contributors",
               "Tag 1", "tags"]
    mapped = {m.source_field: m.target_field for m in layout_mappings("konveyor_applications", headers)}
    assert mapped == {"name": "name", "asset_type": "asset_type", "Description": "description", "Comments": None,
                      "Business Service": "application_name", "Owner": "business_owner", "Contributors": None,
                      "Tag 1": None, "tags": "tags"}


def test_a_cast_highlight_export_is_an_application_portfolio_keyed_by_its_application() -> None:
    headers = ["Application", "Business Units", "Contributors", "Tags", "Campaign", "Closing Date", "Level",
               "Status", "Technologies", "Software Resiliency", "Software Agility", "CloudReady", "Roadblocks",
               "Lines of Code", "ApplicationId", "Age (Yrs)"]
    match = recognise("export.csv", headers)
    assert (match.format_id, match.role, match.key_column) == ("cast_highlight", "inventory", "Application")
    mapped = {m.source_field: m.target_field for m in layout_mappings("cast_highlight", [*headers, "asset_type"])}
    assert {h: t for h, t in mapped.items() if t} == {"Application": "name", "Business Units": "business_unit",
                                                      "asset_type": "asset_type"}
    assert dict(FORMATS["cast_highlight"].constants) == {"asset_type": "application"}
    # an inventory that merely has an Application column is not CAST Highlight
    assert recognise("servers.csv", ["Application", "Level", "Hostname", "CPU"]).format_id == "generic"


def test_an_intakes_wave_and_region_are_the_requested_wave_and_the_target_region() -> None:
    headers = ["wave_name", "app_name", "aws_region", "aws_accountid", "server_name", "server_fqdn", "tenancy"]
    assert recognise("server-list.csv", headers).format_id == "aws_cmf"
    mapped = {m.source_field: m.target_field for m in layout_mappings("aws_cmf", headers)}
    assert mapped == {"wave_name": "requested_wave", "app_name": "application_name", "aws_region": "target_region",
                      "aws_accountid": None, "server_name": "hostname", "server_fqdn": "fqdn", "tenancy": None}
    assert layout_mappings("aws_cmf", ["wave_id", "server_name"])[0].target_field == "requested_wave"


def test_a_servicenow_ci_export_maps_by_its_fields_with_ram_in_mb_and_disk_space_in_gb() -> None:
    mapped = {m.source_field: m for m in layout_mappings("servicenow_cmdb_ci", _fixture_headers("cmdb_ci_server.csv"))}
    assert {h: m.target_field for h, m in mapped.items() if m.target_field} == {
        "sys_id": "cmdb_id", "name": "name", "sys_class_name": "asset_type", "fqdn": "fqdn", "ip_address": "ip_address",
        "mac_address": "mac_address", "serial_number": "serial_number", "manufacturer": "manufacturer",
        "os": "operating_system", "os_version": "os_version", "cpu_count": "cpu_cores", "ram": "memory_gb",
        "disk_space": "storage_gb", "u_environment": "environment", "install_status": "lifecycle_state",
        "operational_status": "operational_state", "owned_by": "business_owner", "managed_by": "technical_owner",
        "business_criticality": "business_criticality", "location": "location"}
    assert all(m.confidence == 1.0 for m in mapped.values() if m.target_field)
    assert (mapped["ram"].unit, mapped["disk_space"].unit) == ("MB", "GB")
    for custom in ("cpu_core_count", "discovery_source", "last_discovered"):
        assert mapped[custom].reason == "not a column of the ServiceNow CMDB CI export layout: kept as a custom attribute"
    assert mapped["support_group"].reason == (
        "ServiceNow CMDB CI export: technical_owner comes from another column of the layout")


def test_servicenow_display_value_and_value_columns_are_recognised_and_the_display_value_wins() -> None:
    headers = ["sys_id.value", "name.display_value", "name.value", "sys_class_name.value", "owned_by.value",
               "owned_by.display_value", "ram.display_value", "install_status.value", "u_cost_code.display_value"]
    match = recognise("export.csv", headers)
    assert (match.format_id, match.key_column) == ("servicenow_cmdb_ci", "sys_id.value")
    mapped = {m.source_field: (m.target_field, m.unit) for m in layout_mappings("servicenow_cmdb_ci", headers)}
    assert mapped == {
        "sys_id.value": ("cmdb_id", None), "name.display_value": ("name", None), "name.value": (None, None),
        "sys_class_name.value": ("asset_type", None), "owned_by.value": (None, None),  # a sys_id, not the owner
        "owned_by.display_value": ("business_owner", None), "ram.display_value": ("memory_gb", "MB"),
        "install_status.value": ("lifecycle_state", None), "u_cost_code.display_value": (None, None)}
    # a suffix alone is no field, and other layouts' dotted headers are untouched
    assert recognise("export.csv", ["value", "display_value"]).format_id == "generic"
    assert recognise("vms.json", ["Summary.Config.Name", "Summary.Config.NumCpu", "Summary.Config.MemorySizeMB",
                                  "Summary.Runtime.Host.Value", "Self.Value"]).format_id == "vsphere_vm_json"


def test_a_google_vminfo_maps_by_its_table_and_keeps_the_machine_type_apart_from_the_asset_type() -> None:
    mapped = {m.source_field: m for m in layout_mappings("google_vminfo", _fixture_headers("vmInfo.csv"))}
    assert {h: (m.target_field, m.unit) for h, m in mapped.items() if m.target_field} == {
        "MachineId": ("external_id", None), "MachineName": ("name", None), "PrimaryIPAddress": ("ip_address", None),
        "PrimaryMACAddress": ("mac_address", None), "TotalDiskAllocatedGiB": ("storage_gb", "GiB"),
        "TotalDiskUsedGiB": ("storage_used_gb", "GiB"), "AllocatedProcessorCoreCount": ("cpu_cores", None),
        "MemoryMiB": ("memory_gb", "MiB"), "HostingLocation": ("location", None), "OsName": ("operating_system", None),
        "OsVersion": ("os_version", None), "MachineStatus": ("power_state", None)}
    assert mapped["MachineTypeLabel"].target_field is None  # e2-standard-2 is a machine type, not an asset type
    newer = layout_mappings("google_vminfo", ["MachineId", "MachineName", "MemoryGiB"])
    assert [(m.target_field, m.unit) for m in newer] == [("external_id", None), ("name", None), ("memory_gb", "GiB")]
