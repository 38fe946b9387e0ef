"""Recognise which real-world export a table is (RVTools, AWS, Azure, Google, ServiceNow, Konveyor ...).

A format is recognised by its header signature: every `required` header present, at least
`min_distinctive` of its `distinctive` headers present (headers only that export uses), and the most
signature headers present overall (`common` headers count towards that score but prove nothing on
their own). Headers are compared by `header_key`: case, `*`, `(optional)`, a size unit (MB, MiB,
GiB, `(In MB)`, `InGib`), punctuation and spacing are ignored. Konveyor's positional import is
recognised by its first header cells. When two formats score alike the table's file or sheet name
breaks the tie (`RVTools_tabvInfo.csv`, sheet `vInfo`, `perfInfo.csv`). A table matching no
signature is `generic`: an inventory whose columns are mapped one by one.

Roles: `inventory` rows are assets; `supplement` rows are per-asset details joined onto the
inventory table of the format they describe (`SourceFormat.describes`); `dependencies` rows are edges.

A layout with a column table (`SourceFormat.columns`) is authoritative: `layout_mappings` maps its
known headers by that table, with the header's size unit or the table's (`units`), and keeps every
other header as a custom attribute; nothing is guessed and nothing waits for a review. Where two of
the table's headers fill one column, the one listed first that the table has wins (RVTools
`Provisioned MiB` before `Total disk capacity MiB`). `constants` are values every row of the layout
has (an RVTools vInfo row is a VMware VM), written by the import as columns named as asset columns.
`field_suffixes` are spellings an export adds to a field's header (ServiceNow `ram.display_value`,
`ram.value`): such a header stands for its field, after the bare header, in the suffixes' order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from domain.asset_fields import ASSET_IMPORT_FIELDS, GB_SIZE_FIELDS
from domain.discovery.disk_totals import TOTAL_HEADERS
from domain.discovery.field_mapping import MappingSuggestion, normalise_header
from domain.discovery.record_lists import Derived
from domain.discovery.size_units import SizeUnit, split_header_unit

Role = Literal["inventory", "supplement", "dependencies"]
ROLES: tuple[Role, ...] = ("inventory", "supplement", "dependencies")

_LISTED_HEADERS = 6  # headers named in one evidence line


def header_key(header: str) -> str:
    """The comparable form of a header: `'*Memory (In MB) '` -> `'memory'`, `'Capacity [MiB]'` -> `'capacity'`."""
    base = split_header_unit(header.replace("[", "(").replace("]", ")").strip())[0]
    return normalise_header(base).replace("_", "")


def header_index(headers: list[str]) -> dict[str, str]:
    """header_key -> the table's own spelling of that header (the leftmost when two share a key)."""
    index: dict[str, str] = {}
    for header in headers:
        index.setdefault(header_key(header), header)
    return index


class Columns:
    """A table's columns found by `header_key`, whatever the export's spelling of each header (and, given
    the table's layout, whatever field suffix it adds: `parent.display_value` for `parent`)."""

    def __init__(self, headers: list[str], layout: SourceFormat | None = None) -> None:
        self.index = layout.field_index(headers) if layout else header_index(headers)
        self._found: dict[str, str | None] = {}  # name -> header: rows ask for the same few names
        self._units: dict[str, SizeUnit | None] = {}

    def header(self, name: str) -> str | None:
        """The table's own spelling of the header `name` stands for, if it has one."""
        if name not in self._found:
            self._found[name] = self.index.get(header_key(name))
        return self._found[name]

    def cell(self, values: Mapping[str, str], name: str) -> str:
        """The stripped cell under that header; blank when the table has no such column."""
        header = self.header(name)
        return (values.get(header) or "").strip() if header else ""

    def unit(self, name: str) -> SizeUnit | None:
        """The size unit the table's header for `name` carries (`Capacity MB` -> MB)."""
        if name not in self._units:
            self._units[name] = split_header_unit(self.header(name) or name)[1]
        return self._units[name]


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class SourceFormat:
    """One vendor export: its header signature, its role and how its rows are keyed."""

    format_id: str
    vendor_label: str
    role: Role
    required: tuple[str, ...] = ()
    distinctive: tuple[str, ...] = ()
    min_distinctive: int = 0
    common: tuple[str, ...] = ()
    leading: tuple[str, ...] = ()  # positional formats: the first header cells, in order
    name_hints: tuple[str, ...] = ()
    key_columns: tuple[str, ...] = ()  # the first one present is the key column
    describes: str | None = None  # supplements: the inventory format whose assets they describe
    file_label: str = ""  # how a person names such a file, for messages
    columns: tuple[tuple[str, str], ...] = ()  # (header, asset column) in preference order: authoritative
    units: tuple[tuple[str, SizeUnit], ...] = ()  # size units of headers that do not carry theirs
    constants: tuple[tuple[str, str], ...] = ()  # (asset column, value) true of every row
    derived: tuple[Derived, ...] = ()  # asset columns computed from a record (JSON lists, products)
    out_of_scope: str = ""  # a layout recognised only to be refused: why it describes no machines
    short_rows: bool = False  # rows may leave their last cells out (not a problem of the row)
    # (header, asset type, dependency type): a cell listing the assets of that type this row's asset relates to;
    # the import links them and adds the named assets (a portfolio's hosts and databases)
    lists: tuple[tuple[str, str, str], ...] = ()
    # spellings of one field the export may add to a header (ServiceNow `install_status.display_value`), in
    # preference order after the bare header: such a header counts as its field in the signature and the table
    field_suffixes: tuple[str, ...] = ()

    def field_key(self, header: str) -> tuple[str, int]:
        """The `header_key` of the field a header names, and its rank (0 bare, then by `field_suffixes`)."""
        folded = header.strip().casefold()
        for rank, suffix in enumerate(self.field_suffixes, start=1):
            if folded.endswith(suffix) and len(folded) > len(suffix):
                return header_key(header.strip()[: -len(suffix)]), rank
        return header_key(header), 0

    def field_index(self, headers: list[str]) -> dict[str, str]:
        """field key -> the table's header for that field (the bare one, else by suffix, else the leftmost)."""
        if not self.field_suffixes:
            return header_index(headers)
        ranked: dict[str, tuple[int, str]] = {}
        for header in headers:
            key, rank = self.field_key(header)
            if key not in ranked or rank < ranked[key][0]:
                ranked[key] = (rank, header)
        return {key: header for key, (_, header) in ranked.items()}

    def signature_size(self) -> int:
        """How many distinct headers the signature names."""
        return len({header_key(h) for h in self.required + self.distinctive + self.common + self.leading})


