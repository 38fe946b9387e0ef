"""Combine the tables of one multi-file import into inventory views the import step stages like any table.

`plan_import` recognises every table (`domain.discovery.source_formats`), attaches each supplement to the
inventory table of the format it describes (the one from the same workbook when there are several)
and refuses a supplement without one. Each `InventoryView` satisfies the readers' `Table` protocol:
it streams the inventory rows with the supplements' per-asset aggregates joined in as extra columns
named exactly as asset columns, so field mapping matches them exactly.

Supplements are aggregated in one streaming pass, into dicts keyed by the join key (case and
surrounding spaces ignored): memory grows with the number of machines, not of rows.

- Google diskInfo: `storage_gb` / `storage_used_gb` sum SizeInGib / UsedInGib; `disk_count` counts disks.
- RVTools vPartition: `guest_partitions_capacity_gb` / `guest_partitions_used_gb` sum the guest volumes'
  Capacity / Consumed (MiB or MB) in GB: detail kept as custom attributes. A VM's capacity and use are vInfo's
  own (`Provisioned MiB`, `In Use MiB`): partitions cover only the volumes the guest reports, never the disks.
- Google perfInfo: `cpu_utilization_avg|peak`, `memory_utilization_avg|peak`: the mean and the
  **maximum** of the samples (the maximum, not a 95th percentile, keeps memory per machine constant).
- Google tagInfo: `tags`, a JSON object `{"key": "value"}` (several values of one key joined by "; ").
  The asset model has no `tags` column yet, so it lands in the custom attributes.
- RVTools vNetwork: `mac_address` and `ip_address` (IPv4 only), every distinct address "; "-separated.
- RVTools vDisk: `storage_gb` sums the virtual disks' Capacity (MiB or MB) in GB, `disk_count` counts them;
  they only fill what vInfo leaves blank (a vInfo without `Provisioned MiB` / `Total disk capacity MiB` or
  `Disks`, or a blank cell): vInfo's own capacity wins.

A joined column holds the supplement's value (vDisk's only where the inventory has none); a machine the
supplement says nothing about keeps the inventory's own value for that asset column (with its header's size unit, so cleansing converts it);
address lists keep the inventory's addresses first. A supplement cell that is not a number, or a
percentage outside 0..100, is reported and skipped; placeholders (`n/a`) are no value. Supplement rows
whose key matches no inventory row are counted and sampled in the view's `report`, not dropped silently.

A layout's `constants` (RVTools vInfo: `is_virtual` true, `hypervisor` vmware) are written into every row
as columns named as asset columns, unless the table has a column of that name.

Konveyor: record type 1 rows are the inventory (`asset_type` application, tags from the Tag Category /
Tag pairs, read by position from the first `Tag Category` header: the template adds Owner and Contributors
before them); type 2 rows become dependency records in `edges`. AWS Application
Discovery: `Tags` "k:v, k:v" is rewritten in place as the same JSON object, and `Applications` yields
application -> server edges and the `application_names`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.dependency_records import (
    EdgeCollector,
    RefKind,
    application_edges,
    application_names,
    konveyor_edge,
    listed_edges,
)
from domain.discovery.disk_totals import TOTAL_HEADERS, disk_columns, disk_totals
from domain.discovery.field_mapping import suggest_mappings
from domain.discovery.readers.table import Row, Table, ragged_problem
from domain.discovery.record_lists import DerivedValueError, derived_value
from domain.discovery.size_units import SizeUnit, split_value_unit, to_gb
from domain.discovery.source_formats import FORMATS, Columns, FormatMatch, layout_mappings, recognise
from domain.value_aliases import is_placeholder

_SAMPLE = 10  # unmatched keys and problems kept per supplement
_READ_BATCH = 5000
_LIST_KINDS = ("ip_list", "mac_list")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")


class ImportBundleError(ValueError):
    """The tables of an import cannot be combined; the message says which table and why."""


def _key(text: str) -> str:
    return text.strip().casefold()


def _number(text: str) -> float | None:
    """A finite non-negative number (`1024`, `1,024`, `2,5`); None for a blank or placeholder cell."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)  # the common case first: supplements are machine-written
    except ValueError:
        if is_placeholder(text):
            return None
        if _THOUSANDS.fullmatch(text):
            value = float(text.replace(",", ""))
        elif _DECIMAL_COMMA.fullmatch(text):
            value = float(text.replace(",", "."))
        else:
            raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{text!r} is not a non-negative number")
    return value


