"""The engagement's wave plan in PostgreSQL, and the review loop around it.

`read_portfolio` streams what the planner needs; `write_plan` replaces the whole plan (waves with
dates and totals, memberships, each asset's wave, move group and reason, violations and cycles) in
the caller's transaction, so a plan is never half written (ADR-0005: COPY into temp staging, then
one statement per table). `export_plan` writes the plan for people (CSV, XLSX, Markdown);
`import_plan` applies their edited CSV/XLSX after `domain.planning.plan_validation` has checked it.

An edited plan is bounded before it is read: a `.csv` or `.xlsx` name, at most `MAX_PLAN_BYTES`,
`MAX_PLAN_COLUMNS` and `MAX_PLAN_ROWS` rows (as many as a spreadsheet holds), read a batch of rows at a
time; the readers cut cells over 1 MiB (a row problem), and of each row only the asset id, wave, wave
kind and move group are kept, at most `KEPT_CHARS` each (longer is never valid, and the message shows its start). A
refusal carries at most `PROBLEMS_KEPT` problems and the count of all; its text lists `PROBLEMS_SHOWN`.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg
import xlsxwriter
from pydantic import ValidationError
from xlsxwriter.exceptions import FileCreateError

from db import plan_names
from db.output_files import replacing
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.assessment.effort import DAY_RATE
from domain.discovery.readers import InputFileError, Table, detect_format, open_table
from domain.planning.model import PlanAsset, PlanEdge, PlanSettings, WavePlan
from domain.planning.plan_validation import PlanEditRow, check_plan_edit
from domain.planning.schedule import GB_PER_TB
from domain.spreadsheet_safety import neutralise_cell
from domain.vocabulary import REVIEWING_ROLES
from domain.wording import counted
from reports.model import ViolationRow

PLAN_COLUMNS = ("asset id", "name", "application", "environment", "criticality", "strategy", "move group", "wave",
                "wave kind", "wave start", "wave end", "placement reason")
WAVE_COLUMNS = ("wave", "name", "kind", "status", "start", "end", "assets", "storage TB", "effort person-days",
                "cost", "assets without strategy")
VIOLATION_COLUMNS = ("rule", "detail", "move groups", "assets", "first assets")
PLAN_SHEET, WAVES_SHEET, VIOLATIONS_SHEET = "Plan", "Waves", "Violations"
SETTING_ALIASES = {"wave_size": "max_assets"}  # the engagement setting's older name
_SETTINGS = tuple(name for name in PlanSettings.model_fields if name != "start_date")
_STAGING_COLUMNS = ["asset_id", "wave_number", "move_group", "placement_reason"]
_VIOLATION_COLUMNS = ["rule", "detail", "move_groups", "asset_ids"]
_PLAN_SUFFIXES = (".csv", ".xlsx")
MAX_PLAN_BYTES = 512 << 20
MAX_PLAN_ROWS = 1 << 20  # 1,048,576 rows: a spreadsheet's limit, and more assets than any engagement has
MAX_PLAN_COLUMNS = 100  # the export has 12; room for a person's notes, not for a row as wide as the file
KEPT_CHARS = 100  # of a row's asset id, wave and wave kind; an asset id has 36
PROBLEMS_KEPT = 1000
PROBLEMS_SHOWN = 30
_PROBLEM_CHARS = 500
_NAMES_SHOWN = 20
_MEMBERS_SHOWN = 2  # of a move group without applications, named by its first assets
_BATCH = 5000
_NO_ROW_YET = object()


class PlanImportError(ValueError):
    """An edited plan that is refused as a whole (nothing changes): a headline and the file's problems, at most
    `PROBLEMS_KEPT` of them (each one line of at most a few hundred characters) and the count of all."""

    def __init__(self, headline: str, problems: Sequence[str] = (), count: int | None = None) -> None:
        self.headline = headline
        self.problems = tuple(" ".join(p[:_PROBLEM_CHARS].splitlines()) + ("…" if len(p) > _PROBLEM_CHARS else "")
                              for p in problems[:PROBLEMS_KEPT])
        self.count = len(problems) if count is None else count
        super().__init__(self._text())

    def _text(self) -> str:
        """The headline, then one line per problem, at most `PROBLEMS_SHOWN`, and how many more."""
        if not self.count:
            return self.headline
        lines = [f"{self.headline}; {counted(self.count, 'problem')}:", *(f"  - {p}" for p in self.problems[:PROBLEMS_SHOWN])]
        more = self.count - min(len(self.problems), PROBLEMS_SHOWN)
        if more:
            listed = "them all" if self.count <= PROBLEMS_KEPT else f"the first {PROBLEMS_KEPT:,}"
            lines.append(f"  … and {more:,} more (`plan import --json` lists {listed})")
        return "\n".join(lines)


@dataclass(frozen=True)
class Portfolio:
    assets: list[PlanAsset]
    edges: list[PlanEdge]
    waves: dict[str, int | None]  # each asset's wave in the current plan


@dataclass(frozen=True)
class PlanImportResult:
    waves: int
    assets_planned: int
    assets_moved: int  # assets whose wave differs from the plan before the import
    warnings: tuple[str, ...]


def plan_settings(start_date: date, settings: Mapping[str, Any]) -> PlanSettings:
    """The planner's settings from an engagement's settings (its PlanSettings fields, `wave_size` for
    max_assets); a bad value raises ValueError naming the setting."""
    values = {SETTING_ALIASES.get(name, name): value for name, value in settings.items()
              if SETTING_ALIASES.get(name, name) in _SETTINGS}
    try:
        return PlanSettings(start_date=start_date, **values)
    except ValidationError as exc:
        problems = "; ".join(
            f"the engagement setting {error['loc'][0] if error['loc'] else 'overlap_days'}: {error['msg']}"
            + (f", not {_quoted_input(error['input'])}" if error["loc"] else "")
            for error in exc.errors()
        )
        raise ValueError(problems) from None


def _quoted_input(value: Any) -> str:
    """A refused setting's value as a message quotes it: at most `KEPT_CHARS` characters (200 blackout periods
    would otherwise fill a screen)."""
    text = repr(value)
    return text if len(text) <= KEPT_CHARS else text[:KEPT_CHARS] + "…"


async def read_portfolio(conn: asyncpg.Connection) -> Portfolio:
    """Every asset and dependency of the engagement as the planner's input, streamed by a cursor."""
    assets: list[PlanAsset] = []
    waves: dict[str, int | None] = {}
    async for row in conn.cursor(sql("planning_assets"), prefetch=_BATCH):
        asset_id = str(row["id"])
        assets.append(PlanAsset(
            id=asset_id, name=row["name"], asset_type=row["asset_type"], application=row["application_name"],
            environment=row["environment"], criticality=row["business_criticality"],
            complexity_score=_number(row["complexity_score"]),
            risk_score=_number(row["risk_score"]), storage_gb=float(row["storage_gb"]),
            strategy=row["six_r_strategy"], tags=_tags(row["tags"]), lifecycle_state=row["lifecycle_state"],
            operational_state=row["operational_state"], is_template=row["is_template"],
            requested_wave=row["requested_wave"],
        ))
        waves[asset_id] = row["wave_number"]
    edges = [
        PlanEdge(source=str(row["source_asset_id"]), target=str(row["target_asset_id"]),
                 dependency_type=row["dependency_type"], strength=row["strength"])
        async for row in conn.cursor(sql("planning_edges"), prefetch=_BATCH)
    ]
    return Portfolio(assets, edges, waves)