_RVTOOLS_COMMON = ("Powerstate", "Template", "Annotation", "Datacenter", "Cluster", "Host", "Folder", "VM ID",
                   "VM UUID", "VI SDK Server", "VI SDK UUID", "OS according to the configuration file",
                   "OS according to the VMware Tools")

# RVTools 4.x vInfo (and 3.x spellings: `Provisioned MB`, `In Use MB`, compared without their unit).
_RVTOOLS_VINFO_COLUMNS = (
    ("VM", "name"), ("DNS Name", "fqdn"), ("Powerstate", "power_state"), ("Template", "is_template"),
    ("CPUs", "cpu_cores"), ("Memory", "memory_gb"), ("NICs", "network_adapters"), ("Disks", "disk_count"),
    ("Provisioned MiB", "storage_gb"), ("Total disk capacity MiB", "storage_gb"), ("In Use MiB", "storage_used_gb"),
    ("Primary IP Address", "ip_address"), ("Annotation", "description"), ("Datacenter", "datacenter"),
    ("Cluster", "cluster"), ("Host", "host_name"), ("OS according to the configuration file", "operating_system"),
    ("OS according to the VMware Tools", "operating_system"), ("HW version", "vm_hardware_version"),
    ("SMBIOS UUID", "bios_uuid"), ("VM UUID", "external_id"),
)
_AZURE_MIGRATE_COLUMNS = (
    ("Server name", "name"), ("IP addresses", "ip_address"), ("Cores", "cpu_cores"), ("Memory (In MB)", "memory_gb"),
    ("OS name", "operating_system"), ("OS version", "os_version"), ("OS architecture", "os_architecture"),
    ("Server type", "is_virtual"), ("Hypervisor", "hypervisor"), ("CPU utilization percentage", "cpu_utilization_avg"),
    ("Memory utilization percentage", "memory_utilization_avg"), ("Network adapters", "network_adapters"),
    ("Number of disks", "disk_count"), ("Storage in use (In GB)", "storage_used_gb"),
    # the per-disk columns' totals, written by the import (domain.discovery.disk_totals)
    (TOTAL_HEADERS["size"], "storage_gb"), (TOTAL_HEADERS["throughput"], "disk_throughput_mbps"),
    (TOTAL_HEADERS["ops"], "disk_iops_avg"),
)
# Azure Migrate assessment workbook, sheet All_Assessed_Machines (its disks are joined from All_Assessed_Disks)
_AZURE_ASSESSMENT_COLUMNS = (
    ("Machine", "name"), ("VM host", "host_name"), ("Operating system", "operating_system"), ("Cores", "cpu_cores"),
    ("Memory(MB)", "memory_gb"), ("CPU usage(%)", "cpu_utilization_avg"), ("Memory usage(%)", "memory_utilization_avg"),
    ("Storage(GB)", "storage_gb"), ("Network adapters", "network_adapters"), ("IP address", "ip_address"),
    ("MAC address", "mac_address"),
)
# govmomi / govc `mo.VirtualMachine` dumps, flattened: the VM's own name is Summary.Config.Name (the guest's
# hostname is kept apart), its power state and host moref are under Summary.Runtime
_VSPHERE_VM_COLUMNS = (
    ("Summary.Config.Name", "name"), ("Summary.Guest.HostName", "hostname"),
    ("Summary.Runtime.PowerState", "power_state"), ("Summary.Runtime.Host.Value", "host_name"),
    ("Summary.Config.NumCpu", "cpu_cores"), ("Summary.Config.MemorySizeMB", "memory_gb"),
    ("Summary.Config.NumVirtualDisks", "disk_count"), ("Summary.Config.NumEthernetCards", "network_adapters"),
    ("Summary.Guest.IpAddress", "ip_address"), ("Summary.Config.GuestFullName", "operating_system"),
    ("Summary.Guest.GuestFullName", "operating_system"), ("Summary.Config.Uuid", "bios_uuid"),
    ("Summary.Config.InstanceUuid", "external_id"), ("Summary.Config.Annotation", "description"),
    ("Summary.Config.Template", "is_template"),
)
# Nutanix Prism Central v3 vms/list entities, flattened; vCPUs, disks and addresses are derived (_NUTANIX_DERIVED)
_NUTANIX_VM_COLUMNS = (
    ("spec.name", "name"), ("metadata.name", "name"), ("metadata.uuid", "external_id"),
    ("spec.description", "description"), ("spec.cluster_reference.name", "cluster"),
    ("status.resources.host_reference.name", "host_name"), ("status.resources.power_state", "power_state"),
    ("spec.resources.power_state", "power_state"), ("spec.resources.num_sockets", "cpu_sockets"),
    ("spec.resources.memory_size_mib", "memory_gb"), ("status.resources.hypervisor_type", "hypervisor"),
)
_NUTANIX_DISKS = ("device_properties.device_type", "DISK")  # CD-ROMs are no data disks
_NUTANIX_DERIVED = (
    Derived("cpu_cores", "product", ("spec.resources.num_sockets", "spec.resources.num_vcpus_per_socket")),
    Derived("disk_count", "count", ("spec.resources.disk_list[]",), where=_NUTANIX_DISKS),
    Derived("storage_gb", "sum", ("spec.resources.disk_list[].disk_size_mib",), where=_NUTANIX_DISKS, unit="MiB"),
    Derived("network_adapters", "count", ("spec.resources.nic_list[]",)),
    Derived("ip_address", "join", ("spec.resources.nic_list[].ip_endpoint_list[].ip",)),
    Derived("mac_address", "join", ("spec.resources.nic_list[].mac_address",)),
)
_AWS_ADS_COLUMNS = (
    ("ExternalId", "external_id"), ("ServerId", "external_id"), ("SMBiosId", "bios_uuid"), ("IPAddress", "ip_address"),
    ("MACAddress", "mac_address"), ("HostName", "hostname"), ("VMware.VMName", "name"),
    ("CPU.NumberOfProcessors", "cpu_sockets"), ("CPU.NumberOfCores", "cpu_cores"), ("OS.Name", "operating_system"),
    ("OS.Version", "os_version"), ("RAM.TotalSizeInMB", "memory_gb"), ("CPU.UsagePct.Avg", "cpu_utilization_avg"),
    ("CPU.UsagePct.Max", "cpu_utilization_peak"), ("Applications", "application_name"), ("Tags", "tags"),
    ("Server type", "is_virtual"), ("ApplicationWave", "requested_wave"),
)

