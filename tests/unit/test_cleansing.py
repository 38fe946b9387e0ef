"""Cleansing one raw row: typed values, recorded changes, row errors, natural keys."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domain.discovery.cleansing import CleansedRecord, cleanse_record, natural_key, normalise_os
from domain.discovery.field_mapping import MappingSuggestion, suggest_mappings
from domain.discovery.sample_inventory import BAD_VALUE_NOTE

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "samples" / "demo_inventory.csv"


def _mapping(target: str, header: str | None = None, unit: str | None = None) -> MappingSuggestion:
    return MappingSuggestion(source_field=header or target, target_field=target, confidence=1.0, source="exact",
                             reason="test", unit=unit)


def _cleanse(unit: str | None = None, **cells: str) -> CleansedRecord:
    """Cleanse a row whose headers are the target names themselves, plus a name."""
    raw = {"name": "web01", **cells}
    return cleanse_record(raw, [_mapping(target, unit=unit if target.endswith("_gb") else None) for target in raw])


def _rules(record: CleansedRecord) -> dict[str, str]:
    return {str(change["field"]): str(change["rule"]) for change in record.changes}


def test_clean_row_needs_no_changes() -> None:
    record = _cleanse(cpu_cores="4", memory_gb="16", environment="production", is_virtual="yes")
    assert record.values == {"name": "web01", "cpu_cores": 4, "memory_gb": 16.0, "is_virtual": True,
                             "environment": "production"}
    assert record.changes == [] and record.errors == []


@pytest.mark.parametrize("placeholder", ["N/A", "n/a", "-", "unknown", "none", "null", "To be filled by O.E.M.", "TBD"])
def test_placeholders_are_dropped_and_recorded(placeholder: str) -> None:
    record = _cleanse(serial_number=placeholder)
    assert "serial_number" not in record.values
    assert record.changes == [{"field": "serial_number", "from": placeholder, "to": None, "rule": "placeholder"}]
    assert record.errors == []


def test_empty_cells_are_no_value_and_no_change() -> None:
    mappings = [_mapping("name"), _mapping("serial_number"), _mapping("model")]
    record = cleanse_record({"name": "web01", "serial_number": "  ", "model": None}, mappings)
    assert record.values == {"name": "web01"} and record.changes == []


def test_missing_source_column_is_no_value() -> None:
    record = cleanse_record({"Server": "web01"}, [_mapping("name", "Server"), _mapping("cpu_cores", "Cores")])
    assert record.values == {"name": "web01"} and record.errors == []


@pytest.mark.parametrize(
    ("unit", "text", "gb", "rule"),
    [
        ("MB", "16384", 16.0, "MB_to_GB"),
        ("MiB", "2048", 2.0, "MiB_to_GB"),
        ("KB", "1048576", 1.0, "KB_to_GB"),
        ("TB", "2", 2048.0, "TB_to_GB"),
        ("GiB", "8", 8.0, None),
        (None, "16 GB", 16.0, None),
        (None, "512MB", 0.5, "MB_to_GB"),
        (None, "2 TiB", 2048.0, "TiB_to_GB"),
        ("MB", "4 GB", 4.0, None),  # the value's own unit wins over the header's
        (None, "1,024", 1024.0, "thousands_separator"),
        (None, "2,5", 2.5, "decimal_comma"),
    ],
)
def test_sizes_become_gb(unit: str | None, text: str, gb: float, rule: str | None) -> None:
    record = _cleanse(unit=unit, memory_gb=text)
    assert record.values["memory_gb"] == gb and record.errors == []
    assert _rules(record).get("memory_gb") == rule


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ({"cpu_cores": "abc"}, "cpu_cores: 'abc' is not a number"),
        ({"cpu_cores": "4.5"}, "cpu_cores: '4.5' is not a whole number"),
        ({"cpu_cores": "-2"}, "cpu_cores: '-2' is negative"),
        ({"memory_gb": "-8"}, "memory_gb: '-8' is negative"),
        ({"storage_gb": "-1 TB"}, "storage_gb: '-1 TB' is negative"),
        ({"memory_gb": "NaN"}, "memory_gb: 'NaN' is not a finite number"),
        ({"storage_gb": "Infinity"}, "storage_gb: 'Infinity' is not a finite number"),
        ({"storage_gb": "-inf"}, "storage_gb: '-inf' is not a finite number"),
        ({"current_monthly_cost": "1e999"}, "current_monthly_cost: '1e999' is not a finite number"),
        ({"cpu_utilization_avg": "150"}, "cpu_utilization_avg: '150' is above 100%"),
        ({"is_virtual": "maybe"}, "is_virtual: 'maybe' is not a yes/no value"),
        ({"ip_address": "10.0.0.300"}, "ip_address: '10.0.0.300' is not an IP address"),
        ({"mac_address": "00:50:56"}, "mac_address: '00:50:56' is not a MAC address"),
    ],
)
def test_bad_values_are_row_errors_and_left_out(cells: dict[str, str], error: str) -> None:
    record = _cleanse(**cells)
    assert record.errors == [error]
    assert not set(cells) & set(record.values)


def test_unknown_vocabulary_value_is_an_error_not_a_guess() -> None:
    record = _cleanse(environment="moon base", business_criticality="9")
    assert [error.split(":")[0] for error in record.errors] == ["environment", "business_criticality"]
    assert "known: development, disaster_recovery, production, staging, test, uat" in record.errors[0]
    assert not {"environment", "business_criticality"} & set(record.values)


def test_an_unknown_asset_class_is_other_and_kept_never_an_error() -> None:
    record = _cleanse(asset_type="cmdb_ci_ups")
    assert record.errors == []
    assert (record.values["asset_type"], record.values["source_class"]) == ("other", "cmdb_ci_ups")
    assert record.changes == [{"field": "asset_type", "from": "cmdb_ci_ups", "to": "other", "rule": "asset_type_other"}]


@pytest.mark.parametrize(
    ("text", "values", "rule"),
    [
        ("server", {"asset_type": "server"}, None),
        ("Server", {"asset_type": "server"}, "asset_type_alias"),  # the type's own name: nothing to keep
        ("cmdb_ci_linux_server", {"asset_type": "server", "source_class": "cmdb_ci_linux_server"},
         "asset_type_from_class"),
        ("cmdb_ci_ip_switch", {"asset_type": "network", "source_class": "cmdb_ci_ip_switch"}, "asset_type_from_class"),
        ("Database Server", {"asset_type": "database", "source_class": "Database Server"}, "asset_type_alias"),
        ("cmdb_ci_vm_instance", {"asset_type": "server", "source_class": "cmdb_ci_vm_instance", "is_virtual": True},
         "asset_type_from_class"),
        ("Physical", {"asset_type": "server", "source_class": "Physical", "is_virtual": False}, "asset_type_alias"),
    ],
)
def test_asset_types_keep_their_class_and_say_virtual(text: str, values: dict[str, object], rule: str | None) -> None:
    record = _cleanse(asset_type=text)
    assert {k: v for k, v in record.values.items() if k != "name"} == values
    assert record.changes == ([] if rule is None else [{"field": "asset_type", "from": text, "to": values["asset_type"],
                                                        "rule": rule}])


@pytest.mark.parametrize(("cell", "is_virtual"), [("no", False), ("N/A", True), ("maybe", True), ("", True)])
def test_the_rows_own_is_virtual_cell_wins_over_its_class(cell: str, is_virtual: bool) -> None:
    record = _cleanse(asset_type="VM", is_virtual=cell)
    assert record.values["is_virtual"] is is_virtual


def test_percentages_accept_a_percent_sign() -> None:
    record = _cleanse(cpu_utilization_avg="35%", cpu_utilization_peak=" 80.5 % ")
    assert (record.values["cpu_utilization_avg"], record.values["cpu_utilization_peak"]) == (35.0, 80.5)
    assert record.changes == []


@pytest.mark.parametrize(
    ("field", "text", "canonical"),
    [
        ("environment", "PRD", "production"),
        ("environment", "live", "production"),
        ("environment", "QA", "test"),
        ("environment", "STG", "staging"),
        ("environment", "DR", "disaster_recovery"),
        ("business_criticality", "Tier 1", "critical"),
        ("business_criticality", "mission critical", "critical"),
        ("asset_type", "VM", "server"),
        ("asset_type", "db", "database"),
        ("power_state", "poweredOff", "powered_off"),
        ("power_state", "Running", "powered_on"),
        ("hypervisor", "VMware ESXi", "vmware"),
        ("hypervisor", "VMware ESXi 7.0 U3", "vmware"),
        ("hypervisor", "vSphere", "vmware"),
        ("hypervisor", "Hyper-V", "hyperv"),
        ("hypervisor", "Microsoft Hyper-V 2019", "hyperv"),
        ("hypervisor", "KVM", "kvm"),
        ("hypervisor", "Citrix XenServer", "xen"),
        ("hypervisor", "Nutanix AHV", "nutanix_ahv"),
    ],
)
def test_vocabulary_aliases_are_canonicalised_and_recorded(field: str, text: str, canonical: str) -> None:
    record = _cleanse(**{field: text})
    assert record.values[field] == canonical
    rule = f"{field.removeprefix('business_')}_alias"
    assert record.changes == [{"field": field, "from": text, "to": canonical, "rule": rule}]


def test_unknown_power_state_is_kept_as_written() -> None:
    record = _cleanse(power_state="migrating")
    assert record.values["power_state"] == "migrating" and record.changes == [] and record.errors == []


@pytest.mark.parametrize("text", ["AWS", "Other", "vmware", "7.0"])
def test_unknown_or_canonical_hypervisor_is_kept_as_written(text: str) -> None:
    record = _cleanse(hypervisor=text)
    assert record.values["hypervisor"] == text and record.changes == [] and record.errors == []


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("No", False), ("Y", True), ("0", False), ("Virtual", True)]
)
def test_booleans(text: str, value: bool) -> None:
    assert _cleanse(is_virtual=text).values["is_virtual"] is value


def test_os_becomes_canonical_name_version_and_family() -> None:
    record = _cleanse(operating_system="Microsoft Windows Server 2019 (64-bit)")
    assert {k: record.values[k] for k in ("operating_system", "os_version", "os_family")} == {
        "operating_system": "Windows Server 2019", "os_version": "2019", "os_family": "windows"}
    assert _rules(record) == {"operating_system": "os_normalised"}


def test_os_version_column_completes_or_yields_to_the_name() -> None:
    completed = _cleanse(operating_system="Red Hat Enterprise Linux", os_version="8.6")
    assert completed.values["operating_system"] == "Red Hat Enterprise Linux 8.6"
    assert completed.values["os_version"] == "8.6"
    overridden = _cleanse(operating_system="Win2019", os_version="10.0.17763")
    assert overridden.values["os_version"] == "2019"
    change = {"field": "os_version", "from": "10.0.17763", "to": "2019", "rule": "os_version_from_name"}
    assert change in overridden.changes
    unknown = _cleanse(operating_system="Plan 9", os_version="4")
    assert (unknown.values["operating_system"], unknown.values["os_family"], unknown.values["os_version"]) == (
        "Plan 9", "other", "4")
    assert unknown.changes == []


def test_os_version_alone_is_text() -> None:
    assert _cleanse(os_version="7.9").values["os_version"] == "7.9"


def test_normalise_os_is_available_from_cleansing() -> None:
    assert normalise_os("CentOS 7") == ("linux", "CentOS 7", "7")


def test_ip_and_mac_lists() -> None:
    record = _cleanse(ip_address="10.0.0.1; 10.0.0.2, fe80::1 10.0.0.1", mac_address="00-50-56-AB-CD-EF")
    assert record.values["ip_address"] == "10.0.0.1"
    assert record.values["ip_addresses"] == ["10.0.0.1", "10.0.0.2", "fe80::1"]
    assert record.values["mac_address"] == "00:50:56:ab:cd:ef"
    assert record.values["mac_addresses"] == ["00:50:56:ab:cd:ef"]
    assert _rules(record) == {"ip_address": "first_of_list", "mac_address": "mac_format"}


def test_address_lists_bracketed_per_network_adapter_as_azure_migrate_writes_them() -> None:
    record = _cleanse(ip_address="[10.10.32.160]; [10.10.32.253]; [2404:6800::1,10.150.14.47];",
                      mac_address="[00:0d:3a:54:22:ae];")
    assert record.values["ip_addresses"] == ["10.10.32.160", "10.10.32.253", "2404:6800::1", "10.150.14.47"]
    assert record.values["mac_addresses"] == ["00:0d:3a:54:22:ae"]
    assert "ip_address" not in _cleanse(ip_address="[];").values
    assert record.errors == [] and _cleanse(ip_address="[10.0.0.300]").errors == ["ip_address: '10.0.0.300' is not an IP address"]


def test_single_ip_is_not_a_change() -> None:
    record = _cleanse(ip_address="10.0.0.1")
    assert record.values["ip_addresses"] == ["10.0.0.1"] and record.changes == []


def test_depends_on_list() -> None:
    record = _cleanse(depends_on="app01; app02 ,app01|db 01\nN/A")
    assert record.values["depends_on"] == ["app01", "app02", "db 01"]
    assert _rules(record) == {"depends_on": "list_cleaned"}
    assert _cleanse(depends_on="app01;app02").changes == []


def test_list_of_placeholders_is_no_value() -> None:
    record = _cleanse(depends_on="N/A; n/a")
    assert "depends_on" not in record.values and _rules(record) == {"depends_on": "placeholder"}


def test_formula_looking_text_is_kept() -> None:
    assert _cleanse(description="=HYPERLINK(\"x\")").values["description"] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize(
    ("cells", "name", "rule"),
    [
        ({"hostname": "web01", "fqdn": "web01.corp.local"}, "web01", "name_from_hostname"),
        ({"fqdn": "web02.corp.local"}, "web02", "name_from_fqdn"),
        ({"external_id": "i-0abc"}, "i-0abc", "name_from_external_id"),
    ],
)
def test_name_fallbacks(cells: dict[str, str], name: str, rule: str) -> None:
    record = cleanse_record({**cells, "name": "N/A"}, [_mapping(t) for t in (*cells, "name")])
    assert record.values["name"] == name and record.errors == []
    assert {"field": "name", "from": None, "to": name, "rule": rule} in record.changes


def test_row_without_identifier_is_an_error() -> None:
    record = cleanse_record({"cpu_cores": "4"}, [_mapping("cpu_cores")])
    assert record.errors == ["no identifying value (name, hostname, fqdn, external id, IP or MAC address)"]


def test_two_columns_onto_one_target_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="both map to name"):
        cleanse_record({}, [_mapping("name", "A"), _mapping("name", "B")])


def test_unmapped_columns_are_ignored() -> None:
    suggestions = suggest_mappings(["Server Name", "Favourite colour"])
    record = cleanse_record({"Server Name": "web01", "Favourite colour": "blue"}, suggestions)
    assert record.values == {"name": "web01"}


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"external_id": "VM-42", "hostname": "web01"}, "ext:VM-42"),
        ({"hostname": "WEB01.corp.local", "name": "Web"}, "host:web01"),
        ({"fqdn": "Web02.Corp.Local"}, "host:web02"),
        ({"hostname": "10.0.0.5"}, "host:10.0.0.5"),
        ({"name": "Payroll DB"}, "name:payroll db"),
    ],
)
def test_natural_key(values: dict[str, object], key: str) -> None:
    assert natural_key(values) == key


def test_natural_key_needs_an_identifier() -> None:
    with pytest.raises(ValueError):
        natural_key({"cpu_cores": 4})


def test_deterministic() -> None:
    cells = {"memory_gb": "16384 MB", "environment": "PRD", "ip_address": "10.0.0.1;10.0.0.2", "cpu_cores": "x"}
    assert _cleanse(**cells) == _cleanse(**cells)


def test_every_sample_row_cleanses_without_errors_except_the_deliberate_ones() -> None:
    with SAMPLE_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    mappings = suggest_mappings(list(rows[0]))
    failing = {row["Server Name"]: cleanse_record(row, mappings).errors for row in rows}
    failing = {name: errors for name, errors in failing.items() if errors}
    deliberate = {row["Server Name"] for row in rows if row["Notes"].startswith(BAD_VALUE_NOTE)}
    assert set(failing) == deliberate and len(deliberate) == 2


def test_tags_and_unmapped_columns_are_kept_with_dates_normalised() -> None:
    mappings = [
        MappingSuggestion(source_field="VM", target_field="name", confidence=1.0, source="synonym", reason=""),
        MappingSuggestion(source_field="Tags", target_field="tags", confidence=1.0, source="exact", reason=""),
    ]
    raw = {"VM": "web-01", "Tags": "env:prod, owner = ops; pci", "Creation date": "45123",
           "Backup policy": "gold", "Notes 2": "N/A", "Cost centre": ""}
    record = cleanse_record(raw, mappings)
    assert record.errors == []
    assert record.values["tags"] == {"env": "prod", "owner": "ops", "pci": None}
    assert record.values["custom_attributes"] == {"Creation date": "2023-07-16", "Backup policy": "gold"}
    rules = {change["rule"] for change in record.changes}
    assert {"tags_parsed", "date_normalised"} <= rules


def test_tags_as_json_object_from_a_joined_tag_file() -> None:
    mappings = [
        MappingSuggestion(source_field="name", target_field="name", confidence=1.0, source="exact", reason=""),
        MappingSuggestion(source_field="tags", target_field="tags", confidence=1.0, source="exact", reason=""),
    ]
    record = cleanse_record({"name": "a", "tags": '{"env": "prod", "app": "shop, web"}'}, mappings)
    assert record.values["tags"] == {"env": "prod", "app": "shop, web"}
    broken = cleanse_record({"name": "a", "tags": '{"env": '}, mappings)
    assert broken.errors and "not a JSON object of tags" in broken.errors[0]
    nested = cleanse_record({"name": "a", "tags": '{"env": ' + "[" * 500_000}, mappings)  # deeper than json reads
    assert nested.errors and "not a JSON object of tags" in nested.errors[0]


def test_manufacturers_are_named_one_way_and_unknown_ones_kept() -> None:
    mapping = [MappingSuggestion(source_field="Vendor", target_field="manufacturer", confidence=1.0, source="exact",
                                 reason=""), MappingSuggestion(source_field="Host", target_field="name",
                                                               confidence=1.0, source="exact", reason="")]
    known = cleanse_record({"Host": "web01", "Vendor": "Dell Inc."}, mapping)
    assert known.values["manufacturer"] == "Dell"
    assert known.changes == [{"field": "manufacturer", "from": "Dell Inc.", "to": "Dell", "rule": "manufacturer_alias"}]
    unknown = cleanse_record({"Host": "web01", "Vendor": "Acme Widgets"}, mapping)
    assert (unknown.values["manufacturer"], unknown.changes) == ("Acme Widgets", [])