def _shown(value: float) -> str:
    return str(round(value, 3))


def tags_json(pairs: Sequence[tuple[str, str]]) -> str:
    """`[("env", "prod"), ("env", "dr")]` -> `'{"env": "prod; dr"}'`: the one spelling of tags the views write."""
    tags: dict[str, list[str]] = {}
    for key, value in pairs:
        values = tags.setdefault(key.strip(), [])
        if value.strip() and value.strip() not in values:
            values.append(value.strip())
    return json.dumps({key: "; ".join(values) for key, values in tags.items()}, ensure_ascii=False)


def parse_aws_tags(text: str) -> list[tuple[str, str]]:
    """AWS `"k:v, k:v"` as (key, value) pairs; a value may hold ':' and an item without one is a bare key."""
    pairs = []
    for item in text.split(","):
        key, _, value = item.partition(":")
        if key.strip():
            pairs.append((key.strip(), value.strip()))
    return pairs


@dataclass
class SupplementReport:
    """What one supplement format contributed: rows read, machines described, rows that matched nothing.

    `unmatched_sample` holds keys as compared (trimmed, lower case); `problems` the first cell and row
    problems, `problem_count` all of them.
    """

    names: list[str]
    format_id: str
    rows: int = 0
    machines: int = 0
    unmatched_rows: int = 0
    unmatched_sample: list[str] = field(default_factory=list)
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, name: str, row: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < _SAMPLE:
            self.problems.append(f"{name} row {row}: {message}")


class _Aggregate:
    """Per-asset aggregates of one supplement format, built row by row, read back as asset-column texts."""

    columns: tuple[str, ...] = ()
    fills_gaps = False  # True: the inventory's own value of a column wins; the aggregate only fills a blank

    def __init__(self) -> None:
        self.rows_by_key: dict[str, int] = {}

    def add(self, key: str, values: Mapping[str, str], columns: Columns) -> list[str]:
        """Fold one row in; the problems of its cells (a bad cell is skipped, the rest still counts)."""
        raise NotImplementedError

    def texts(self, key: str) -> dict[str, str]:
        """The asset-column texts for one machine; absent columns have nothing to say."""
        raise NotImplementedError


class _Sizes(_Aggregate):
    """Disk or partition sizes summed in GB (the header's unit, MiB if it names none), optionally counting disks."""

    def __init__(self, size: str, used: str | None, count_disks: bool,
                 columns: tuple[str, str] = ("storage_gb", "storage_used_gb"), fills_gaps: bool = False) -> None:
        super().__init__()
        self.fills_gaps = fills_gaps
        self._sources = (size, used) if used else (size,)
        self.columns = columns[: len(self._sources)] + (("disk_count",) if count_disks else ())
        self._totals: dict[str, list[float | None]] = {}
        self._disks: dict[str, int] = {}

    def add(self, key: str, values: Mapping[str, str], columns: Columns) -> list[str]:
        totals = self._totals.setdefault(key, [None, None])
        self._disks[key] = self._disks.get(key, 0) + 1
        problems = []
        for position, name in enumerate(self._sources):
            try:
                amount = _number(columns.cell(values, name))
            except ValueError as problem:
                problems.append(f"{columns.header(name)}: {problem}")
                continue
            if amount is not None:
                totals[position] = (totals[position] or 0.0) + to_gb(amount, columns.unit(name) or "MiB")
        return problems

    def texts(self, key: str) -> dict[str, str]:
        if key not in self._totals:
            return {}
        texts = {column: _shown(total) for column, total in zip(self.columns, self._totals[key]) if total is not None}
        if "disk_count" in self.columns:
            texts["disk_count"] = str(self._disks[key])
        return texts