# ServiceNow cmdb_ci and its subclasses (cmdb_ci_server, cmdb_ci_linux_server ...): the fields' own names. `ram` is MB
# and `disk_space` GB; `install_status` is the lifecycle, `operational_status` whether the CI runs; the class is
# the asset type. Owners and groups are references: their `.display_value` is the name (`_SERVICENOW_SUFFIXES`).
# `cpu_count` is the CPU count the platform sizes by; `cpu_core_count` stays a custom attribute.
_SERVICENOW_CI_COLUMNS = (
    ("sys_id", "cmdb_id"), ("name", "name"), ("sys_class_name", "asset_type"), ("fqdn", "fqdn"),
    ("host_name", "hostname"), ("ip_address", "ip_address"), ("mac_address", "mac_address"),
    ("serial_number", "serial_number"), ("manufacturer", "manufacturer"), ("model_id", "model"),
    ("os", "operating_system"), ("os_version", "os_version"), ("cpu_count", "cpu_cores"), ("cpu_speed", "cpu_mhz"),
    ("ram", "memory_gb"), ("disk_space", "storage_gb"), ("u_environment", "environment"),
    ("environment", "environment"), ("install_status", "lifecycle_state"),
    ("operational_status", "operational_state"), ("business_criticality", "business_criticality"),
    ("owned_by", "business_owner"), ("managed_by", "technical_owner"), ("support_group", "technical_owner"),
    ("assigned_to", "technical_owner"), ("department", "department"), ("location", "location"),
    ("short_description", "description"), ("virtual", "is_virtual"),
)
# a list export with display values: `owned_by.display_value` (the name) before `owned_by.value` (the sys_id)
_SERVICENOW_SUFFIXES = (".display_value", ".value")
# Google Migration Center vmInfo (StratoZone): sizes carry their unit (MemoryGiB, older MemoryMiB, ...GiB)
_GOOGLE_VMINFO_COLUMNS = (
    ("MachineId", "external_id"), ("MachineName", "name"), ("PrimaryIPAddress", "ip_address"),
    ("PrimaryMACAddress", "mac_address"), ("TotalDiskAllocatedGiB", "storage_gb"),
    ("TotalDiskUsedGiB", "storage_used_gb"), ("AllocatedProcessorCoreCount", "cpu_cores"),
    ("MemoryGiB", "memory_gb"), ("MemoryMiB", "memory_gb"), ("HostingLocation", "location"),
    ("OsName", "operating_system"), ("OsVersion", "os_version"), ("MachineStatus", "power_state"),
)

