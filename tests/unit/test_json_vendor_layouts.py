"""vSphere (govmomi) and Nutanix Prism JSON dumps: recognised by their flattened headers, mapped by their tables."""

from __future__ import annotations

import uuid
from pathlib import Path

from domain.discovery.import_plan import planned_import
from domain.discovery.source_formats import layout_mappings, recognise

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def _staged(path: Path) -> tuple[str, list[str], list[dict[str, str]]]:
    """The recognised format, the staged headers and rows of one file."""
    with planned_import({uuid.uuid4(): path}) as plan:
        [planned] = plan
        rows = []
        while batch := planned.table.next_batch(100):
            rows.extend(row.values for row in batch if not row.problems)
        return planned.format_id, planned.table.headers, rows


def test_a_vsphere_dump_is_named_by_its_config_not_by_the_guest_hostname() -> None:
    fmt, headers, rows = _staged(CORPUS / "gists__vcenter.json")
    assert fmt == "vsphere_vm_json"
    mapped = {m.target_field: m.source_field for m in layout_mappings(fmt, headers) if m.target_field}
    assert mapped["name"] == "Summary.Config.Name" and mapped["hostname"] == "Summary.Guest.HostName"
    assert mapped["power_state"] == "Summary.Runtime.PowerState" and mapped["host_name"] == "Summary.Runtime.Host.Value"
    assert mapped["is_virtual"] == "is_virtual" and {r["hypervisor"] for r in rows} == {"vmware"}
    names = [r["Summary.Config.Name"] for r in rows]
    assert len(names) == len(set(names)) == 9
    assert sum(r["Summary.Guest.HostName"] == "nsx-controller" for r in rows) == 3


def test_a_nutanix_vm_list_reads_its_lists_into_vcpus_disks_and_addresses() -> None:
    fmt, headers, rows = _staged(CORPUS / "forklift__vms_list.json")
    assert fmt == "nutanix_prism_vms"
    mapped = {m.source_field: m.target_field for m in layout_mappings(fmt, headers)}
    assert {mapped[c] for c in ("cpu_cores", "disk_count", "storage_gb", "ip_address")} == {
        "cpu_cores", "disk_count", "storage_gb", "ip_address"}
    assert mapped["spec.resources.disk_list"] is None  # the list itself is kept as a custom attribute
    db = next(r for r in rows if r["spec.name"] == "db-server-rhel9")  # 4 sockets x 2, disks of 100 and 500 GiB
    assert (db["cpu_cores"], db["disk_count"], db["storage_gb"], db["ip_address"]) == ("8", "2", "600", "192.168.200.51")
    app = next(r for r in rows if r["spec.name"] == "win2022-app-server")
    assert app["ip_address"] == "192.168.100.110; 192.168.200.110" and app["network_adapters"] == "2"


def test_json_layouts_need_their_own_headers() -> None:
    assert recognise("servers.json", ["Summary.Config.Name", "Summary.Config.NumCpu"]).format_id == "generic"
    assert recognise("vms.json", ["spec.name", "spec.resources.num_sockets", "spec.resources.memory_size_mib",
                                  "metadata.uuid"]).format_id == "generic"
