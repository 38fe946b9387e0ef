"""`mappings show|set|approve|targets`: the review of how columns map onto asset fields."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import (
    JsonOption,
    console,
    latest_imports,
    print_json,
    run_async,
    session,
)
from db import import_review, tenancy
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.flow_contracts import MappingCorrection, MappingReviewStatus
from runtime import engagement_control as control

app = typer.Typer(no_args_is_help=True, help='Review how the columns of an import map onto asset fields.')


@app.command("show")
@run_async
async def mappings_show(engagement: str, as_json: bool = JsonOption,
                        all_columns: bool = typer.Option(False, "--all", help="Also the approved columns.")) -> None:
    """Suggested mappings of the newest import; those waiting for review first."""
    async with session(temporal=False) as s:
        ref, imports = await latest_imports(s, engagement)
        rows = await import_review.mapping_rows(s.pool, ref, [d["id"] for d in imports])
    rows.sort(key=lambda r: (r["status"] != "suggested", r["target_field"] is not None, r["file_name"]))
    shown = rows if all_columns else [r for r in rows if r["status"] != "approved"]
    if as_json:
        print_json(shown)
        return
    table = Table("file", "column", "target", "confidence", "by", "status", "reason")
    for r in shown:
        table.add_row(r["file_name"], r["source_field"], r["target_field"] or "-",
                      f"{r['confidence']:.2f}" if r["confidence"] is not None else "-", r["source"] or "-", r["status"],
                      (r["reason"] or "")[:80])
    console.print(table)
    waiting = sum(1 for r in rows if r["status"] == "suggested" and r["target_field"])
    console.print(f"{waiting} column(s) wait for review; {sum(r['status'] == 'approved' for r in rows)} approved")
    if any(r["source"] == "llm" for r in shown):
        console.print("by llm: an agent's suggestion; like every suggestion it applies only once a person approves it")


def _parse_corrections(pairs: list[str], ignore: list[str], file_name: str | None) -> list[MappingCorrection]:
    # unmapping first, so "--ignore A" and "B=name" in one request can move a field from A to B
    corrections = [MappingCorrection(source_field=c, target_field=None, file_name=file_name) for c in ignore]
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise control.ControlError(f"{pair!r}: write COLUMN=TARGET, e.g. \"Srv Name=name\"")
        corrections.append(MappingCorrection(source_field=column.strip(), target_field=target.strip(),
                                             file_name=file_name))
    return corrections


def _print_review(ref: tenancy.EngagementRef, st: MappingReviewStatus, as_json: bool) -> None:
    if as_json:
        print_json(st.model_dump(mode="json"))
        return
    console.print(f"{ref.name}: {st.applied} mapping(s) applied, {st.learned} learned")
    for line in st.blocking:
        console.print(f"  blocking: {line}")
    for line in st.needs_review:
        console.print(f"  needs review: {line}")
    console.print("review complete: discovery goes on" if st.complete else "discovery still waits for the review")


@app.command("set")
@run_async
async def mappings_set(
    ctx: typer.Context,
    engagement: str,
    pairs: list[str] = typer.Argument(None, help="COLUMN=TARGET pairs (target: an asset field, see `mappings targets`)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Leave this column unmapped (repeatable)."),
    file_name: str = typer.Option(None, "--file", help="The file, when several files have the column."),
    as_json: bool = JsonOption,
) -> None:
    """Correct suggested mappings; the platform learns them for the next imports."""
    if not pairs and not ignore:
        ctx.fail("give at least one COLUMN=TARGET or --ignore COLUMN")
    corrections = _parse_corrections(pairs or [], ignore, file_name)
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        st = await control.review_mappings(s.client, s.pool, ref, s.me.id, corrections)
    _print_review(ref, st, as_json)


@app.command("approve")
@run_async
async def mappings_approve(engagement: str, as_json: bool = JsonOption) -> None:
    """Accept the remaining suggestions as they are; discovery goes on when nothing blocks."""
    async with session() as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        st = await control.review_mappings(s.client, s.pool, ref, s.me.id, accept_remaining=True)
    _print_review(ref, st, as_json)


@app.command("targets")
def mappings_targets() -> None:
    """The asset fields a column can map to."""
    console.print(", ".join(ASSET_IMPORT_FIELDS))