FORMATS: dict[str, SourceFormat] = {
    f.format_id: f
    for f in (
        SourceFormat(
            "rvtools_vinfo", "RVTools vInfo", "inventory",
            required=("VM", "CPUs", "Memory"),
            distinctive=("SRM Placeholder", "Config status", "DNS Name", "Connection state", "Guest state",
                         "Heartbeat", "PowerOn", "NICs", "Disks", "Total disk capacity MiB", "Primary IP Address",
                         "Provisioned MiB", "In Use MiB", "Unshared MiB", "Overall Cpu Readiness", "Active Memory",
                         "HW version", "SMBIOS UUID", "Network #1"),
            min_distinctive=1,
            common=_RVTOOLS_COMMON + ("Resource pool", "vApp", "Firmware", "Creation date"),
            name_hints=("vinfo", "rvtools"),
            key_columns=("VM",),
            file_label="the RVTools vInfo sheet",
            columns=_RVTOOLS_VINFO_COLUMNS,
            units=(("Memory", "MiB"),),
            constants=(("is_virtual", "true"), ("hypervisor", "vmware")),
        ),
        SourceFormat(
            "rvtools_vpartition", "RVTools vPartition", "supplement",
            required=("VM", "Disk", "Capacity MiB", "Consumed MiB"),
            distinctive=("Free MiB", "Free %", "Disk Key"),
            common=_RVTOOLS_COMMON,
            name_hints=("vpartition",),
            key_columns=("VM",),
            describes="rvtools_vinfo",
            file_label="the RVTools vPartition sheet",
        ),
        SourceFormat(
            "rvtools_vnetwork", "RVTools vNetwork", "supplement",
            required=("VM", "Mac Address"),
            distinctive=("NIC label", "Adapter", "Network", "Switch", "Connected", "Starts Connected",
                         "IPv4 Address", "IPv6 Address"),
            min_distinctive=1,
            common=_RVTOOLS_COMMON,
            name_hints=("vnetwork",),
            key_columns=("VM",),
            describes="rvtools_vinfo",
            file_label="the RVTools vNetwork sheet",
        ),
        SourceFormat(
            "rvtools_vdisk", "RVTools vDisk", "supplement",
            required=("VM", "Disk", "Capacity MiB"),
            distinctive=("Disk Key", "Disk UUID", "Disk Path", "Raw", "Disk Mode", "Sharing mode", "Thin",
                         "Eagerly Scrub", "Split", "Write Through", "Controller", "Label", "SCSI Unit #", "Unit #",
                         "Shared Bus", "Raw LUN ID", "Raw Comp. Mode"),
            min_distinctive=2,
            common=_RVTOOLS_COMMON,
            name_hints=("vdisk",),
            key_columns=("VM",),
            describes="rvtools_vinfo",
            file_label="the RVTools vDisk sheet",
        ),
        SourceFormat(
            "aws_ads", "AWS Application Discovery Service import", "inventory",
            distinctive=("ExternalId", "SMBiosId", "VMware.MoRefId", "VMware.VCenterId", "CPU.NumberOfProcessors",
                         "CPU.NumberOfCores", "CPU.NumberOfLogicalCores", "VMware.VMName", "RAM.TotalSizeInMB",
                         "RAM.UsedSizeInMB.Avg", "RAM.UsedSizeInMB.Max", "CPU.UsagePct.Avg", "CPU.UsagePct.Max",
                         "DiskReadsPerSecondInKB.Avg", "DiskWritesPerSecondInKB.Avg", "DiskReadsOpsPerSecond.Avg",
                         "NetworkReadsPerSecondInKB.Avg", "NetworkWritesPerSecondInKB.Avg", "ApplicationWave"),
            min_distinctive=2,
            common=("IPAddress", "MACAddress", "HostName", "OS.Name", "OS.Version", "Applications", "Tags",
                    "ServerId"),
            name_hints=("discovery", "migrationhub", "ads"),
            key_columns=("ExternalId", "HostName", "VMware.VMName"),
            file_label="the AWS Application Discovery Service import file",
            columns=_AWS_ADS_COLUMNS,
            units=(("RAM.TotalSizeInMB", "MB"),),
        ),
        SourceFormat(
            "azure_migrate", "Azure Migrate CSV import", "inventory",
            required=("Server name", "Cores", "Memory (In MB)", "OS name"),
            distinctive=("IP addresses", "OS architecture", "Server type", "Hypervisor", "CPU utilization percentage",
                         "Memory utilization percentage", "Network adapters", "Network In throughput",
                         "Network Out throughput", "Boot type", "Number of disks", "Storage in use (In GB)",
                         "Disk 1 size (In GB)"),
            min_distinctive=1,
            common=("OS version",),
            name_hints=("azure", "migrate"),
            key_columns=("Server name",),
            file_label="the Azure Migrate import file",
            columns=_AZURE_MIGRATE_COLUMNS,
        ),
        SourceFormat(
            "azure_dependencies", "Azure Migrate dependency export", "dependencies",
            # real exports leave out columns (one without Source IP, so its sources are named only): the ends and
            # the port are required, and two more of the export's own headers
            required=("Source server name", "Destination server name", "Destination port"),
            distinctive=("Source IP", "Destination IP", "Time slot", "Source application", "Source process",
                         "Destination application", "Destination process"),
            min_distinctive=2,
            name_hints=("dependenc", "azure"),
            file_label="the Azure Migrate dependency export",
        ),
        SourceFormat(
            "azure_migrate_assessment", "Azure Migrate assessment (assessed machines)", "inventory",
            required=("Machine", "Cores", "Memory(MB)", "Operating system"),
            distinctive=("Azure VM readiness", "Azure readiness issues", "Recommended size", "Compute monthly cost USD",
                         "Storage monthly cost USD", "Standard HDD disks", "Standard SSD disks", "Premium disks",
                         "Group name"),
            min_distinctive=2,
            common=("VM host", "Boot type", "Network adapters", "IP address", "MAC address"),
            name_hints=("assessedmachines", "assessment"),
            key_columns=("Machine",),
            file_label="the Azure Migrate assessment's machine sheet",
            columns=_AZURE_ASSESSMENT_COLUMNS,
        ),
        SourceFormat(
            "azure_assessment_disks", "Azure Migrate assessment (assessed disks)", "supplement",
            required=("Machine", "Disk name", "Source disk size(GB)"),
            distinctive=("Azure disk readiness", "Recommended disk size SKU", "Recommended disk type",
                         "Target disk size(GB)", "Monthly cost estimate"),
            min_distinctive=1,
            name_hints=("assesseddisks",),
            key_columns=("Machine",),
            describes="azure_migrate_assessment",
            file_label="the Azure Migrate assessment's disk sheet",
        ),
        SourceFormat(
            "azure_software_inventory", "Azure Migrate software inventory", "inventory",
            required=("MachineName",),
            distinctive=("Application", "Provider", "Feature", "Parent", "Instance Name", "Edition", "Service Pack",
                         "Database Type"),
            min_distinctive=2,
            common=("Version", "Type"),
            name_hints=("applicationinventory", "softwareinventory"),
            key_columns=("MachineName",),
            file_label="an Azure Migrate software inventory",
            out_of_scope="it lists the applications, features and databases installed on machines, not the machines "
                         "(no CPU, memory, disk, OS or address); import the machines' own export (an Azure Migrate "
                         "discovery or assessment) instead",
        ),
        SourceFormat(
            "google_vminfo", "Google Migration Center vmInfo", "inventory",
            required=("MachineId", "MachineName"),
            distinctive=("PrimaryIPAddress", "PrimaryMACAddress", "PublicIPAddress", "IpAddressListSemiColonDelimited",
                         "TotalDiskAllocatedGiB", "TotalDiskUsedGiB", "MachineTypeLabel",
                         "AllocatedProcessorCoreCount", "MemoryGiB", "HostingLocation", "OsType", "OsPublisher",
                         "MachineStatus", "ProvisioningState", "CreateDate", "IsPhysical"),
            min_distinctive=2,
            common=("OsName", "OsVersion", "Source"),
            name_hints=("vminfo",),
            key_columns=("MachineId",),
            file_label="the vmInfo.csv",
            columns=_GOOGLE_VMINFO_COLUMNS,
        ),
        SourceFormat(
            "google_perfinfo", "Google Migration Center perfInfo", "supplement",
            required=("MachineId", "TimeStamp", "CpuUtilizationPercentage"),
            distinctive=("MemoryUtilizationPercentage", "AvailableMemoryBytes", "DiskReadOperationsPerSec",
                         "DiskWriteOperationsPerSec", "NetworkBytesPerSecSent", "NetworkBytesPerSecReceived"),
            name_hints=("perfinfo",),
            key_columns=("MachineId",),
            describes="google_vminfo",
            file_label="perfInfo.csv",
        ),
        SourceFormat(
            "google_diskinfo", "Google Migration Center diskInfo", "supplement",
            required=("MachineId", "DiskLabel", "SizeInGib"),
            distinctive=("UsedInGib", "StorageTypeLabel"),
            name_hints=("diskinfo",),
            key_columns=("MachineId",),
            describes="google_vminfo",
            file_label="diskInfo.csv",
        ),
        SourceFormat(
            "google_taginfo", "Google Migration Center tagInfo", "supplement",
            required=("MachineId", "Key", "Value"),
            name_hints=("taginfo",),
            key_columns=("MachineId",),
            describes="google_vminfo",
            file_label="tagInfo.csv",
        ),
        SourceFormat(
            "servicenow_cmdb_ci", "ServiceNow CMDB CI export", "inventory",
            required=("name",),
            distinctive=("sys_id", "sys_class_name", "install_status", "operational_status", "discovery_source",
                         "last_discovered", "cpu_core_count", "disk_space", "u_environment", "support_group",
                         "owned_by", "managed_by"),
            min_distinctive=2,
            common=("fqdn", "ip_address", "mac_address", "serial_number", "manufacturer", "os", "os_version",
                    "cpu_count", "ram", "environment", "business_criticality", "location"),
            name_hints=("cmdbci", "servicenow"),
            key_columns=("sys_id", "name"),
            file_label="the ServiceNow cmdb_ci export",
            columns=_SERVICENOW_CI_COLUMNS,
            units=(("ram", "MB"), ("disk_space", "GB")),
            field_suffixes=_SERVICENOW_SUFFIXES,
        ),
        SourceFormat(
            "servicenow_rel_ci", "ServiceNow cmdb_rel_ci relationships", "dependencies",
            required=("parent", "child", "type"),
            distinctive=("sys_id", "connection_strength", "port", "percent_outage"),
            name_hints=("relci", "cmdbrel"),
            file_label="the ServiceNow cmdb_rel_ci export",
            field_suffixes=_SERVICENOW_SUFFIXES,
        ),
        SourceFormat(
            "konveyor_applications", "Konveyor application import", "inventory",
            leading=("Record Type", "Application Name", "Description", "Comments", "Business Service"),
            name_hints=("konveyor", "tackle"),
            key_columns=("Application Name",),
            file_label="the Konveyor application import",
            # the import writes name, asset_type and tags (from the positional Tag Category / Tag pairs)
            columns=(("Description", "description"), ("Business Service", "application_name"),
                     ("Owner", "business_owner")),
            short_rows=True,  # dependency rows stop after their direction
        ),
        SourceFormat(
            # an application portfolio: one Level=Application row per application, then its Level=Analysis rows
            # (one per technology, the same name, often cut short); every row is about that application
            "cast_highlight", "CAST Highlight application export", "inventory",
            required=("Application", "Level"),
            distinctive=("Software Resiliency", "Software Agility", "Software Elegance", "CloudReady",
                         "CloudReady Survey", "CloudReady Scan", "Roadblocks", "Technical Debt (min.)",
                         "BackFired Function Points", "Recommended Maintenance (FTEs)", "CampaignApplicationId",
                         "Software Security Risk"),
            min_distinctive=2,
            common=("Business Units", "Contributors", "Tags", "Campaign", "Technologies", "Lines of Code",
                    "ApplicationId"),
            name_hints=("highlight", "cast"),
            key_columns=("Application",),
            file_label="the CAST Highlight export",
            columns=(("Application", "name"), ("Business Units", "business_unit")),
            constants=(("asset_type", "application"),),
            short_rows=True,
        ),
        SourceFormat(
            # an application portfolio (Tidal Migrations import): one application per row, with the hosts it runs
            # on and the databases it uses named in list cells
            "tidal_applications", "Tidal application portfolio", "inventory",
            required=("name",),
            distinctive=("hosts", "dbs", "application owner", "tech lead", "value to business",
                         "Frequency of deployments", "Uptime requirements", "Data sensitivity",
                         "Source code controlled", "Continuous delivery", "Can run on Linux", "Legal holds", "COTS",
                         "Business continuity plan", "End of support date"),
            min_distinctive=4,
            common=("description", "urls", "Dependencies", "env", "PII", "hosting cost", "number of users",
                    "staff costs"),
            name_hints=("tidal", "apps", "portfolio"),
            key_columns=("name",),
            file_label="the application portfolio",
            columns=(("name", "name"), ("description", "description"), ("application owner", "business_owner"),
                     ("tech lead", "technical_owner"), ("env", "environment"), ("Dependencies", "depends_on")),
            constants=(("asset_type", "application"),),
            lists=(("hosts", "server", "runs_on"), ("dbs", "database", "depends_on")),
        ),
        SourceFormat(
            "aws_cmf", "AWS Cloud Migration Factory intake form", "inventory",
            required=("server_name",),
            distinctive=("wave_name", "wave_id", "app_name", "aws_accountid", "aws_region", "server_os_family",
                         "server_os_version", "server_fqdn", "server_tier", "server_environment", "r_type",
                         "subnet_IDs", "securitygroup_IDs", "instanceType", "tenancy"),
            min_distinctive=2,
            common=("tags",),
            name_hints=("intake", "cmf", "factory"),
            key_columns=("server_name",),
            file_label="the Cloud Migration Factory intake form",
            columns=(("server_name", "hostname"), ("server_fqdn", "fqdn"), ("app_name", "application_name"),
                     ("server_os_family", "operating_system"), ("server_os_version", "os_version"),
                     ("server_environment", "environment"), ("wave_name", "requested_wave"),
                     ("wave_id", "requested_wave"), ("aws_region", "target_region"), ("tags", "tags")),
        ),
        SourceFormat(
            "vsphere_vm_json", "vSphere VirtualMachine dump (govmomi)", "inventory",
            required=("Summary.Config.Name", "Summary.Config.NumCpu", "Summary.Config.MemorySizeMB"),
            distinctive=("Summary.Runtime.PowerState", "Summary.Runtime.Host.Value", "Summary.Config.Uuid",
                         "Summary.Config.InstanceUuid", "Summary.Config.VmPathName", "Summary.Guest.HostName",
                         "Summary.Config.GuestFullName", "Self.Value"),
            min_distinctive=2,
            name_hints=("vcenter", "vsphere", "govc", "govmomi"),
            key_columns=("Summary.Config.Name",),
            file_label="the vSphere VirtualMachine dump",
            columns=_VSPHERE_VM_COLUMNS,
            constants=(("is_virtual", "true"), ("hypervisor", "vmware")),
        ),
        SourceFormat(
            "nutanix_prism_vms", "Nutanix Prism Central v3 VM list", "inventory",
            required=("spec.name", "spec.resources.num_sockets", "spec.resources.memory_size_mib"),
            distinctive=("metadata.uuid", "metadata.kind", "spec.resources.num_vcpus_per_socket",
                         "spec.resources.disk_list", "spec.resources.nic_list", "spec.cluster_reference.uuid",
                         "status.resources.hypervisor_type", "status.resources.host_reference.uuid"),
            min_distinctive=2,
            name_hints=("nutanix", "prism", "vmslist"),
            key_columns=("metadata.uuid", "spec.name"),
            file_label="the Nutanix Prism VM list",
            columns=_NUTANIX_VM_COLUMNS,
            constants=(("is_virtual", "true"),),
            derived=_NUTANIX_DERIVED,
        ),
        SourceFormat("generic", "generic inventory", "inventory", file_label="the inventory file"),
    )
}