class _Utilisation(_Aggregate):
    """Mean and maximum of CPU and memory utilisation samples (percentages)."""

    columns = ("cpu_utilization_avg", "cpu_utilization_peak", "memory_utilization_avg", "memory_utilization_peak")
    _SOURCES = (("cpu", "CpuUtilizationPercentage"), ("memory", "MemoryUtilizationPercentage"))

    def __init__(self) -> None:
        super().__init__()
        self._stats: dict[tuple[str, str], list[float]] = {}  # (key, metric) -> [sum, count, max]

    def add(self, key: str, values: Mapping[str, str], columns: Columns) -> list[str]:
        problems = []
        for metric, name in self._SOURCES:
            try:
                sample = _number(columns.cell(values, name))
            except ValueError as problem:
                problems.append(f"{name}: {problem}")
                continue
            if sample is None:
                continue
            if sample > 100:
                problems.append(f"{name}: {sample:g} is above 100%")
                continue
            stats = self._stats.setdefault((key, metric), [0.0, 0, 0.0])
            stats[0] += sample
            stats[1] += 1
            stats[2] = max(stats[2], sample)
        return problems

    def texts(self, key: str) -> dict[str, str]:
        texts = {}
        for metric, _ in self._SOURCES:
            stats = self._stats.get((key, metric))
            if stats:
                texts[f"{metric}_utilization_avg"] = _shown(stats[0] / stats[1])
                texts[f"{metric}_utilization_peak"] = _shown(stats[2])
        return texts


class _Tags(_Aggregate):
    """Key/value tags per machine."""

    columns = ("tags",)

    def __init__(self) -> None:
        super().__init__()
        self._tags: dict[str, list[tuple[str, str]]] = {}

    def add(self, key: str, values: Mapping[str, str], columns: Columns) -> list[str]:
        name = columns.cell(values, "Key")
        if not name:
            return ["the tag has no key"]
        self._tags.setdefault(key, []).append((name, columns.cell(values, "Value")))
        return []

    def texts(self, key: str) -> dict[str, str]:
        return {"tags": tags_json(self._tags[key])} if key in self._tags else {}


class _Addresses(_Aggregate):
    """Distinct MAC and IPv4 addresses of a machine's network adapters."""

    columns = ("mac_address", "ip_address")

    def __init__(self) -> None:
        super().__init__()
        self._addresses: dict[str, tuple[dict[str, None], dict[str, None]]] = {}

    def add(self, key: str, values: Mapping[str, str], columns: Columns) -> list[str]:
        macs, ips = self._addresses.setdefault(key, ({}, {}))
        for name, seen in (("Mac Address", macs), ("IPv4 Address", ips)):
            for address in _split_addresses(columns.cell(values, name)):
                if not is_placeholder(address):
                    seen.setdefault(address)
        return []

    def texts(self, key: str) -> dict[str, str]:
        if key not in self._addresses:
            return {}
        return {column: "; ".join(found) for column, found in zip(self.columns, self._addresses[key]) if found}