async def write_plan(
    conn: asyncpg.Connection, client_id: UUID, engagement_id: UUID, planning_flow_id: UUID | None, plan: WavePlan
) -> None:
    """Replace the engagement's plan with `plan`, inside the caller's (tenant) transaction; one writer
    of an engagement's plan at a time (a transaction-scoped advisory lock)."""
    await conn.execute(sql("plan_write_lock"), engagement_id)
    group_of = {asset_id: group.id for group in plan.move_groups for asset_id in group.asset_ids}
    staged = [(UUID(a), p.wave, group_of[a], p.reason) for a, p in plan.placements.items()]
    staged += [(UUID(a), None, None, why) for a, why in plan.not_migrated.items()]
    await conn.execute(sql("waves_delete"))
    await conn.execute(sql("waves_insert"), client_id, engagement_id, planning_flow_id, _wave_rows(plan))
    await conn.execute(sql("staging_wave_assets_create"))
    await conn.copy_records_to_table("staging_wave_assets", records=staged, columns=_STAGING_COLUMNS)
    await conn.execute(sql("wave_assets_insert"), client_id, engagement_id)
    await conn.execute(sql("assets_wave_assign"), planning_flow_id)
    await conn.execute(sql("plan_violations_delete"))
    await conn.execute(sql("plan_violations_staging_create"))
    await conn.copy_records_to_table("staging_plan_violations", records=_violation_rows(plan, group_of),
                                     columns=_VIOLATION_COLUMNS)
    await conn.execute(sql("plan_violations_insert"), client_id, engagement_id, planning_flow_id)