@dataclass(frozen=True)
class FormatMatch:
    """The format a table was recognised as, why, and the table's own spelling of its key column."""

    format_id: str
    vendor_label: str
    role: Role
    key_column: str | None
    evidence: list[str]


@dataclass(frozen=True)
class _Score:
    fmt: SourceFormat
    present: list[str]  # the table's headers that belong to the signature, in signature order
    named: bool  # the file or sheet name suggests this format


def _listed(headers: list[str]) -> str:
    shown = ", ".join(headers[:_LISTED_HEADERS])
    return shown + (f" and {len(headers) - _LISTED_HEADERS} more" if len(headers) > _LISTED_HEADERS else "")


def _leading_key(header: str) -> str:
    return header_key(header).rstrip("0123456789")  # Konveyor writes "Record Type 1"


def _score(fmt: SourceFormat, index: dict[str, str], headers: list[str], name: str) -> _Score | None:
    """How well the headers fit `fmt`; None when a required, leading or distinctive condition fails."""
    if fmt.leading:
        if len(headers) < len(fmt.leading) or any(
            _leading_key(cell) != _leading_key(expected) for cell, expected in zip(headers, fmt.leading)
        ):
            return None
        present = headers[: len(fmt.leading)]
    else:
        if not fmt.required and not fmt.distinctive:
            return None
        if any(header_key(h) not in index for h in fmt.required):
            return None
        distinctive = [index[k] for k in dict.fromkeys(map(header_key, fmt.distinctive)) if k in index]
        if len(distinctive) < fmt.min_distinctive:
            return None
        signature = dict.fromkeys(header_key(h) for h in fmt.required + fmt.distinctive + fmt.common)
        present = [index[k] for k in signature if k in index]
    named = any(hint in _name_key(name) for hint in fmt.name_hints)
    return _Score(fmt, present, named)


