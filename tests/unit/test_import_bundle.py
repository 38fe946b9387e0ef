"""Multi-file imports: supplements attached to their inventory, aggregated and joined as asset columns."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from domain.discovery.cleansing import cleanse_record
from domain.discovery.import_bundle import ImportBundleError, InventoryView, parse_aws_tags, plan_import, tags_json
from domain.discovery.readers.table import Row, ragged_problem
from domain.discovery.source_formats import layout_mappings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@dataclass(eq=False)
class ListTable:
    """An in-memory `Table`: rows handed out in batches, and whether it was closed."""

    path: Path
    name: str
    headers: list[str]
    rows: list[Row]
    format: str = "csv"
    encoding: str | None = "utf-8"
    delimiter: str | None = ","
    closed: bool = False
    _next: int = field(default=0, repr=False)

    def next_batch(self, size: int) -> list[Row]:
        batch = self.rows[self._next : self._next + size]
        self._next += len(batch)
        return batch

    def close(self) -> None:
        self.closed = True


def memory_table(name: str, headers: list[str], rows: list[list[str]], path: Path | None = None) -> ListTable:
    return ListTable(path or Path(name), name, headers,
                     [Row(number, dict(zip(headers, cells))) for number, cells in enumerate(rows, 1)])


def fixture_table(file_name: str) -> ListTable:
    """A fixture CSV read with the csv module: blank rows skipped, short rows padded and flagged as readers do."""
    path = FIXTURES / file_name
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        headers = next(reader)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            problems = (ragged_problem(len(cells), len(headers)),) if len(cells) != len(headers) else ()
            values = dict(zip(headers, cells + [""] * (len(headers) - len(cells))))
            rows.append(Row(len(rows) + 1, values, problems))
    return ListTable(path, file_name, headers, rows)


def read_all(view: InventoryView, batch: int = 5) -> list[Row]:
    rows = []
    while more := view.next_batch(batch):
        rows.extend(more)
    return rows


def _single_view(*file_names: str) -> tuple[InventoryView, dict[str, Row]]:
    plan = plan_import([fixture_table(name) for name in file_names])
    (view,) = plan.inventories
    rows = read_all(view)
    key = view.match.key_column
    return view, {row.values[key]: row for row in rows}


def test_rvtools_partitions_and_networks_join_onto_vinfo() -> None:
    view, rows = _single_view("RVTools_tabvInfo.csv", "RVTools_tabvPartition.csv", "RVTools_tabvNetwork.csv")
    assert len(rows) == 12  # the blank formatted rows are not assets
    assert view.headers[-6:] == ["guest_partitions_capacity_gb", "guest_partitions_used_gb", "mac_address",
                                 "ip_address", "is_virtual", "hypervisor"]
    web = rows["web-prd-01"].values
    # guest volumes are detail: (40960 + 20480) MiB, (12288 + 5120) MiB; the VM's own sizes stay as vInfo says
    assert (web["guest_partitions_capacity_gb"], web["guest_partitions_used_gb"]) == ("60.0", "17.0")
    assert (web["Provisioned MiB "], web["In Use MiB"], web["Total disk capacity MiB"]) == ("63488", "18432", "61440")
    assert "storage_gb" not in web and (web["is_virtual"], web["hypervisor"]) == ("true", "vmware")
    db = rows["db-prd-01"].values
    assert (db["guest_partitions_capacity_gb"], db["guest_partitions_used_gb"]) == ("1024.0", "772.0")
    app = rows["app-prd-01"].values
    assert app["mac_address"] == "00:50:56:8a:20:01; 00:50:56:8a:90:01"
    assert app["ip_address"] == "10.10.2.21; 10.10.2.121; 192.168.90.21"  # the primary IP first, IPv4 only
    assert rows["web-prd-01"].values["ip_address"] == "10.10.1.11"  # the IPv6 address is not an IPv4 one
    template = rows["tpl-rhel9"].values  # no partitions: no guest detail
    assert (template["guest_partitions_capacity_gb"], template["guest_partitions_used_gb"]) == ("", "")
    assert template["ip_address"] == ""


def test_rvtools_report_counts_rows_that_describe_no_vm() -> None:
    view, _ = _single_view("RVTools_tabvInfo.csv", "RVTools_tabvPartition.csv", "RVTools_tabvNetwork.csv")
    partitions, networks = view.report
    assert (partitions.format_id, partitions.rows, partitions.machines) == ("rvtools_vpartition", 24, 11)
    assert (partitions.unmatched_rows, partitions.unmatched_sample) == (1, ["decom-vm-99"])
    assert (networks.rows, networks.unmatched_rows, networks.unmatched_sample) == (17, 1, ["ghost-vm-77"])
    assert partitions.problem_count == 0  # "unknown" is a placeholder: no value, not an error


def test_google_supplements_join_onto_vminfo() -> None:
    view, rows = _single_view("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv")
    assert len(rows) == 12
    first = rows["m-0001"].values
    assert (first["storage_gb"], first["storage_used_gb"], first["disk_count"]) == ("60.0", "18.0", "2")
    assert (first["cpu_utilization_avg"], first["cpu_utilization_peak"]) == ("30.0", "60.0")
    assert (first["memory_utilization_avg"], first["memory_utilization_peak"]) == ("50.0", "60.0")
    assert json.loads(first["tags"]) == {"env": "prod", "app": "storefront"}
    sql = rows["m-0005"].values
    assert (sql["storage_gb"], sql["storage_used_gb"], sql["disk_count"]) == ("1124.0", "700.0", "3")
    assert rows["m-0004"].values["memory_utilization_avg"] == "73.333"
    assert json.loads(rows["m-0010"].values["tags"]) == {"env": "legacy; to-retire"}


def test_google_bad_samples_are_reported_and_skipped_placeholders_are_no_value() -> None:
    view, rows = _single_view("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv")
    mq = rows["m-0008"].values  # one "n/a" CPU sample: two samples left
    assert (mq["cpu_utilization_avg"], mq["cpu_utilization_peak"]) == ("15.0", "18.0")
    bastion = rows["m-0009"].values  # a CPU sample of 135 % is refused, its memory sample still counts
    assert (bastion["cpu_utilization_peak"], bastion["memory_utilization_avg"]) == ("1.0", "10.0")
    legacy = rows["m-0010"].values  # one disk of unreadable size: counted, its size unknown
    assert (legacy["storage_gb"], legacy["disk_count"]) == ("80.0", "2")
    disks, perf, tags = view.report
    assert disks.problems == ["diskInfo.csv row 20: SizeInGib: 'lots' is not a number"]
    assert perf.problems == ["perfInfo.csv row 27: CpuUtilizationPercentage: 135 is above 100%"]
    assert (disks.unmatched_rows, disks.unmatched_sample) == (1, ["m-9999"])
    assert (perf.unmatched_rows, perf.unmatched_sample) == (2, ["m-8888"])
    assert (tags.unmatched_rows, tags.unmatched_sample, tags.machines) == (1, ["m-7777"], 7)


def test_a_machine_without_supplement_rows_keeps_its_own_values_with_their_unit() -> None:
    _, rows = _single_view("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv")
    old = rows["m-0011"].values
    assert (old["storage_gb"], old["storage_used_gb"], old["disk_count"]) == ("120 GiB", "90 GiB", "")
    assert old["cpu_utilization_avg"] == old["tags"] == ""


def test_joined_columns_map_exactly_and_cleanse_into_asset_values() -> None:
    view, rows = _single_view("RVTools_tabvInfo.csv", "RVTools_tabvPartition.csv", "RVTools_tabvNetwork.csv")
    mappings = layout_mappings(view.match.format_id, view.headers)
    by_header = {m.source_field: m for m in mappings}
    for column in ("mac_address", "ip_address", "is_virtual", "hypervisor"):
        assert (by_header[column].target_field, by_header[column].source) == (column, "exact")
    template = cleanse_record(rows["tpl-rhel9"].values, mappings)
    assert template.errors == []
    assert (template.values["storage_gb"], template.values["storage_used_gb"]) == (40.0, 3.0)  # MiB / 1024
    assert (template.values["is_virtual"], template.values["hypervisor"]) == (True, "vmware")
    app = cleanse_record(rows["app-prd-01"].values, mappings)
    assert app.values["ip_address"] == "10.10.2.21"
    assert app.values["ip_addresses"] == ["10.10.2.21", "10.10.2.121", "192.168.90.21"]
    assert app.values["mac_addresses"] == ["00:50:56:8a:20:01", "00:50:56:8a:90:01"]
    assert app.values["storage_gb"] == 202.0  # Provisioned MiB 206848, not the partitions' 200 GB
    assert rows["app-prd-01"].values["guest_partitions_capacity_gb"] == "200.0"


def test_older_mb_partition_headers_are_converted_too() -> None:
    inventory = memory_table("vInfo", ["VM", "Powerstate", "CPUs", "Memory", "NICs"],
                             [["a", "poweredOn", "2", "4096", "1"]])
    partitions = memory_table("vPartition", ["VM", "Disk", "Capacity MB", "Consumed MB", "Free MB"],
                              [["a", "/", "1536", "512", "1024"], ["A ", "/data", "2,048", "1024", "1024"]])
    (view,) = plan_import([inventory, partitions]).inventories
    (row,) = read_all(view)
    sums = (row.values["guest_partitions_capacity_gb"], row.values["guest_partitions_used_gb"])
    assert sums == ("3.5", "1.5")  # keys ignore case, spaces


def test_two_files_of_one_supplement_format_feed_one_aggregate() -> None:
    inventory = fixture_table("vmInfo.csv")
    first = memory_table("diskInfo_a.csv", ["MachineId", "DiskLabel", "SizeInGib", "UsedInGib"],
                         [["m-0001", "sda", "10", "1"]])
    second = memory_table("diskInfo_b.csv", ["MachineId", "DiskLabel", "SizeInGib", "UsedInGib"],
                          [["m-0001", "sdb", "5,5", "2"], ["m-0404", "sda", "1", "1"]])
    (view,) = plan_import([inventory, first, second]).inventories
    rows = {row.values["MachineId"]: row.values for row in read_all(view)}
    assert (rows["m-0001"]["storage_gb"], rows["m-0001"]["disk_count"]) == ("15.5", "2")
    (report,) = view.report
    assert (report.names, report.rows, report.unmatched_sample) == (["diskInfo_a.csv", "diskInfo_b.csv"], 3,
                                                                    ["m-0404"])


def test_each_supplement_file_is_read_by_its_own_header_spelling() -> None:
    inventory = memory_table("vInfo", ["VM", "Powerstate", "CPUs", "Memory", "NICs"],
                             [["a", "poweredOn", "2", "4096", "1"]])
    modern = memory_table("vPartition", ["VM", "Disk", "Capacity MiB", "Consumed MiB"], [["a", "/", "1024", "512"]])
    older = memory_table("vPartition (2)", ["vm", "Disk", "CAPACITY MB", "Consumed MB"], [["a", "/d", "3072", "0"]])
    (view,) = plan_import([inventory, modern, older]).inventories
    (row,) = read_all(view)
    assert (row.values["guest_partitions_capacity_gb"], row.values["guest_partitions_used_gb"]) == ("4.0", "0.5")


def test_supplement_rows_the_reader_found_broken_are_reported_not_joined() -> None:
    headers = ["MachineId", "Key", "Value"]
    broken = Row(2, {"MachineId": "m-0001", "Key": "env", "Value": ""}, (ragged_problem(2, 3),))
    tags = ListTable(Path("tagInfo.csv"), "tagInfo.csv", headers,
                     [Row(1, {"MachineId": "m-0001", "Key": "app", "Value": "web"}), broken,
                      Row(3, {"MachineId": "", "Key": "x", "Value": "y"}),
                      Row(4, {"MachineId": "m-0002", "Key": " ", "Value": "y"})])
    (view,) = plan_import([fixture_table("vmInfo.csv"), tags]).inventories
    rows = {row.values["MachineId"]: row.values for row in read_all(view)}
    assert json.loads(rows["m-0001"]["tags"]) == {"app": "web"}
    (report,) = view.report
    assert report.problems == ["tagInfo.csv row 2: row has 2 fields but the header has 3",
                               "tagInfo.csv row 3: no MachineId", "tagInfo.csv row 4: the tag has no key"]


def test_a_supplement_without_its_inventory_is_refused() -> None:
    with pytest.raises(ImportBundleError, match=r"^diskInfo.csv needs the vmInfo.csv it describes in the same import$"):
        plan_import([fixture_table("diskInfo.csv"), fixture_table("RVTools_tabvInfo.csv")])
    with pytest.raises(ImportBundleError, match="RVTools_tabvNetwork.csv needs the RVTools vInfo sheet"):
        plan_import([fixture_table("RVTools_tabvNetwork.csv")])


def test_a_supplement_goes_to_the_inventory_of_its_own_workbook() -> None:
    vinfo = ["VM", "Powerstate", "CPUs", "Memory", "NICs"]
    partition = ["VM", "Disk", "Capacity MiB", "Consumed MiB"]
    london, paris = Path("london.xlsx"), Path("paris.xlsx")
    tables = [memory_table("vInfo", vinfo, [["a", "poweredOn", "1", "1024", "1"]], london),
              memory_table("vInfo", vinfo, [["a", "poweredOn", "1", "1024", "1"]], paris),
              memory_table("vPartition", partition, [["a", "/", "2048", "1024"]], paris)]
    london_view, paris_view = plan_import(tables).inventories
    assert "guest_partitions_capacity_gb" not in london_view.headers
    assert read_all(paris_view)[0].values["guest_partitions_capacity_gb"] == "2.0"
    loose = memory_table("vPartition", partition, [["a", "/", "2048", "1024"]], Path("partitions.csv"))
    with pytest.raises(ImportBundleError, match="^vPartition could describe vInfo or vInfo; import them separately$"):
        plan_import(tables[:2] + [loose])


def test_the_plan_sorts_dependency_tables_apart_and_an_empty_import_is_refused() -> None:
    plan = plan_import([fixture_table("cmdb_ci_server.csv"), fixture_table("cmdb_rel_ci.csv")])
    assert [view.name for view in plan.inventories] == ["cmdb_ci_server.csv"]
    assert [(table.name, match.format_id) for table, match in plan.dependencies] == [
        ("cmdb_rel_ci.csv", "servicenow_rel_ci")]
    assert [match.role for _, match in plan.matches] == ["inventory", "dependencies"]
    with pytest.raises(ImportBundleError, match="no tables"):
        plan_import([])


def test_an_inventory_without_supplements_passes_through_unchanged() -> None:
    source = fixture_table("cmdb_ci_server.csv")
    expected = list(source.rows)
    (view,) = plan_import([source]).inventories
    assert view.headers == source.headers
    assert read_all(view) == expected
    assert view.report == []


def test_the_view_is_a_table_and_closes_what_it_reads() -> None:
    tables = [fixture_table("vmInfo.csv"), fixture_table("diskInfo.csv")]
    (view,) = plan_import(tables).inventories
    assert (view.path, view.name, view.format, view.encoding, view.delimiter) == (
        FIXTURES / "vmInfo.csv", "vmInfo.csv", "csv", "utf-8", ",")
    with pytest.raises(RuntimeError, match="complete only once every row has been read"):
        view.report
    assert len(view.next_batch(5)) == 5
    assert tables[1].closed and not tables[0].closed  # the supplement is read whole, then released
    assert [row.number for row in view.next_batch(100)] == list(range(6, 13))
    assert view.next_batch(100) == []
    view.close()
    assert tables[0].closed


def test_konveyor_applications_become_inventory_rows_and_dependencies_edges() -> None:
    (view,) = plan_import([fixture_table("konveyor_applications.csv")]).inventories
    rows = read_all(view)
    assert view.headers[:3] == ["name", "asset_type", "Description"]
    assert view.headers[-1] == "tags"
    assert [row.values["name"] for row in rows] == ["Customers", "Inventory", "Orders", "Gateway", "Payments",
                                                    "Ledger", "Reports", "Notifications", "Mystery"]
    assert {row.values["asset_type"] for row in rows} == {"application"}
    customers = rows[0]
    assert customers.problems == ()  # short positional rows are normal in this format
    assert json.loads(customers.values["tags"]) == {"Operating System": "RHEL 8", "Database": "Oracle",
                                                    "Language": "Java"}
    assert customers.values["Owner"] == "Jane Smith <jane.smith@acme.example>"
    assert customers.values["Repository URL"] == "https://git.acme.example/customers.git"
    assert rows[-1].problems == ("record type '3' is neither 1 (application) nor 2 (dependency)",)
    edges = [(e.source_ref, e.target_ref, e.direction) for e in view.edges.records()]
    assert edges == [("Customers", "Inventory", "southbound"), ("Orders", "Inventory", "southbound"),
                     ("Orders", "Customers", "southbound"), ("Gateway", "Orders", "southbound"),
                     ("Orders", "Payments", "northbound"), ("Payments", "Ledger", "northbound")]
    assert view.edges.duplicates == 1
    assert [(p.row_number, p.reason) for p in view.edges.problems] == [
        (15, "dependency direction 'sideways' is not northbound or southbound"), (16, "no dependency named")]


def test_konveyor_tags_start_at_the_first_tag_category_with_or_without_owner_and_contributors() -> None:
    fixed = ["Record Type 1", "Application Name", "Description", "Comments", "Business Service", "Dependency",
             "Dependency Direction", "Binary Group", "Binary Artifact", "Binary Version", "Binary Packaging",
             "Repository Type", "Repository URL", "Repository Branch", "Repository Path"]
    tags = ["Tag Category 1", "Tag 1", "Tag Category 2", "Tag 2"]
    row = ["1", "a", "", "", "", "", "", "", "", "", "", "", "", "", ""]
    without = memory_table("sample.csv", fixed + tags, [row + ["Operating System", "RHEL 8", "Language", "Java"]])
    with_people = memory_table("template.csv", fixed + ["Owner", "Contributors"] + tags,
                               [row + ["Al <al@x>", "Jo <jo@x>", "Operating System", "RHEL 8", "", ""]])
    (plain,) = plan_import([without]).inventories
    (people,) = plan_import([with_people]).inventories
    assert "Tag 1" not in plain.headers and "Owner" not in plain.headers
    assert json.loads(read_all(plain)[0].values["tags"]) == {"Operating System": "RHEL 8", "Language": "Java"}
    values = read_all(people)[0].values
    assert json.loads(values["tags"]) == {"Operating System": "RHEL 8"}
    assert (values["Owner"], values["Contributors"]) == ("Al <al@x>", "Jo <jo@x>")


def test_short_rows_are_normal_only_in_layouts_that_cut_rows_short() -> None:
    def rows_of(name: str, headers: list[str]) -> list[Row]:
        short = Row(1, {**dict.fromkeys(headers, ""), headers[0]: "genie"}, (ragged_problem(3, len(headers)),))
        table = ListTable(Path(name), name, headers, [short])
        (view,) = plan_import([table]).inventories
        return read_all(view)

    cast = ["Application", "Level", "Technologies", "Software Resiliency", "Software Agility", "CloudReady"]
    assert [r.problems for r in rows_of("highlight.csv", cast)] == [()]
    assert [r.problems for r in rows_of("servers.csv", ["name", "cpu", "os", "env"])] == [(ragged_problem(3, 4),)]


def test_a_portfolios_host_and_database_lists_become_links_and_named_assets() -> None:
    headers = ["name", "application owner", "tech lead", "Uptime requirements", "COTS", "Dependencies", "hosts",
               "dbs"]
    table = memory_table("apps.csv", headers, [
        ["Shop, Inc.", "Al", "Jo", "24x7", "No", "Maps API", "web1, web2, vcenter", "Shop database"],
        ["Blog", "Al", "Jo", "24x7", "No", "", "web2", ""],
    ])
    (view,) = plan_import([table]).inventories
    assert view.match.format_id == "tidal_applications"
    rows = read_all(view)
    assert {r.values["asset_type"] for r in rows} == {"application"}
    links = [(e.source_ref, e.target_ref, e.dependency_type) for e in view.edges.records()]
    assert links == [("Shop, Inc.", "web1", "runs_on"), ("Shop, Inc.", "web2", "runs_on"),
                     ("Shop, Inc.", "vcenter", "runs_on"), ("Shop, Inc.", "Shop database", "depends_on"),
                     ("Blog", "web2", "runs_on")]
    assert {kind: list(names) for kind, names in view.listed_assets.items()} == {
        "server": ["web1", "web2", "vcenter"], "database": ["Shop database"]}
    # Dependencies name other applications: a mapped column (depends_on), resolved or reported, never created
    assert {m.source_field: m.target_field for m in layout_mappings("tidal_applications", view.headers)
            }["Dependencies"] == "depends_on"


def test_a_konveyor_file_too_narrow_for_its_layout_is_refused() -> None:
    narrow = memory_table("apps.csv", ["Record Type 1", "Application Name", "Description", "Comments",
                                       "Business Service", "Tag Type 1", "Tag 1"], [["1", "a", "", "", "", "", ""]])
    with pytest.raises(ImportBundleError, match="has 7 header cells; its application layout needs 15"):
        plan_import([narrow])


def test_aws_tags_are_parsed_and_applications_become_edges() -> None:
    view, rows = _single_view("aws_ads_import.csv")
    assert json.loads(rows["srv-003"].values["Tags"]) == {"env": "prod", "owner": "api-team", "pci": "yes"}
    assert json.loads(rows["srv-010"].values["Tags"]) == {"env": "prod:eu", "owner": "reports"}
    assert json.loads(rows["srv-012"].values["Tags"]) == {"team": "ops", "tier": "2"}
    assert view.application_names == ["Ecommerce", "Payments", "HR Portal", "Legacy Reports", "Monitoring",
                                       "Shared Services"]
    edges = view.edges.records()
    assert len(edges) == 14
    assert {(e.dependency_type, e.strength, e.source_ref_kind) for e in edges} == {("runs_on", "hard", "name")}
    assert {(e.source_ref, e.target_ref_kind) for e in edges if e.target_ref == "10.0.6.60"} == {
        ("Legacy Reports", "ip")}  # the row without ExternalId or host name is named by its IP
    assert [(e.source_ref, e.target_ref) for e in edges if e.row_number == 11] == [
        ("Monitoring", "srv-011"), ("Shared Services", "srv-011")]


def test_tag_helpers() -> None:
    assert parse_aws_tags("env:prod, owner , ,url:http://x") == [("env", "prod"), ("owner", ""), ("url", "http://x")]
    assert json.loads(tags_json([("env", "prod"), ("env", "dr"), ("env", "prod"), ("note", "")])) == {
        "env": "prod; dr", "note": ""}


def _vinfo_without(tmp_path: Path, *dropped: str) -> Path:
    """The RVTools vInfo fixture with some columns left out, written as RVTools_tabvInfo.csv under tmp_path."""
    with (FIXTURES / "RVTools_tabvInfo.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    kept = [h for h in table[0] if h.strip() not in dropped]
    path = tmp_path / "RVTools_tabvInfo.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, kept, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)
    return path


def test_rvtools_vdisk_sizes_a_vm_only_where_vinfo_has_no_capacity(tmp_path: Path) -> None:
    full, rows = _single_view("RVTools_tabvInfo.csv", "RVTools_tabvDisk.csv")
    [disks] = full.report
    assert (disks.format_id, disks.rows, disks.machines, disks.unmatched_rows) == ("rvtools_vdisk", 10, 5, 1)
    mappings = layout_mappings(full.match.format_id, full.headers)
    web = cleanse_record(rows["web-prd-01"].values, mappings).values
    assert (web["storage_gb"], web["disk_count"]) == (62.0, 2)  # vInfo's Provisioned MiB 63488, not the disks' 60

    capacity = ("Total disk capacity MiB", "Provisioned MiB", "In Use MiB", "Unshared MiB", "Disks")
    plan = plan_import([fixture_table(str(_vinfo_without(tmp_path, *capacity))), fixture_table("RVTools_tabvDisk.csv")])
    [view] = plan.inventories
    rows = {row.values["VM"]: row for row in read_all(view)}
    mappings = layout_mappings(view.match.format_id, view.headers)
    sized = {vm: cleanse_record(rows[vm].values, mappings).values for vm in ("web-prd-01", "db-prd-01", "win-dc-01",
                                                                           "app-prd-01")}
    assert {vm: (v.get("storage_gb"), v.get("disk_count")) for vm, v in sized.items()} == {
        "web-prd-01": (60.0, 2), "db-prd-01": (1024.0, 4), "win-dc-01": (100.0, 1),
        "app-prd-01": (None, None)}  # no disk rows: nothing guessed