def _wave_rows(plan: WavePlan) -> list[dict[str, Any]]:
    shared = {s.asset_id: s for s in plan.shared_services}
    return [{
        "wave_number": wave.number,
        "name": f"Wave {wave.number}" + (f" ({wave.kind})" if wave.kind in ("pilot", "foundation") else ""),
        "kind": wave.kind,
        "planned_start": wave.start_date.isoformat(),
        "planned_end": wave.end_date.isoformat(),
        "asset_count": len(wave.asset_ids),
        "total_storage_gb": round(wave.storage_gb, 2),
        "estimated_effort_days": round(wave.effort_days, 2),
        "estimated_cost": round(wave.effort_days * DAY_RATE, 2),
        "undecided_assets": wave.undecided_assets,
        "constraints_report": {
            "move_groups": list(wave.group_ids),
            "shared_services": [{"asset_id": a, "fan_in": shared[a].fan_in, "reason": shared[a].reason}
                                for a in wave.asset_ids if a in shared],
            "day_rate": DAY_RATE,
        },
    } for wave in plan.waves]


def _violation_rows(plan: WavePlan, group_of: dict[str, str]) -> list[tuple[str, str, list[str], list[UUID]]]:
    rows = [(v.rule, v.detail, sorted({group_of[a] for a in v.asset_ids if a in group_of}),
             [UUID(a) for a in v.asset_ids]) for v in plan.violations]
    members = {group.id: group.asset_ids for group in plan.move_groups}
    for cycle in plan.ordering_cycles:
        shown = ", ".join(cycle[:10]) + (f" and {len(cycle) - 10} more" if len(cycle) > 10 else "")
        rows.append(("ordering_cycle", f"move groups {shown} depend on each other in a circle: no order of "
                     "waves honours every dependency among them", list(cycle),
                     [UUID(a) for g in cycle for a in members[g]]))
    return rows


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _tags(tags: Any) -> tuple[str, ...]:
    """Tag keys and text values (`{"role": "shared_service", "pci": null}` -> role, shared_service, pci)."""
    if isinstance(tags, dict):
        return tuple([*map(str, tags), *(v for v in tags.values() if isinstance(v, str))])
    return tuple(t for t in tags or () if isinstance(t, str))


# ----------------------------------------------------------------------------------------------- export
async def export_plan(pool: asyncpg.Pool, ref: EngagementRef, path: Path, fmt: Literal["csv", "xlsx", "md"]) -> int:
    """Write the engagement's plan to `path` (one row per asset; XLSX adds sheets of waves and violations;
    Markdown reads as a plan per wave); return the number of assets written. Text cells of CSV and XLSX
    are neutralised against formula injection. Written whole or not at all (`db.output_files`)."""
    writers = {"csv": _export_csv, "xlsx": _export_xlsx, "md": _export_markdown}
    if fmt not in writers:
        raise ValueError(f"export format must be csv, xlsx or md, not {fmt!r}")
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        waves = [dict(r) for r in await conn.fetch(sql("waves_report"))]
        if not waves:
            raise ValueError(f"{ref.name!r} has no wave plan to export: run the planning phase first")
        return await writers[fmt](conn, ref, path, waves)


