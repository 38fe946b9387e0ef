"""What each file of one import is, and what discovery stages from it.

Every file is opened (`domain.discovery.readers`: CSV, XLSX sheets, JSON, JSON Lines), its tables are
recognised and supplements are joined into the inventory table they describe
(`domain.discovery.import_bundle`). Each file then has one role:

- `inventory`: its inventory table (supplements joined) is staged; rows become assets;
- `dependencies`: its edge table is staged; rows become edges;
- `supplement`: it was joined into another file's inventory; nothing of its own is staged.

One table is staged per file. In a workbook whose sheets were recognised, sheets of no known
format are skipped; when nothing was recognised the first sheet is the inventory. Every sheet not staged
or joined is listed in the file's report with the reason (key/value rows, no known layout, out of scope,
hidden, empty, a chart), and what a person should check (a header below blank rows) as `warnings`. A file
of a layout the product does not import (`SourceFormat.out_of_scope`) is refused. File-level problems
raise `InputFileError`.

`import_roles` gives the same roles before anything is uploaded (`launch` checks its files with it), and
`inventory_needed` says why an import without an inventory file yields no asset of its own: its
dependency exports connect machines an inventory must bring (this import's, or an earlier one's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.discovery.import_bundle import ImportBundleError, ImportPlan, InventoryView, plan_import
from domain.discovery.readers import FileTables, InputFileError, Table, open_file
from domain.discovery.source_formats import FORMATS, FormatMatch

_KEY_VALUE_COLUMNS = 2  # a sheet this narrow holds settings or totals (name, value), not machines

__all__ = ["InputFileError", "PlannedFile", "import_roles", "inventory_needed", "planned_import"]


@dataclass
class PlannedFile:
    import_id: UUID
    file_name: str
    role: str
    format_id: str
    table: Any | None  # what to stage: an InventoryView, a dependency Table, or None (supplement)
    notes: dict[str, Any] = field(default_factory=dict)
    late_report: Callable[[], dict[str, Any]] | None = None  # known once the joined view was read

    def report(self) -> dict[str, Any]:
        """What the recogniser and the join found, for `data_imports.bundle_report`."""
        return {**self.notes, **(self.late_report() if self.late_report else {})}


def _view_report(view: InventoryView) -> dict[str, Any]:
    """Supplement joins, and the edges and application names read from the inventory's own rows."""
    report: dict[str, Any] = {}
    if view.report:
        report["supplements"] = [asdict(r) for r in view.report]
    if view.edges.edges:
        report["edges"] = [asdict(e) for e in view.edges.edges.values()]
    if view.edges.problems:
        report["edge_problems"] = [asdict(p) for p in view.edges.problems[:50]]
        report["edge_problem_count"] = len(view.edges.problems)
    if view.edges.dropped:
        report["dropped_edges"] = dict(view.edges.dropped)
    if view.application_names:
        report["application_names"] = list(view.application_names)
    if view.listed_assets:
        report["listed_assets"] = {kind: list(names) for kind, names in view.listed_assets.items()}
    return report


def _key(table: Any) -> tuple[str, str]:
    return (str(table.path), table.name)


@contextmanager
def planned_import(paths: Mapping[UUID, Path]) -> Iterator[list[PlannedFile]]:
    """Open and recognise the files of one import, inventories first; close every table afterwards."""
    opened: list[Table] = []
    try:
        files: dict[UUID, FileTables] = {}
        for import_id, path in paths.items():
            files[import_id] = open_file(path)
            opened.extend(files[import_id].tables)
        try:
            plan = plan_import(opened)
        except ImportBundleError as exc:
            raise InputFileError(str(exc)) from exc
        yield _files(paths, files, plan)
    finally:
        for table in opened:
            table.close()


