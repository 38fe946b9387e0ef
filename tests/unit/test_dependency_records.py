"""Edge rows of ServiceNow, Azure Migrate, Konveyor and AWS exports as canonical dependency records."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest

from domain.discovery.dependency_records import (
    SERVICENOW_RELATIONSHIPS,
    EdgeCollector,
    EdgeDropped,
    EdgeProblem,
    EdgeRecord,
    application_edges,
    edge,
    edge_reader,
    konveyor_edge,
    parse_port,
    read_edges,
    ref_kind,
)
from domain.discovery.readers import open_tables
from domain.discovery.readers.table import Row, ragged_problem
from domain.discovery.source_formats import recognise
from domain.vocabulary import DEPENDENCY_STRENGTHS, DEPENDENCY_TYPES
from tests.unit.test_import_bundle import ListTable, fixture_table


def _ends(records: list[EdgeRecord]) -> list[tuple[str, str, str, str]]:
    return [(r.source_ref, r.target_ref, r.dependency_type, r.strength) for r in records]


def test_servicenow_relationships_become_typed_edges() -> None:
    collected = read_edges(fixture_table("cmdb_rel_ci.csv"), "servicenow_rel_ci")
    records = collected.records()
    assert _ends(records) == [
        ("Order Service", "sn-app-01", "depends_on", "hard"),
        ("Order Service", "sn-db-01", "depends_on", "hard"),
        ("sn-app-01", "sn-esx-07", "runs_on", "hard"),  # dangling: kept, resolved (or not) against the inventory
        ("sn-web-01", "sn-app-01", "consumes", "soft"),
        ("sn-web-02", "sn-app-01", "consumes", "soft"),
        ("sn-db-01", "sn-db-cluster", "member_of", "soft"),  # Members::Member of: the child is the member
        ("sn-db-02", "sn-db-cluster", "member_of", "soft"),
        ("sn-app-01", "sn-mq-01", "depends_on", "soft"),
        ("Order Service", "sn-legacy-01", "depends_on", "hard"),
        ("sn-web-01", "0a1b2c3d4e5f60718293a4b5c6d7e8fb", "runs_on", "hard"),
        ("sn-test-01", "decom-srv-09", "depends_on", "hard"),
    ]
    assert collected.duplicates == 1  # sn-web-01 consumes sn-app-01 is listed twice
    unknown = records[7]
    assert unknown.evidence_source == (
        "cmdb_rel_ci.csv: unknown relationship type 'Sends data to::Receives data from', read as depends_on")
    assert unknown.port == 5672
    hosted = records[9]
    assert (hosted.source_ref_kind, hosted.target_ref_kind, hosted.evidence_source) == (
        "name", "id", "cmdb_rel_ci.csv: Hosted on::Hosts")
    assert records[1].port == 1433 and records[0].port is None
    assert [(p.row_number, p.reason) for p in collected.problems] == [
        (12, "no target reference"),
        (14, "port '99999' is not a whole number within 0..65535"),
    ]
    assert collected.dropped == {"self": 1}  # row 13: sn-file-01 depends on itself, no bad row


def test_a_servicenow_relationship_export_with_display_values_names_its_ends_by_them() -> None:
    headers = ["sys_id.value", "parent.value", "parent.display_value", "type.display_value", "child.display_value",
               "child.value", "port.display_value"]
    assert recognise("export.csv", headers).format_id == "servicenow_rel_ci"
    table = ListTable(Path("export.csv"), "export.csv", headers, [Row(1, dict(zip(headers, [
        "f" * 32, "a" * 32, "Order Service", "Depends on::Used by", "sn-db-01", "b" * 32, "1433"])))])
    [record] = read_edges(table, "servicenow_rel_ci").records()
    assert (record.source_ref, record.target_ref, record.dependency_type, record.port) == (
        "Order Service", "sn-db-01", "depends_on", 1433)


def test_azure_connections_collapse_over_time_slots_and_fall_back_to_ip() -> None:
    collected = read_edges(fixture_table("azure_dependencies.csv"), "azure_dependencies")
    records = collected.records()
    assert [(r.source_ref, r.source_ref_kind, r.target_ref, r.target_ref_kind, r.port) for r in records] == [
        ("az-web-01", "name", "az-app-01", "name", 8443),
        ("az-web-02", "name", "az-app-02", "name", 8443),
        ("az-app-01", "name", "az-sql-01", "name", 1433),
        ("az-app-02", "name", "10.2.2.31", "ip", 1433),
        ("az-app-01", "name", "10.2.1.51", "ip", 5672),
        ("az-batch-01", "name", "172.16.40.9", "ip", 443),
        ("az-batch-01", "name", "az-file-01", "name", 445),
        ("10.2.0.2", "ip", "az-web-01", "name", 443),
    ]
    assert collected.duplicates == 4  # 3 slots of web-01 -> app-01, 2 of app-01 -> sql-01, 2 of app-01 -> mq
    assert {(r.dependency_type, r.strength, r.protocol, r.direction) for r in records} == {
        ("communicates_with", "soft", "tcp", None)}
    assert records[0].row_number == 1  # the first time slot seen
    assert records[0].evidence_source == "azure_dependencies.csv: observed connection w3wp.exe -> java"
    assert [(p.row_number, p.reason) for p in collected.problems] == [
        (12, "no target server name or IP"),
        (13, "port '70000' is not a whole number within 0..65535"),
    ]


def test_konveyor_direction_decides_which_way_the_edge_runs() -> None:
    south = konveyor_edge(3, "Orders", "Inventory", "southbound", "apps.csv")
    north = konveyor_edge(4, "Orders", "Payments", " NorthBound ", "apps.csv")
    assert (south.source_ref, south.target_ref, south.direction) == ("Orders", "Inventory", "southbound")
    assert (north.source_ref, north.target_ref, north.direction) == ("Payments", "Orders", "northbound")
    assert (north.dependency_type, north.strength, north.source_ref_kind) == ("depends_on", "hard", "name")
    assert konveyor_edge(5, "Orders", "Inventory", "", "apps.csv") == EdgeProblem(
        5, "dependency direction '' is not northbound or southbound")
    assert konveyor_edge(6, " ", "Inventory", "southbound", "apps.csv") == EdgeProblem(6, "no application name")


def test_aws_applications_run_on_the_server_of_their_row() -> None:
    records = application_edges(7, "Billing, Payments;Billing", ("srv-7", "id"), "ads.csv")
    assert _ends(records) == [("Billing", "srv-7", "runs_on", "hard"), ("Payments", "srv-7", "runs_on", "hard")]
    assert records[0].target_ref_kind == "id"
    (problem,) = application_edges(8, "Billing", ("", "name"), "ads.csv")
    assert problem == EdgeProblem(
        8, "no target server reference (ExternalId, HostName, VMware.VMName or IPAddress)")
    assert application_edges(9, " , ", ("srv-9", "id"), "ads.csv") == []


@pytest.mark.parametrize(
    ("ref", "kind"),
    [("0a1b2c3d4e5f60718293a4b5c6d7e8fb", "id"), ("10.2.0.11", "ip"), ("fe80::1", "ip"), ("sn-web-01", "name"),
     ("Order Service", "name"), ("0a1b2c3d", "name")],
)
def test_ref_kind(ref: str, kind: str) -> None:
    assert ref_kind(ref) == kind


@pytest.mark.parametrize(("text", "port"), [("443", 443), (" 0 ", 0), ("65535", 65535), ("8080.0", 8080), ("", None)])
def test_parse_port(text: str, port: int | None) -> None:
    assert parse_port(text) == port


@pytest.mark.parametrize(
    ("text", "message"),
    [("-1", "within 0..65535"), ("65536", "within 0..65535"), ("80.5", "whole number"), ("http", "not a number")],
)
def test_parse_port_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_port(text)


def test_records_hold_only_canonical_vocabulary() -> None:
    for dependency_type, strength, _ in SERVICENOW_RELATIONSHIPS.values():
        assert dependency_type in DEPENDENCY_TYPES and strength in DEPENDENCY_STRENGTHS
    with pytest.raises(ValueError, match="'uses' is not one of"):
        EdgeRecord("a", "b", "name", "name", "uses", "hard", None, None, None, "x", 1)
    with pytest.raises(ValueError, match="'strong' is not one of"):
        EdgeRecord("a", "b", "name", "name", "depends_on", "strong", None, None, None, "x", 1)
    with pytest.raises(ValueError, match="reference kinds"):
        EdgeRecord("a", "b", "fqdn", "name", "depends_on", "hard", None, None, None, "x", 1)


def test_a_repeat_keeps_the_first_edge_and_the_stronger_strength() -> None:
    collector = EdgeCollector()
    soft = edge(1, ("A", "name"), ("b", "name"), "depends_on", "soft", "first")
    hard = edge(2, ("a", "name"), ("B", "name"), "depends_on", "hard", "second")
    other_port = edge(3, ("a", "name"), ("b", "name"), "depends_on", "hard", "third", port=22)
    collector.add([soft, hard, other_port])
    first, third = collector.records()
    assert (first.row_number, first.strength, first.evidence_source) == (1, "hard", "first")
    assert third.port == 22
    assert collector.duplicates == 1


def test_rows_the_reader_found_broken_and_unknown_formats() -> None:
    headers = ["parent", "type", "child"]
    table = ListTable(Path("rel.csv"), "rel.csv", headers, [
        Row(1, {"parent": "a", "type": "Runs on::Runs", "child": "b"}),
        Row(2, {"parent": "a", "type": "", "child": ""}, (ragged_problem(2, 3),)),
        Row(3, {"parent": "c", "type": "", "child": "d"}),
    ])
    collected = read_edges(table, "servicenow_rel_ci")
    assert _ends(collected.records()) == [("a", "b", "runs_on", "hard"), ("c", "d", "depends_on", "soft")]
    assert collected.records()[1].evidence_source == "rel.csv: unknown relationship type '', read as depends_on"
    assert collected.problems == [EdgeProblem(2, "row has 2 fields but the header has 3")]
    with pytest.raises(ValueError, match="'rvtools_vinfo' is not a dependency export"):
        read_edges(table, "rvtools_vinfo")


def test_a_staged_row_is_read_one_at_a_time() -> None:
    headers = ["Source server name", "Source IP", "Destination server name", "Destination IP", "Destination port"]
    read = edge_reader("azure_dependencies", headers, "deps.csv")
    record = read(Row(4, {"Source server name": "", "Source IP": "10.0.0.1", "Destination server name": "db",
                          "Destination IP": "10.0.0.2", "Destination port": "5432"}))
    assert (record.source_ref, record.source_ref_kind, record.target_ref, record.port, record.row_number) == (
        "10.0.0.1", "ip", "db", 5432, 4)
    with pytest.raises(ValueError, match="'google_vminfo' is not a dependency export"):
        edge_reader("google_vminfo", headers, "vm.csv")


@pytest.mark.parametrize(
    ("source", "target", "kind"),
    [(("127.0.0.1", "ip"), ("db-01", "name"), "loop-back"),
     (("web-01", "name"), ("::1", "ip"), "loop-back"),
     (("web-01", "name"), ("127.0.1.1", "ip"), "loop-back"),  # all of 127.0.0.0/8
     (("LocalHost", "name"), ("db-01", "name"), "loop-back"),
     (("web-01", "name"), ("WEB-01", "name"), "self")],
)
def test_loop_back_and_self_edges_are_dropped_by_kind_not_refused(source, target, kind) -> None:
    result = edge(3, source, target, "communicates_with", "soft", "deps.csv")
    assert isinstance(result, EdgeDropped) and (result.row_number, result.kind) == (3, kind)


def test_the_collector_counts_dropped_rows_apart_from_problems() -> None:
    headers = ["Source server name", "Source IP", "Destination server name", "Destination IP", "Destination port"]
    cells = [["web-01", "10.0.0.1", "", "127.0.0.1", "80"],
             ["web-01", "10.0.0.1", "localhost", "", "8080"],
             ["web-01", "10.0.0.1", "web-01", "10.0.0.1", "443"],
             ["web-01", "10.0.0.1", "db-01", "10.0.0.2", "5432"],
             ["web-01", "10.0.0.1", "", "", "5432"]]
    table = ListTable(Path("deps.csv"), "deps.csv", headers,
                      [Row(n, dict(zip(headers, row, strict=True))) for n, row in enumerate(cells, 1)])
    collected = read_edges(table, "azure_dependencies")
    assert _ends(collected.records()) == [("web-01", "db-01", "communicates_with", "soft")]
    assert collected.dropped == {"loop-back": 2, "self": 1}
    assert [p.reason for p in collected.problems] == ["no target server name or IP"]


def test_a_real_azure_dependency_export_without_source_ips() -> None:
    """tests/fixtures/corpus: `Timeslot` in one word, no Source IP column; 5 connections between 8 servers."""
    path = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / (
        "azure-migrate-move-group-planner__dependency-export-sample.csv")
    (table,) = open_tables(path)
    with closing(table):
        collected = read_edges(table, "azure_dependencies")
    assert [(r.source_ref, r.target_ref, r.target_ref_kind, r.port) for r in collected.records()] == [
        ("app1-server", "app2-server", "name", 443), ("app1-server", "db1-server", "name", 1433),
        ("web1-server", "api1-server", "name", 8080), ("web2-server", "api2-server", "name", 8080),
        ("admin-server", "app1-server", "name", 3389)]
    assert collected.records()[4].evidence_source == (
        f"{path.name}: observed connection rdp.exe -> svchost.exe")
    assert (collected.problems, collected.dropped, collected.duplicates) == ([], {}, 0)