def _key_column(fmt: SourceFormat, index: dict[str, str], headers: list[str]) -> str | None:
    if fmt.leading:  # positional: the key is the column at the key header's position
        position = fmt.leading.index(fmt.key_columns[0])
        return headers[position]
    return next((index[header_key(c)] for c in fmt.key_columns if header_key(c) in index), None)


def recognise(name: str, headers: list[str]) -> FormatMatch:
    """The export format of a table called `name` (file or sheet name) with these headers."""
    index = header_index(headers)
    indexes = {f.format_id: f.field_index(headers) for f in FORMATS.values() if f.field_suffixes}
    scores = [s for f in FORMATS.values()
              if (s := _score(f, indexes.get(f.format_id, index), headers, name)) is not None]
    if not scores:
        generic = FORMATS["generic"]
        return FormatMatch(generic.format_id, generic.vendor_label, generic.role, None,
                           ["no vendor header signature matched; columns are mapped one by one"])
    best = max(scores, key=lambda s: (len(s.present), s.named))
    fmt = best.fmt
    evidence = [
        f"{len(best.present)} of {fmt.signature_size()} {fmt.vendor_label} signature headers present: "
        f"{_listed(best.present)}"
    ]
    rivals = [s for s in scores if s is not best and len(s.present) == len(best.present)]
    if rivals:
        others = ", ".join(s.fmt.vendor_label for s in rivals)
        if best.named:
            evidence.append(f"the name {name!r} decides against {others}, whose headers fit as well")
        else:
            evidence.append(f"{others} fit the headers as well; nothing in the name {name!r} decides")
    elif best.named:
        evidence.append(f"the name {name!r} agrees")
    key_column = _key_column(fmt, indexes.get(fmt.format_id, index), headers)
    return FormatMatch(fmt.format_id, fmt.vendor_label, fmt.role, key_column, evidence)


