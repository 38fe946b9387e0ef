"""Normalise the edge rows of vendor exports into dependency records between asset references.

An edge names its ends as the export does: by id (a ServiceNow sys_id, an external id), by name,
or by IP address; linking them to assets happens later, against the inventory. Types and strengths
are the canonical `DEPENDENCY_TYPES` / `DEPENDENCY_STRENGTHS`.

- ServiceNow `cmdb_rel_ci` (`parent, child, type`): a type `A::B` reads "parent A child". Known
  types map by `SERVICENOW_RELATIONSHIPS`; for `Members::Member of` the child is the member, so the
  edge runs child -> parent. An unknown or blank type becomes depends_on soft, the type kept in the
  evidence.
- Azure Migrate dependency export: source -> destination server, by name or, when the name is blank,
  by IP; the destination port; protocol tcp; communicates_with soft.
- Konveyor record type 2: northbound means the dependency calls the application (dependency ->
  application), southbound means the application calls the dependency; depends_on hard.
- AWS Application Discovery `Applications`: application -> server, runs_on hard.

A row without a usable source or target or with a port outside 0..65535 becomes an `EdgeProblem` with
the reason, never an exception. A row that is no dependency between two machines, though nothing is
wrong with it, is an `EdgeDropped`: a loop-back end (127.0.0.0/8, ::1, `localhost`: a machine talking to
itself, as connection monitors record it) or the same reference at both ends. Such rows are counted by
kind, not quarantined. `EdgeCollector` collapses repeated edges (the same ends, type, port and protocol:
duplicated relationships, one connection seen in several time slots) into the first one seen, keeping the
stronger strength, and counts the repeats.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from domain.discovery.readers.table import Row
from domain.discovery.source_formats import FORMATS, Columns
from domain.vocabulary import DEPENDENCY_STRENGTHS, DEPENDENCY_TYPES

RefKind = Literal["id", "name", "ip"]
REF_KINDS: tuple[RefKind, ...] = ("id", "name", "ip")
KONVEYOR_DIRECTIONS: tuple[str, ...] = ("northbound", "southbound")

# ServiceNow relationship type (case-insensitive) -> dependency type, strength, and whether the
# edge runs child -> parent (the child is the subject of the type's right-hand reading).
SERVICENOW_RELATIONSHIPS: dict[str, tuple[str, str, bool]] = {
    "depends on::used by": ("depends_on", "hard", False),
    "runs on::runs": ("runs_on", "hard", False),
    "hosted on::hosts": ("runs_on", "hard", False),
    "virtualized by::virtualizes": ("runs_on", "hard", False),
    "consumes::consumed by": ("consumes", "soft", False),
    "members::member of": ("member_of", "soft", True),
}

_SYS_ID = re.compile(r"[0-9a-f]{32}", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class EdgeRecord:
    """A directed dependency source -> target between two asset references, with where it came from."""

    source_ref: str
    target_ref: str
    source_ref_kind: RefKind
    target_ref_kind: RefKind
    dependency_type: str
    strength: str
    port: int | None
    protocol: str | None
    direction: str | None
    evidence_source: str
    row_number: int

    def __post_init__(self) -> None:
        if self.dependency_type not in DEPENDENCY_TYPES:
            raise ValueError(f"{self.dependency_type!r} is not one of {DEPENDENCY_TYPES}")
        if self.strength not in DEPENDENCY_STRENGTHS:
            raise ValueError(f"{self.strength!r} is not one of {DEPENDENCY_STRENGTHS}")
        if self.source_ref_kind not in REF_KINDS or self.target_ref_kind not in REF_KINDS:
            raise ValueError(f"reference kinds must be among {REF_KINDS}")

    def identity(self) -> tuple[object, ...]:
        """What makes two records the same edge: ends (ignoring case), type, port and protocol."""
        return (self.source_ref_kind, self.source_ref.casefold(), self.target_ref_kind, self.target_ref.casefold(),
                self.dependency_type, self.port, self.protocol)


@dataclass(frozen=True)
class EdgeProblem:
    """A row that yields no edge, and why."""

    row_number: int
    reason: str


DropKind = Literal["loop-back", "self"]


@dataclass(frozen=True)
class EdgeDropped:
    """A row that is no dependency between two machines (a loop-back or self edge): counted, never an error."""

    row_number: int
    kind: DropKind
    reason: str


EdgeResult = EdgeRecord | EdgeProblem | EdgeDropped
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class _RowTable(Protocol):
    name: str
    headers: list[str]

    def next_batch(self, size: int) -> list[Row]: ...


def ref_kind(ref: str) -> RefKind:
    """`id` for a ServiceNow sys_id (32 hex digits), `ip` for an IP address, else `name`."""
    if _SYS_ID.fullmatch(ref):
        return "id"
    try:
        ipaddress.ip_address(ref)
    except ValueError:
        return "name"
    return "ip"


def is_loopback(ref: str) -> bool:
    """A reference naming the machine itself: a loop-back address (127.0.0.0/8, ::1) or `localhost`."""
    if ref.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(ref).is_loopback
    except ValueError:
        return False


def parse_port(text: str) -> int | None:
    """The port in `text` (`'443'`, `'443.0'`), None when blank; ValueError naming the value otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"port {text!r} is not a number") from None
    if not number.is_integer() or not 0 <= number <= 65535:
        raise ValueError(f"port {text!r} is not a whole number within 0..65535")
    return int(number)


