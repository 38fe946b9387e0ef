"""`assets list|show`: the inventory's assets, as a person checks them."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer
from rich.cells import cell_len, set_cell_size
from rich.table import Table

from cli.common import (
    JsonOption,
    console,
    print_json,
    printable,
    run_async,
    session,
)
from db import import_review, tenancy
from db.asset_list import AssetFilters, list_assets
from domain.spreadsheet_safety import neutralise_cell
from domain.vocabulary import SIX_R_STRATEGIES
from domain.wording import counted

app = typer.Typer(no_args_is_help=True, help="The inventory's assets, as a person checks them.")


def _size(value: float | None) -> str:
    """GB as a person reads them: whole numbers whole, one decimal below 100 (15.5), none above (1024)."""
    if value is None:
        return ""
    return f"{value:.0f}" if value >= 100 or value.is_integer() else f"{value:.1f}"


MOST_WAVES = 2**31 - 1  # wave numbers are PostgreSQL integers; larger ones are refused as usage errors
_SHORT_ENVIRONMENTS = {"production": "prod", "disaster_recovery": "dr", "development": "dev"}

# header, cell text, right-aligned (a number)
_COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], str], bool], ...] = (
    ("name", lambda a: a["name"], False),
    ("type", lambda a: a["asset_type"], False),
    ("env", lambda a: _SHORT_ENVIRONMENTS.get(a["environment"], a["environment"] or "-"), False),
    ("os", lambda a: a["operating_system"] or a["os_family"] or "-", False),
    ("applications", lambda a: ", ".join(a["applications"]) or "-", False),
    ("cpu", lambda a: "" if a["cpu_cores"] is None else str(a["cpu_cores"]), True),
    ("mem", lambda a: _size(a["memory_gb"]), True),
    ("disk", lambda a: _size(a["storage_gb"]), True),
    ("strategy", lambda a: a["six_r_strategy"] or "-", False),
    ("by", lambda a: a["strategy_source"] or "", False),
    ("wave", lambda a: "-" if a["wave_number"] is None else str(a["wave_number"]), True),
    ("status", lambda a: a["migration_status"], False),
)
# When the terminal is narrow, these columns give way in this order, each down to its floor; the others keep
# their width unless even that is not enough.
_GIVING_WAY = {"applications": 6, "os": 6, "type": 6, "status": 7, "name": 12}
_GAP = 1

CSV_COLUMNS = ("asset id", "name", "type", "environment", "operating system", "applications", "cpu cores",
               "memory GB", "storage GB", "strategy", "strategy decided by", "wave", "status")


def fit_widths(natural: Sequence[int], giving_way: Sequence[tuple[int, int]], width: int) -> list[int]:
    """Column widths whose sum with the gaps fits `width`: the columns of `giving_way` (index, floor) give way
    first, in that order; when that is not enough (a very narrow terminal), the widest column does, down to one."""
    widths = list(natural)
    excess = sum(widths) + _GAP * (len(widths) - 1) - width
    for index, floor in giving_way:
        cut = min(max(excess, 0), max(widths[index] - floor, 0))
        widths[index] -= cut
        excess -= cut
    while excess > 0 and max(widths) > 1:
        widths[widths.index(max(widths))] -= 1
        excess -= 1
    return widths


@app.command("list")
@run_async
async def assets_list(
    ctx: typer.Context,
    engagement: str,
    wave: int = typer.Option(None, "--wave", min=1, max=MOST_WAVES, help="Only the assets of this wave."),
    strategy: str = typer.Option(None, "--strategy", help=f"Only this strategy: {', '.join(SIX_R_STRATEGIES)}, a "
                                                          "synonym (lift and shift), or TBC for none yet."),
    environment: str = typer.Option(None, "--environment", help="Only this environment (production, prod, dev ...)."),
    application: str = typer.Option(None, "--application", help="Only the assets of this application."),
    as_json: bool = typer.Option(False, "--json", help="A JSON list instead of the table."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV instead of the table (safe to open in a spreadsheet)."),
) -> None:
    """The inventory, one row per asset: type, environment, OS, applications, size, strategy and who decided
    it, wave and status. Filters combine."""
    if as_json and as_csv:
        ctx.fail("give --json or --csv, not both")
    filters = AssetFilters.parse(wave, strategy, environment, application)
    async with session(temporal=False, read_only=True) as s:
        ref = await tenancy.resolve_engagement(s.read_pool, engagement)
        assets = await list_assets(s.read_pool, ref, filters)
    if as_json:
        print_json(assets)
    elif as_csv:
        _write_csv(assets)
    elif not assets:
        console.print(f"no assets match ({filters.describe()})" if filters.describe() else
                      f"no assets match: {ref.name!r} has no inventory yet (discovery builds it)", highlight=False)
    else:
        _write_table(assets, console.width)
        console.print(counted(len(assets), "asset") + (f" ({filters.describe()})" if filters.describe() else "")
                      + "; mem and disk in GB", highlight=False)


def _write_csv(assets: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_COLUMNS)
    for a in assets:
        writer.writerow([neutralise_cell(v) for v in (
            a["id"], a["name"], a["asset_type"], a["environment"], a["operating_system"], "; ".join(a["applications"]),
            a["cpu_cores"], a["memory_gb"], a["storage_gb"], a["six_r_strategy"], a["strategy_source"],
            a["wave_number"], a["migration_status"])])


def _write_table(assets: list[dict[str, Any]], width: int) -> None:
    """A plain table (rich's would take seconds for 10k rows) whose every line fits `width`; long cells end in …."""
    cells = [[printable(text(a)) for _, text, _ in _COLUMNS] for a in assets]  # a file's names, made harmless
    headers = [header for header, _, _ in _COLUMNS]
    natural = [max(cell_len(h), *(cell_len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    widths = fit_widths(natural, [(headers.index(h), floor) for h, floor in _GIVING_WAY.items()], width)
    numeric = [number for _, _, number in _COLUMNS]

    def line(row: Sequence[str]) -> str:
        return (" " * _GAP).join(_cell(text, w, right) for text, w, right in zip(row, widths, numeric)).rstrip()

    out = [line(headers), (" " * _GAP).join("─" * w for w in widths)]
    out.extend(line(row) for row in cells)
    sys.stdout.write("\n".join(out) + "\n")


def _cell(text: str, width: int, right: bool) -> str:
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"
    padding = " " * (width - length)
    return padding + text if right else text + padding


@app.command("show")
@run_async
async def assets_show(engagement: str, asset: str = typer.Argument(..., help="Asset id or name."),
                      as_json: bool = JsonOption) -> None:
    """One asset: its values, which file and row each came from, what cleansing changed, conflicts."""
    async with session(temporal=False, read_only=True) as s:
        ref = await tenancy.resolve_engagement(s.read_pool, engagement)
        detail = await import_review.asset_detail(s.read_pool, ref, asset)
    if as_json:
        print_json(detail)
        return
    lineage, changes, conflicts = detail.pop("field_lineage"), detail.pop("cleansing_changes"), detail.pop("conflicts")
    table = Table("field", "value", "from")
    for field, value in detail.items():
        if value in (None, [], {}):
            continue
        source = lineage.get(field)
        origin = f"{source.get('file_name') or 'import'} row {source.get('row_number', '-')}" if source else ""
        if source and source.get("decided_by"):
            origin += " (chosen in a conflict review)"
        table.add_row(field, str(value), origin)
    console.print(table)
    for change in changes or []:
        console.print(f"cleansing: {change['field']}: {change['from']!r} -> {change['to']!r} ({change['rule']})")
    for c in conflicts:
        console.print(f"conflict ({c['status']}): {c['field']} kept {c['kept_value']!r}, {c['file_name']} row "
                      f"{c['row_number']} said {c['incoming_value']!r}")