def _files(paths: Mapping[UUID, Path], files_of: Mapping[UUID, FileTables], plan: ImportPlan) -> list[PlannedFile]:
    tables_of = {import_id: opened.tables for import_id, opened in files_of.items()}
    owner = {_key(t): import_id for import_id, tables in tables_of.items() for t in tables}
    matches = dict(zip([_key(t) for tables in tables_of.values() for t in tables],
                       [m for _, m in plan.matches]))
    views: dict[UUID, InventoryView] = {}
    for view in sorted(plan.inventories, key=lambda v: v.match.format_id == "generic"):  # recognised first
        views.setdefault(owner[_key(view)], view)
    edges: dict[UUID, tuple[Table, Any]] = {}
    for table, match in plan.dependencies:
        edges.setdefault(owner[_key(table)], (table, match))
    joined_into = {(str(path), name): view for view in plan.inventories for path, name in view.supplement_tables}
    files: list[PlannedFile] = []
    for import_id, path in paths.items():
        tables = tables_of[import_id]
        notes: dict[str, Any] = {"tables": {t.name: {"format": matches[_key(t)].format_id,
                                                     "role": matches[_key(t)].role,
                                                     "evidence": matches[_key(t)].evidence} for t in tables}}
        if import_id in views:
            view = views[import_id]
            staged: Any = view
            planned = PlannedFile(import_id, path.name, "inventory", view.match.format_id, view, notes,
                                  lambda view=view: _view_report(view))
        elif import_id in edges:
            staged, match = edges[import_id]
            planned = PlannedFile(import_id, path.name, "dependencies", match.format_id, staged, notes)
        else:
            staged = None
            first = next(t for t in tables if _key(t) in joined_into)
            target = joined_into[_key(first)]
            planned = PlannedFile(import_id, path.name, "supplement", matches[_key(first)].format_id, None, notes,
                                  lambda target=target: {"joined_into": target.name})
        reasons = {t.name: _why_skipped(t, matches[_key(t)], staged) for t in tables
                   if (staged is None or _key(t) != _key(staged)) and _key(t) not in joined_into}
        reasons.update(files_of[import_id].skipped)
        reasons = {name: reasons[name] for name in files_of[import_id].order if name in reasons}
        if reasons:
            notes["skipped_tables"] = list(reasons)
            notes["skipped_reasons"] = reasons
        if files_of[import_id].warnings:
            notes["warnings"] = files_of[import_id].warnings
        files.append(planned)
    order = {"inventory": 0, "dependencies": 1, "supplement": 2}
    return sorted(files, key=lambda f: order[f.role])


def _why_skipped(table: Table, match: FormatMatch, staged: Any) -> str:
    """Why a table of a file was not staged, in words for the file's report."""
    layout = FORMATS[match.format_id]
    if layout.out_of_scope:
        return f"{layout.file_label}: {layout.out_of_scope}"
    if len(table.headers) <= _KEY_VALUE_COLUMNS:
        return f"key/value rows ({', '.join(table.headers)}), not a table of machines"
    read = f"; {staged.name} is read" if staged is not None else ""
    if match.format_id == "generic":
        return f"no known layout{read}"
    return f"{match.vendor_label}: one table is read per file{read}"


def import_roles(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """(file name, role) of every file of one import, in the given order, as discovery will decide them;
    raises `InputFileError` for a file the readers cannot open or a supplement without its inventory."""
    ids = {UUID(int=n): path for n, path in enumerate(paths)}
    with planned_import(ids) as plan:
        roles = {planned.import_id: planned.role for planned in plan}
    return [(path.name, roles[import_id]) for import_id, path in ids.items()]


def inventory_needed(roles: Sequence[tuple[str, str]]) -> str | None:
    """Why an import of (file name, role) pairs brings no machines of its own, in one sentence; None when one of
    its files is an inventory. Its dependency exports need an inventory to connect: in the same import or
    already in the engagement."""
    if any(role == "inventory" for _, role in roles):
        return None
    names = [name for name, role in roles if role == "dependencies"]
    if len(names) == 1:
        return (f"{names[0]} is a dependency export (edges between machines): launch it together with the "
                "inventory it connects, or into an engagement that already has one")
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return (f"{listed} are dependency exports (edges between machines): launch them together with the "
            "inventory they connect, or into an engagement that already has one")