def layout_mappings(format_id: str, headers: list[str]) -> list[MappingSuggestion] | None:
    """One suggestion per header by the layout's column table (None for a layout without one).

    A header that is an asset column's own name (a column the import joined or wrote) maps to it; a
    header of the table maps as the table says, the first listed winning a shared column; any other
    header maps to nothing and is kept as a custom attribute.
    """
    fmt = FORMATS.get(format_id)
    if fmt is None or not fmt.columns:
        return None
    units = {header_key(h): unit for h, unit in fmt.units}
    by_key: dict[str, tuple[int, str, str]] = {}  # header key -> (preference, table spelling, column)
    for preference, (spelling, column) in enumerate(fmt.columns):
        by_key.setdefault(header_key(spelling), (preference, spelling, column))
    winners: dict[str, tuple[tuple[int, int], str]] = {}  # column -> ((preference, suffix rank), header)
    for header in headers:
        key, rank = fmt.field_key(header)
        if header.strip() in ASSET_IMPORT_FIELDS:
            winners[header.strip()] = ((-1, 0), header)
        elif (known := by_key.get(key)) is not None:
            best = winners.get(known[2])
            if best is None or (known[0], rank) < best[0]:
                winners[known[2]] = ((known[0], rank), header)
    chosen = {header: column for column, (_, header) in winners.items()}
    label = fmt.vendor_label
    suggestions = []
    for header in headers:
        column = chosen.get(header)
        key = fmt.field_key(header)[0]
        if column is None:
            known = by_key.get(key)
            reason = (f"{label}: {known[2]} comes from another column of the layout" if known
                      else f"not a column of the {label} layout: kept as a custom attribute")
            suggestions.append(MappingSuggestion(source_field=header, target_field=None, confidence=0.0,
                                                 source=None, reason=reason))
            continue
        unit = None
        if column in GB_SIZE_FIELDS:
            unit = split_header_unit(header.replace("[", "(").replace("]", ")").strip())[1] or units.get(key)
        exact = header.strip() == column
        reason = f"header is the column name {column}" if exact else f"{label} layout: {header.strip()!r} is {column}"
        if unit is not None:
            reason += f"; values are in {unit}" + ("" if unit in ("GB", "GiB") else " and are converted to GB")
        suggestions.append(MappingSuggestion(source_field=header, target_field=column, confidence=1.0,
                                             source="exact" if exact else "synonym", reason=reason, unit=unit))
    return suggestions