def _split_addresses(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


_AGGREGATES = {
    "google_diskinfo": lambda: _Sizes("SizeInGib", "UsedInGib", count_disks=True),
    "rvtools_vpartition": lambda: _Sizes("Capacity MiB", "Consumed MiB", count_disks=False,
                                         columns=("guest_partitions_capacity_gb", "guest_partitions_used_gb")),
    "azure_assessment_disks": lambda: _Sizes("Source disk size(GB)", None, count_disks=True),
    "rvtools_vdisk": lambda: _Sizes("Capacity MiB", None, count_disks=True, fills_gaps=True),
    "google_perfinfo": _Utilisation,
    "google_taginfo": _Tags,
    "rvtools_vnetwork": _Addresses,
}


@dataclass
class _Supplement:
    """The tables of one supplement format attached to an inventory, and what reading them found."""

    tables: list[Table]
    match: FormatMatch
    aggregate: _Aggregate
    report: SupplementReport
    unread: bool = True

    def read(self) -> None:
        """Read every table once, folding its rows into the per-machine aggregate; closes the tables."""
        self.unread = False
        try:
            for table in self.tables:
                self._read(table)
        finally:
            self.close()
        self.report.machines = len(self.aggregate.rows_by_key)

    def _read(self, table: Table) -> None:
        columns = Columns(table.headers)
        key_column = columns.header(self.match.key_column or "")
        while batch := table.next_batch(_READ_BATCH):
            for row in batch:
                self.report.rows += 1
                if row.problems:
                    self.report.problem(table.name, row.number, "; ".join(row.problems))
                    continue
                key = _key(row.values.get(key_column, ""))
                if not key:
                    self.report.problem(table.name, row.number, f"no {key_column}")
                    continue
                self.aggregate.rows_by_key[key] = self.aggregate.rows_by_key.get(key, 0) + 1
                for problem in self.aggregate.add(key, row.values, columns):
                    self.report.problem(table.name, row.number, problem)

    def close(self) -> None:
        for table in self.tables:
            table.close()
        self.tables = []


def _group(supplements: Sequence[tuple[Table, FormatMatch]]) -> list[_Supplement]:
    """One `_Supplement` per format: two diskInfo files of one import feed the same aggregate."""
    groups: dict[str, _Supplement] = {}
    for table, match in supplements:
        group = groups.get(match.format_id)
        if group is None:
            aggregate = _AGGREGATES[match.format_id]()
            group = groups[match.format_id] = _Supplement([], match, aggregate, SupplementReport([], match.format_id))
        group.tables.append(table)
        group.report.names.append(table.name)
    return list(groups.values())


@dataclass(frozen=True)
class _JoinedColumn:
    """Where a joined asset column is written, and the inventory column that speaks for it otherwise."""

    header: str  # the view's header (an existing inventory header with the same key, or the column name)
    column: str  # the asset column (or "tags")
    fallback: str | None  # the inventory header whose value stands when the supplement has none
    unit: SizeUnit | None  # that header's size unit, when it is not the column itself
    fills_gaps: bool = False  # the inventory's own value wins over the supplement's


def _joined_columns(headers: list[str], format_id: str, supplements: Sequence[_Supplement]) -> list[_JoinedColumn]:
    """The joined columns in supplement order; each writes into the inventory's own header of that name if any."""
    if not supplements:
        return []
    columns = Columns(headers)
    suggestions = layout_mappings(format_id, headers) or suggest_mappings(headers)
    mapped = {s.target_field: s for s in suggestions if s.target_field}
    joined = []
    for supplement in supplements:
        for column in supplement.aggregate.columns:
            own, gaps = columns.header(column), supplement.aggregate.fills_gaps
            if own:
                joined.append(_JoinedColumn(own, column, own, None, gaps))
            elif column in mapped:
                joined.append(_JoinedColumn(column, column, mapped[column].source_field, mapped[column].unit, gaps))
            else:
                joined.append(_JoinedColumn(column, column, None, None, gaps))
    return joined


def _merged(joined: _JoinedColumn, supplied: str, values: Mapping[str, str]) -> str:
    """The supplement's text; the inventory's own text where it has none; both for address lists."""
    own = (values.get(joined.fallback) or "").strip() if joined.fallback else ""
    if is_placeholder(own):
        own = ""
    if ASSET_IMPORT_FIELDS.get(joined.column) in _LIST_KINDS and own and supplied:
        return "; ".join(dict.fromkeys(_split_addresses(own) + _split_addresses(supplied)))
    if (supplied and not joined.fills_gaps) or not own:
        return supplied
    if joined.unit and split_value_unit(own)[1] is None:
        return f"{own} {joined.unit}"  # cleansing reads the unit from the value and converts to GB
    return own


# Konveyor positions (0-based): 0 record type, 1 application name, 5 dependency and 6 direction are read
# apart; 2-4 and 7 up to the first Tag Category (binary, repository, owner, contributors) are kept under the
# file's own headers; the Tag Category / Tag pairs from there on become the tags.
_KONVEYOR_FIRST_TAG = 15  # where the tags start in the import without Owner and Contributors


def _konveyor_tags_from(headers: list[str]) -> int:
    """The position of the first `Tag Category N` header (the header's width when there is none)."""
    if len(headers) < _KONVEYOR_FIRST_TAG:
        raise ImportBundleError(
            f"the Konveyor import has {len(headers)} header cells; its application layout needs {_KONVEYOR_FIRST_TAG}"
        )
    return next((p for p, h in enumerate(headers)
                 if p >= _KONVEYOR_FIRST_TAG and re.fullmatch(r"tag\s*category\s*\d*", h.strip(), re.I)),
                len(headers))


def _konveyor_kept(headers: list[str]) -> tuple[int, ...]:
    return (2, 3, 4, *range(7, _konveyor_tags_from(headers)))


def _konveyor_headers(headers: list[str]) -> list[str]:
    return ["name", "asset_type", *(headers[p] for p in _konveyor_kept(headers)), "tags"]


def _aws_server(values: Mapping[str, str], columns: Columns) -> tuple[str, RefKind]:
    """How an AWS row names its server: ExternalId, else HostName or VMware.VMName, else its first IP."""
    for name, kind in (("ExternalId", "id"), ("HostName", "name"), ("VMware.VMName", "name")):
        text = columns.cell(values, name)
        if text:
            return text, kind
    addresses = _split_addresses(columns.cell(values, "IPAddress"))
    return (addresses[0], "ip") if addresses else ("", "name")


class InventoryView:
    """An inventory table of an import, with its supplements joined in; a `Table` for the import step.

    `report`, `edges` and `application_names` are complete once `next_batch` has returned `[]`.
    """

    def __init__(self, table: Table, match: FormatMatch, supplements: Sequence[tuple[Table, FormatMatch]]) -> None:
        self.path: Path = table.path
        self.name: str = table.name
        self.format: str = table.format
        self.encoding: str | None = table.encoding
        self.delimiter: str | None = table.delimiter
        self.match = match
        self.edges = EdgeCollector()
        self.application_names: list[str] = []
        self.listed_assets: dict[str, dict[str, None]] = {}  # asset type -> names the rows' list cells gave
        self._table = table
        self._source_columns = Columns(table.headers)
        self._supplements = _group(supplements)
        self._matched: set[str] = set()
        self._finished = False
        konveyor = match.format_id == "konveyor_applications"
        base = _konveyor_headers(table.headers) if konveyor else list(table.headers)
        self._joined = _joined_columns(base, match.format_id, self._supplements)
        self._disks = disk_columns(table.headers) if match.format_id == "azure_migrate" else {}
        totals = [TOTAL_HEADERS[total] for total in self._disks]
        own = Columns(base)
        layout = FORMATS[match.format_id]
        self._constants = {c: v for c, v in layout.constants if own.header(c) is None}
        self._derived = [rule for rule in layout.derived if own.header(rule.column) is None]
        added = [*(c.header for c in self._joined), *totals, *self._constants, *(r.column for r in self._derived)]
        self.headers: list[str] = base + [h for h in added if h not in base]
        # In some layouts (Konveyor, CAST Highlight) a row shorter than the header is normal.
        width = len(table.headers)
        self._short_rows = {ragged_problem(n, width) for n in range(width)} if layout.short_rows else set()
        self._konveyor_kept = _konveyor_kept(table.headers) if konveyor else ()
        self._lists = [(header, kind, link) for name, kind, link in layout.lists
                       if (header := self._source_columns.header(name))]
        self._konveyor_tags = _konveyor_tags_from(table.headers) if konveyor else 0

    @property
    def supplement_tables(self) -> list[tuple[Path, str]]:
        """(path, name) of every supplement table joined into this view."""
        return [(t.path, t.name) for s in self._supplements for t in s.tables]

    @property
    def report(self) -> list[SupplementReport]:
        """Per supplement format: rows read, machines, unmatched rows (with a sample of keys), problems."""
        if not self._finished:
            raise RuntimeError(f"{self.name}: the join report is complete only once every row has been read")
        return [s.report for s in self._supplements]

    def next_batch(self, size: int) -> list[Row]:
        """Up to `size` further inventory rows with the joined columns; an empty list at the end."""
        for supplement in self._supplements:
            if supplement.unread:
                supplement.read()
        rows: list[Row] = []
        while len(rows) < size:
            batch = self._table.next_batch(size - len(rows))
            if not batch:
                self._finish()
                break
            rows.extend(r for r in map(self._transform, batch) if r is not None)
        return rows

    def close(self) -> None:
        self._table.close()
        for supplement in self._supplements:
            supplement.close()

    def _transform(self, row: Row) -> Row | None:
        if self._short_rows and row.problems:
            row = Row(row.number, row.values, tuple(p for p in row.problems if p not in self._short_rows))
        if self.match.format_id == "konveyor_applications":
            row = self._konveyor(row)
        elif self.match.format_id == "aws_ads":
            row = self._aws(row)
        elif self._disks:
            totals, problems = disk_totals(row.values, self._disks)
            row = Row(row.number, {**row.values, **totals}, row.problems + tuple(problems))
        if row is not None and self._constants:
            row = Row(row.number, {**row.values, **self._constants}, row.problems)
        if row is not None and self._derived:
            row = self._derive(row)
        if row is not None and self._lists:
            self._link_listed(row)
        return self._join(row) if row is not None and self._joined else row

    def _link_listed(self, row: Row) -> None:
        """Edges from the row's asset to the assets its list cells name, and those names kept by asset type."""
        if row.problems:
            return
        own = self._source_columns.cell(row.values, self.match.key_column or "")
        for header, asset_type, dependency_type in self._lists:
            cell = row.values.get(header, "")
            self.edges.add(listed_edges(row.number, own, cell, dependency_type, f"{self.name}: {header}"))
            self.listed_assets.setdefault(asset_type, {}).update(dict.fromkeys(application_names(cell)))

    def _derive(self, row: Row) -> Row:
        """The layout's computed columns (lists of objects read, numbers multiplied) added to the row."""
        values, problems = dict(row.values), list(row.problems)
        for rule in self._derived:
            try:
                values[rule.column] = derived_value(rule, row.values)
            except DerivedValueError as problem:
                values[rule.column] = ""
                problems.append(f"{rule.column}: {problem}")
        return Row(row.number, values, tuple(problems))

    def _join(self, row: Row) -> Row:
        key_column = self.match.key_column
        key = _key(row.values.get(key_column, "")) if key_column else ""
        found: dict[str, str] = {}
        for supplement in self._supplements:
            if key in supplement.aggregate.rows_by_key:
                self._matched.add(key)
                found.update(supplement.aggregate.texts(key))
        values = dict(row.values)
        for joined in self._joined:
            values[joined.header] = _merged(joined, found.get(joined.column, ""), row.values)
        return Row(row.number, values, row.problems)

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        for supplement in self._supplements:
            report = supplement.report
            for key, count in supplement.aggregate.rows_by_key.items():
                if key not in self._matched:
                    report.unmatched_rows += count
                    if len(report.unmatched_sample) < _SAMPLE:
                        report.unmatched_sample.append(key)

    def _aws(self, row: Row) -> Row:
        values = dict(row.values)
        tags = self._source_columns.header("Tags")
        if tags and values[tags].strip():
            values[tags] = tags_json(parse_aws_tags(values[tags]))
        applications = self._source_columns.cell(values, "Applications")
        if applications:
            server = _aws_server(values, self._source_columns)
            self.edges.add(application_edges(row.number, applications, server, self.name))
            self.application_names.extend(
                n for n in application_names(applications) if n not in self.application_names
            )
        return Row(row.number, values, row.problems)

    def _konveyor(self, row: Row) -> Row | None:
        cells = [cell.strip() for cell in row.values.values()]

        def cell(position: int) -> str:
            return cells[position] if position < len(cells) else ""

        if cell(0) == "2":
            self.edges.add([konveyor_edge(row.number, cell(1), cell(5), cell(6), self.name)])
            return None
        problems = row.problems
        if cell(0) != "1":
            problems += (f"record type {cell(0)!r} is neither 1 (application) nor 2 (dependency)",)
        values = {"name": cell(1), "asset_type": "application"}
        values.update((self._table.headers[p], cell(p)) for p in self._konveyor_kept)
        pairs = [(cell(p), cell(p + 1)) for p in range(self._konveyor_tags, len(cells), 2) if cell(p)]
        values["tags"] = tags_json(pairs) if pairs else ""
        return Row(row.number, values, problems)


@dataclass
class ImportPlan:
    """How the tables of one import are read: inventory views (supplements joined) and edge tables."""

    inventories: list[InventoryView]
    dependencies: list[tuple[Table, FormatMatch]]
    matches: list[tuple[str, FormatMatch]]  # every table's name and what it was recognised as


def plan_import(tables: Sequence[Table]) -> ImportPlan:
    """Recognise every table and attach each supplement to its inventory table.

    Raises `ImportBundleError` when a supplement has no inventory table of its family in the import, or
    could describe several (from different files). The caller keeps ownership of the tables.
    """
    if not tables:
        raise ImportBundleError("the import holds no tables")
    matches = [(table, recognise(table.name, table.headers)) for table in tables]
    _refuse_out_of_scope(matches)
    inventories = [(t, m) for t, m in matches if m.role == "inventory" and not FORMATS[m.format_id].out_of_scope]
    attached: dict[int, list[tuple[Table, FormatMatch]]] = {id(t): [] for t, _ in inventories}
    for table, match in matches:
        if match.role != "supplement":
            continue
        inventory = _inventory_for(table, match, inventories)
        attached[id(inventory)].append((table, match))
    return ImportPlan(
        inventories=[InventoryView(t, m, attached[id(t)]) for t, m in inventories],
        dependencies=[(t, m) for t, m in matches if m.role == "dependencies"],
        matches=[(t.name, m) for t, m in matches],
    )


def _refuse_out_of_scope(matches: Sequence[tuple[Table, FormatMatch]]) -> None:
    """Refuse a file holding a layout the product does not import (`SourceFormat.out_of_scope`), naming the file,
    unless another of its tables is a recognised inventory (that one is imported; the rest is skipped)."""
    for table, match in matches:
        reason = FORMATS[match.format_id].out_of_scope
        if not reason:
            continue
        same_file = [m for t, m in matches if t.path == table.path]
        if any(m.role == "inventory" and m.format_id != "generic" and not FORMATS[m.format_id].out_of_scope
               for m in same_file):
            continue
        where = "" if table.name == table.path.name else f" (sheet {table.name!r})"
        raise ImportBundleError(f"{table.path.name}{where} is {FORMATS[match.format_id].file_label}: {reason}")


def _inventory_for(table: Table, match: FormatMatch, inventories: Sequence[tuple[Table, FormatMatch]]) -> Table:
    described = FORMATS[FORMATS[match.format_id].describes or ""]
    candidates = [t for t, m in inventories if m.format_id == described.format_id]
    if len(candidates) > 1:
        candidates = [t for t in candidates if t.path == table.path] or candidates
    if not candidates:
        raise ImportBundleError(f"{table.name} needs {described.file_label} it describes in the same import")
    if len(candidates) > 1:
        names = " or ".join(t.name for t in candidates)
        raise ImportBundleError(f"{table.name} could describe {names}; import them separately")
    return candidates[0]
