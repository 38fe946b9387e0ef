"""The asset columns an inventory import can fill, and the kind of value each one takes.

Field mapping suggests these names as targets; cleansing parses each raw value by its kind.
`depends_on` is not a column: it lists the names or hostnames of the assets this one depends on
and feeds the dependency table.
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
    "os",
    "list",
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
    "manufacturer": "text",
    "model": "text",
    "ip_address": "ip_list",
    "mac_address": "mac_list",
    "operating_system": "os",
    "os_version": "text",
    "cpu_cores": "int",
    "cpu_sockets": "int",
    "memory_gb": "number",
    "storage_gb": "number",
    "storage_used_gb": "number",
    "disk_count": "int",
    "is_virtual": "bool",
    "hypervisor": "text",
    "power_state": "text",
    "datacenter": "text",
    "cluster": "text",
    "location": "text",
    "environment": "environment",
    "application_name": "text",
    "business_owner": "text",
    "technical_owner": "text",
    "department": "text",
    "business_unit": "text",
    "business_criticality": "criticality",
    "data_classification": "text",
    "cpu_utilization_avg": "number",
    "cpu_utilization_peak": "number",
    "memory_utilization_avg": "number",
    "memory_utilization_peak": "number",
    "current_monthly_cost": "number",
    "depends_on": "list",
}

# Sizes stored in GB; a unit found in the header or the value is converted.
GB_SIZE_FIELDS: frozenset[str] = frozenset({"memory_gb", "storage_gb", "storage_used_gb"})

# Percentages between 0 and 100; a trailing "%" is accepted.
PERCENT_FIELDS: frozenset[str] = frozenset(
    {"cpu_utilization_avg", "cpu_utilization_peak", "memory_utilization_avg", "memory_utilization_peak"}
)

# Columns that can identify an asset; a row needs at least one of them.
IDENTIFYING_FIELDS: tuple[str, ...] = ("name", "hostname", "fqdn", "external_id")