def edge(
    row_number: int,
    source: tuple[str, RefKind],
    target: tuple[str, RefKind],
    dependency_type: str,
    strength: str,
    evidence_source: str,
    *,
    port: int | None = None,
    protocol: str | None = None,
    direction: str | None = None,
    missing: str = "reference",
) -> EdgeResult:
    """An edge between two (reference, kind) ends; a problem when an end is blank; dropped when an end is a
    loop-back reference or both ends are the same.

    `missing` names what a blank end lacks in the problem: "no target <missing>".
    """
    (source_ref, source_kind), (target_ref, target_kind) = source, target
    source_ref, target_ref = source_ref.strip(), target_ref.strip()
    if not source_ref or not target_ref:
        return EdgeProblem(row_number, f"no {'target' if source_ref else 'source'} {missing}")
    for end in (source_ref, target_ref):
        if is_loopback(end):
            return EdgeDropped(row_number, "loop-back", f"{end!r} is a loop-back reference")
    if (source_kind, source_ref.casefold()) == (target_kind, target_ref.casefold()):
        return EdgeDropped(row_number, "self", f"{source_ref!r} depends on itself")
    return EdgeRecord(source_ref, target_ref, source_kind, target_kind, dependency_type, strength, port, protocol,
                      direction, evidence_source, row_number)


def servicenow_edges(headers: list[str], source_name: str) -> Callable[[Row], EdgeResult]:
    """A function reading one `cmdb_rel_ci` row (`parent, child, type`, optional `port`) into an edge; an
    export with display values names the ends by `parent.display_value` / `child.display_value`."""
    columns = Columns(headers, FORMATS["servicenow_rel_ci"])

    def read(row: Row) -> EdgeResult:
        parent, child = columns.cell(row.values, "parent"), columns.cell(row.values, "child")
        relationship = columns.cell(row.values, "type")
        known = SERVICENOW_RELATIONSHIPS.get(relationship.casefold())
        if known is None:
            dependency_type, strength, reverse = "depends_on", "soft", False
            evidence = f"{source_name}: unknown relationship type {relationship!r}, read as depends_on"
        else:
            dependency_type, strength, reverse = known
            evidence = f"{source_name}: {relationship}"
        try:
            port = parse_port(columns.cell(row.values, "port"))
        except ValueError as problem:
            return EdgeProblem(row.number, str(problem))
        source, target = (child, parent) if reverse else (parent, child)
        return edge(row.number, (source, ref_kind(source)), (target, ref_kind(target)), dependency_type, strength,
                    evidence, port=port)

    return read


def azure_edges(headers: list[str], source_name: str) -> Callable[[Row], EdgeResult]:
    """A function reading one Azure Migrate dependency row into a communicates_with edge."""
    columns = Columns(headers)

    def end(values: Mapping[str, str], side: str) -> tuple[str, RefKind]:
        name = columns.cell(values, f"{side} server name")
        return (name, "name") if name else (columns.cell(values, f"{side} IP"), "ip")

    def read(row: Row) -> EdgeResult:
        try:
            port = parse_port(columns.cell(row.values, "Destination port"))
        except ValueError as problem:
            return EdgeProblem(row.number, str(problem))
        processes = [columns.cell(row.values, f"{side} process") for side in ("Source", "Destination")]
        evidence = f"{source_name}: observed connection"
        if all(processes):
            evidence += f" {processes[0]} -> {processes[1]}"
        return edge(row.number, end(row.values, "Source"), end(row.values, "Destination"), "communicates_with",
                    "soft", evidence, port=port, protocol="tcp", missing="server name or IP")

    return read


