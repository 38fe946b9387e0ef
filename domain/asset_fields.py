"""The asset columns an inventory import can fill, and the kind of value each one takes.

Field mapping suggests these names as targets; cleansing parses each raw value by its kind.
`depends_on` is not a column: it lists the names or hostnames of the assets this one depends on
and feeds the dependency table. `host_name` is the hypervisor host a VM runs on (RVTools `Host`),
not the VM's own `hostname`. `tags` takes `key:value` / `key=value` pairs. `lifecycle_state` is where the
asset is in its life (a CMDB install status), `operational_state` whether it runs (an operational status):
both take `vocabulary.LIFECYCLE_STATES`, each column with its own numeric codes (ADR-0015). `requested_wave`
is the wave an intake form asks for, as written there (`Wave 2`); only the wave plan sets `wave_number`.
`target_region` is the cloud region the asset is to move to (an intake's `aws_region`).
"""

from __future__ import annotations

from typing import Literal

FieldKind = Literal[
    "text",
    "int",
    "number",
    "bool",
    "ip_list",
    "mac_list",
    "environment",
    "criticality",
    "asset_type",
    "install_status",
    "operational_status",
    "os",
    "list",
    "tags",
    "currency",
]

ASSET_IMPORT_FIELDS: dict[str, FieldKind] = {
    "name": "text",
    "external_id": "text",
    "cmdb_id": "text",
    "hostname": "text",
    "fqdn": "text",
    "asset_type": "asset_type",
    "description": "text",
    "serial_number": "text",
    "bios_uuid": "text",
    "manufacturer": "text",
    "model": "text",
    "ip_address": "ip_list",
    "mac_address": "mac_list",
    "operating_system": "os",
    "os_version": "text",
    "os_architecture": "text",
    "cpu_cores": "int",
    "cpu_sockets": "int",
    "cpu_mhz": "int",
    "memory_gb": "number",
    "storage_gb": "number",
    "storage_used_gb": "number",
    "disk_count": "int",
    "network_adapters": "int",
    "is_virtual": "bool",
    "is_template": "bool",
    "vm_hardware_version": "text",
    "hypervisor": "text",
    "power_state": "text",
    "lifecycle_state": "install_status",
    "operational_state": "operational_status",
    "datacenter": "text",
    "cluster": "text",
    "host_name": "text",
    "location": "text",
    "environment": "environment",
    "application_name": "text",
    "business_owner": "text",
    "technical_owner": "text",
    "department": "text",
    "business_unit": "text",
    "business_criticality": "criticality",
    "data_classification": "text",
    "tags": "tags",
    "cpu_utilization_avg": "number",
    "cpu_utilization_peak": "number",
    "memory_utilization_avg": "number",
    "memory_utilization_peak": "number",
    "disk_iops_avg": "number",
    "disk_iops_peak": "number",
    "disk_throughput_mbps": "number",
    "network_throughput_mbps": "number",
    "current_monthly_cost": "number",
    "cost_currency": "currency",
    "database_engine": "text",
    "requested_wave": "text",
    "target_region": "text",
    "depends_on": "list",
}

# Sizes stored in GB; a unit found in the header or the value is converted.
GB_SIZE_FIELDS: frozenset[str] = frozenset({"memory_gb", "storage_gb", "storage_used_gb"})

# Percentages between 0 and 100; a trailing "%" is accepted.
PERCENT_FIELDS: frozenset[str] = frozenset(
    {"cpu_utilization_avg", "cpu_utilization_peak", "memory_utilization_avg", "memory_utilization_peak"}
)

# Columns that name an asset; a row without a name takes it from the first of the others it has.
IDENTIFYING_FIELDS: tuple[str, ...] = ("name", "hostname", "fqdn", "external_id")
# Columns that can identify a row: the naming ones, then an address alone (the AWS import template
# accepts a row identified by its IP or MAC address). An import needs at least one of them mapped.
ROW_IDENTIFIERS: tuple[str, ...] = (*IDENTIFYING_FIELDS, "ip_address", "mac_address")