def _asset_cells(row: asyncpg.Record) -> list[Any]:
    return [str(row["id"]), row["name"], row["application_name"], row["environment"], row["business_criticality"],
            row["six_r_strategy"], row["move_group"], row["wave_number"], row["kind"], row["planned_start"],
            row["planned_end"], row["wave_reason"]]


def _wave_cells(wave: dict[str, Any]) -> list[Any]:
    return [wave["wave_number"], wave["name"], wave["kind"], wave["status"], wave["planned_start"], wave["planned_end"],
            wave["asset_count"], round(float(wave["total_storage_gb"]) / GB_PER_TB, 3),
            float(wave["estimated_effort_days"] or 0), float(wave["estimated_cost"] or 0), wave["undecided_assets"]]


def _violation_cells(violation: ViolationRow) -> list[Any]:
    return [violation.rule, violation.detail, "; ".join(violation.move_groups), violation.assets,
            violation.asset_list]


async def _named_violations(conn: asyncpg.Connection) -> tuple[ViolationRow, ...]:
    """Every violation, its assets and move groups by name."""
    labels = {group.id: group.label for group in await plan_names.move_groups(conn, _MEMBERS_SHOWN)}
    return (await plan_names.violations(conn, labels, _NAMES_SHOWN)).rows


async def _export_csv(conn: asyncpg.Connection, ref: EngagementRef, path: Path, waves: list[dict[str, Any]]) -> int:
    count = 0
    with replacing(path, newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(PLAN_COLUMNS)
        async for row in conn.cursor(sql("plan_export_assets"), prefetch=_BATCH):
            writer.writerow([neutralise_cell(cell) for cell in _asset_cells(row)])
            count += 1
    return count


async def _export_xlsx(conn: asyncpg.Connection, ref: EngagementRef, path: Path, waves: list[dict[str, Any]]) -> int:
    with replacing(path, "wb") as fh:
        book = xlsxwriter.Workbook(fh, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
        bold = book.add_format({"bold": True})
        count = 0
        sheet = _sheet(book, PLAN_SHEET, PLAN_COLUMNS, bold)
        async for row in conn.cursor(sql("plan_export_assets"), prefetch=_BATCH):
            count += 1
            _write_row(sheet, count, _asset_cells(row))
        sheet = _sheet(book, WAVES_SHEET, WAVE_COLUMNS, bold)
        for number, wave in enumerate(waves, start=1):
            _write_row(sheet, number, _wave_cells(wave))
        sheet = _sheet(book, VIOLATIONS_SHEET, VIOLATION_COLUMNS, bold)
        for number, violation in enumerate(await _named_violations(conn), start=1):
            _write_row(sheet, number, _violation_cells(violation))
        try:
            book.close()
        except FileCreateError as exc:  # xlsxwriter's wrapper of the OSError, which `replacing` names
            raise exc.args[0] from None
    return count


def _sheet(book: xlsxwriter.Workbook, name: str, columns: Sequence[str], bold: Any) -> Any:
    sheet = book.add_worksheet(name)
    for column, title in enumerate(columns):
        sheet.write_string(0, column, title, bold)
    return sheet


def _write_row(sheet: Any, row: int, cells: Sequence[Any]) -> None:
    """Numbers as numbers; everything else (dates included) as neutralised text, never as a formula."""
    for column, cell in enumerate(cells):
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            sheet.write_number(row, column, cell)
        elif cell is not None:
            sheet.write_string(row, column, neutralise_cell(cell))


async def _export_markdown(conn: asyncpg.Connection, ref: EngagementRef, path: Path,
                           waves: list[dict[str, Any]]) -> int:
    totals = await conn.fetchrow(sql("waves_totals"))
    by_number = {wave["wave_number"]: wave for wave in waves}
    count = 0
    current: object = _NO_ROW_YET  # never equal to a wave number (0 == False) or None (not migrated)
    with replacing(path, encoding="utf-8") as fh:
        fh.write(f"# Wave plan: {_md(ref.name)}\n\n{counted(totals['assets'], 'asset')} in "
                 f"{counted(totals['waves'], 'wave')}, "
                 f"{totals['first_start']} to {totals['last_end']}; effort {float(totals['effort_days']):,.1f} "
                 f"person-days, cost {float(totals['cost']):,.0f} at {DAY_RATE:,.0f} a day.\n")
        async for row in conn.cursor(sql("plan_export_assets"), prefetch=_BATCH):
            if row["wave_number"] != current:
                current = row["wave_number"]
                fh.write(_md_wave_heading(by_number[current]) if current is not None else
                         "\n## Not migrated\n\n| asset | application | environment | strategy | reason |\n"
                         "|---|---|---|---|---|\n")
            cells = ([row["name"], row["application_name"], row["environment"], row["business_criticality"],
                      row["six_r_strategy"], row["move_group"], row["wave_reason"]] if current is not None else
                     [row["name"], row["application_name"], row["environment"], row["six_r_strategy"],
                      row["wave_reason"]])
            fh.write("| " + " | ".join(_md(cell) for cell in cells) + " |\n")
            count += 1
        fh.write("\n## Violations and ordering cycles\n\n" + ("".join(
            f"- **{v.rule.replace('_', ' ')}**: {_md(v.detail)} ({counted(v.assets, 'asset')}: {_md(v.asset_list)}"
            + (f"; move groups {_md('; '.join(v.move_groups))}" if v.move_groups else "") + ")\n"
            for v in await _named_violations(conn)
        ) or "None: the plan meets every rule.\n"))
    return count


def _md_wave_heading(wave: dict[str, Any]) -> str:
    kind = str(wave["kind"]).replace("_", "-")
    return (f"\n## Wave {wave['wave_number']}: {kind}, {wave['planned_start']} to {wave['planned_end']}\n\n"
            f"{counted(wave['asset_count'], 'asset')}, {float(wave['total_storage_gb']) / GB_PER_TB:,.2f} TB, "
            f"{float(wave['estimated_effort_days'] or 0):,.1f} person-days, cost "
            f"{float(wave['estimated_cost'] or 0):,.0f}"
            + (f"; {counted(wave['undecided_assets'], 'asset')} without a strategy (middle effort estimate)"
               if wave["undecided_assets"] else "")
            + ".\n\n| asset | application | environment | criticality | strategy | move group | placement reason |\n"
            "|---|---|---|---|---|---|---|\n")


def _md(value: Any) -> str:
    """A table cell: pipes escaped, line breaks flattened, nothing as '-'."""
    if value is None:
        return "-"
    return " ".join(str(value).replace("|", "\\|").split())


# ----------------------------------------------------------------------------------------------- import
async def import_plan(pool: asyncpg.Pool, ref: EngagementRef, path: Path, user_id: UUID) -> PlanImportResult:
    """Apply an edited plan (CSV or XLSX with at least the columns `asset id` and `wave`; `wave kind` pilot
    marks wave 1 as the pilot) as `user_id` decided. Every problem refuses the whole file with one
    PlanImportError listing them, and nothing changes; warnings are applied and returned."""
    rows = await asyncio.to_thread(read_plan_rows, path)
    async with tenant_transaction(pool, ref.client_account_id, ref.id, user_id) as conn:
        role = await conn.fetchval(sql("member_role"), ref.id, user_id)
        if role not in REVIEWING_ROLES:
            raise PlanImportError(f"you may not change the plan of {ref.name!r} (role: "
                                  f"{role or 'not a member'}; allowed: {', '.join(REVIEWING_ROLES)})")
        current = await conn.fetchrow(sql("plan_current"))
        if current["waves_started"]:
            raise PlanImportError(f"the execution of {ref.name!r} has begun ({counted(current['waves_started'], 'wave')} "
                                  "started): its plan can no longer be changed")
        engagement = await conn.fetchrow(sql("engagement_planning_settings"), ref.id)
        start = engagement["start_date"] or current["first_start"]
        if start is None:
            raise PlanImportError(f"{ref.name!r} has no start date and no plan: set the engagement's start date "
                                  "or run the planning phase first")
        try:
            settings = plan_settings(start, engagement["settings"] or {})
        except ValueError as exc:
            raise PlanImportError(str(exc)) from None
        portfolio = await read_portfolio(conn)
        who = await conn.fetchval(sql("plan_user"), user_id) or str(user_id)
        edit = await asyncio.to_thread(check_plan_edit, portfolio.assets, portfolio.edges, settings, rows,
                                       f"set by {who} in a plan import")
        if edit.plan is None:
            raise PlanImportError(f"{path.name}: the plan was not changed", edit.errors)
        await write_plan(conn, ref.client_account_id, ref.id, current["planning_flow_id"], edit.plan)
    placements = edit.plan.placements
    return PlanImportResult(
        waves=len(edit.plan.waves), assets_planned=len(placements),
        assets_moved=sum(1 for a, p in placements.items() if portfolio.waves.get(a) != p.wave),
        warnings=edit.warnings,
    )


def read_plan_rows(path: Path) -> list[PlanEditRow]:
    """The rows of an edited plan file (CSV, or the Plan sheet of a workbook) within the limits above; row
    numbers as a spreadsheet shows them (the header is row 1)."""
    table = _open_plan(path)
    try:
        if len(table.headers) > MAX_PLAN_COLUMNS:
            raise PlanImportError(f"{path.name}: {len(table.headers):,} columns; a plan has at most "
                                  f"{MAX_PLAN_COLUMNS} (the export has {len(PLAN_COLUMNS)})")
        columns = {header.casefold(): header for header in table.headers}
        missing = [name for name in ("asset id", "wave") if name not in columns]
        if missing:
            raise PlanImportError(f"{path.name}: no column {' or '.join(repr(m) for m in missing)}; export the plan "
                                  f"and edit its wave column (columns: {', '.join(PLAN_COLUMNS)})")
        kept = [columns["asset id"], columns["wave"], columns.get("wave kind"), columns.get("move group")]
        rows: list[PlanEditRow] = []
        problems: list[str] = []
        count = 0
        while batch := table.next_batch(_BATCH):
            if len(rows) + len(batch) > MAX_PLAN_ROWS:
                raise PlanImportError(f"{path.name}: more than {MAX_PLAN_ROWS:,} rows; a plan has one row per asset "
                                      f"and at most {MAX_PLAN_ROWS:,} (as many as a spreadsheet holds)")
            for row in batch:
                count += len(row.problems)
                problems += [f"row {row.number + 1}: {p}" for p in row.problems[:PROBLEMS_KEPT - len(problems)]]
                rows.append(PlanEditRow(row.number + 1, *(_kept(row.values.get(c, "")) if c else "" for c in kept)))
    except InputFileError as exc:
        raise PlanImportError(str(exc)) from None
    finally:
        table.close()
    if count:
        raise PlanImportError(f"{path.name}: the plan was not changed", problems, count)
    return rows


def _open_plan(path: Path) -> Table:
    """The table of a plan file, refused in the words of a plan when it cannot be one."""
    suffix = path.suffix.lower()
    if suffix not in _PLAN_SUFFIXES:
        raise PlanImportError(f"{path.name}: a plan import is a .csv or .xlsx file as `plan export` writes them, "
                              f"not {f'a {suffix} file' if suffix else 'a file without an extension'}")
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanImportError(f"{path.name}: {size / (1 << 20):,.0f} MiB, over the {MAX_PLAN_BYTES >> 20} MiB "
                                  "limit of a plan file")
        kind = detect_format(path)
        if kind in ("json", "jsonl"):
            raise PlanImportError(f"{path.name}: a plan import is a CSV or XLSX file, not JSON")
        if suffix == ".xlsx" and kind != "xlsx":
            raise PlanImportError(f"{path.name}: not an XLSX workbook (the file is not a zip archive); save the plan "
                                  "from the spreadsheet as .xlsx or .csv")
        return open_table(path, PLAN_SHEET if kind == "xlsx" else None)
    except InputFileError as exc:
        raise PlanImportError(str(exc)) from None


def _kept(cell: str) -> str:
    """A cell as kept from a plan row: stripped, and cut (marked with …) past `KEPT_CHARS`."""
    cell = cell.strip()
    return cell if len(cell) <= KEPT_CHARS else cell[:KEPT_CHARS] + "…"