def konveyor_edge(row_number: int, application: str, dependency: str, direction: str, source_name: str) -> EdgeResult:
    """A Konveyor record type 2: northbound = dependency -> application, southbound = application -> dependency."""
    way = direction.strip().casefold()
    if not application.strip() or not dependency.strip():
        return EdgeProblem(row_number, "no application name" if not application.strip() else "no dependency named")
    if way not in KONVEYOR_DIRECTIONS:
        return EdgeProblem(row_number, f"dependency direction {direction!r} is not northbound or southbound")
    app, dep = (application, "name"), (dependency, "name")
    ends = (dep, app) if way == "northbound" else (app, dep)
    return edge(row_number, *ends, "depends_on", "hard", f"{source_name}: Konveyor {way} dependency",
                direction=way)


def application_names(applications: str) -> list[str]:
    """The distinct names in an AWS `Applications` cell (a comma list; `;` accepted too)."""
    return list(dict.fromkeys(n.strip() for n in _LIST_SEPARATORS.split(applications) if n.strip()))


def application_edges(row_number: int, applications: str, server: tuple[str, RefKind],
                      source_name: str) -> list[EdgeResult]:
    """AWS `Applications`: one application -> server runs_on edge per application named."""
    return [edge(row_number, (name, "name"), server, "runs_on", "hard", f"{source_name}: AWS Applications",
                 missing="server reference (ExternalId, HostName, VMware.VMName or IPAddress)")
            for name in application_names(applications)]


def listed_edges(row_number: int, source: str, names: str, dependency_type: str, evidence: str) -> list[EdgeResult]:
    """One hard edge from the row's asset to each asset a list cell names (a portfolio's `hosts`, `dbs`)."""
    return [edge(row_number, (source, "name"), (name, "name"), dependency_type, "hard", evidence)
            for name in application_names(names)]


@dataclass
class EdgeCollector:
    """Distinct edges in first-seen order, the rows that yielded none, how many rows were dropped (by kind)
    and how many repeats were collapsed."""

    edges: dict[tuple[object, ...], EdgeRecord] = field(default_factory=dict)
    problems: list[EdgeProblem] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0

    def add(self, results: Iterable[EdgeResult]) -> None:
        for result in results:
            if isinstance(result, EdgeProblem):
                self.problems.append(result)
                continue
            if isinstance(result, EdgeDropped):
                self.dropped[result.kind] = self.dropped.get(result.kind, 0) + 1
                continue
            key = result.identity()
            seen = self.edges.get(key)
            if seen is None:
                self.edges[key] = result
                continue
            self.duplicates += 1
            if seen.strength == "soft" and result.strength == "hard":
                self.edges[key] = replace(seen, strength="hard")

    def records(self) -> list[EdgeRecord]:
        return list(self.edges.values())


EDGE_READERS = {"servicenow_rel_ci": servicenow_edges, "azure_dependencies": azure_edges}


def edge_reader(format_id: str, headers: list[str], source_name: str) -> Callable[[Row], EdgeResult]:
    """The function reading one row of a dependency export (`servicenow_rel_ci`, `azure_dependencies`)."""
    if format_id not in EDGE_READERS:
        raise ValueError(f"{format_id!r} is not a dependency export (known: {', '.join(EDGE_READERS)})")
    return EDGE_READERS[format_id](headers, source_name)


def read_edges(table: _RowTable, format_id: str, batch_size: int = 5000) -> EdgeCollector:
    """Every edge of a dependency table, read in one streaming pass.

    A row the reader already found broken (ragged, oversized cell) is a problem, not an edge.
    """
    read = edge_reader(format_id, table.headers, table.name)
    collector = EdgeCollector()
    while batch := table.next_batch(batch_size):
        collector.add(
            EdgeProblem(row.number, "; ".join(row.problems)) if row.problems else read(row) for row in batch
        )
    return collector
