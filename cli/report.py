"""`report`: the engagement's HTML report."""

from __future__ import annotations

from pathlib import Path

import typer

from cli import paths
from cli.common import (
    console,
    run_async,
    session,
)
from db import tenancy
from runtime.settings import get_settings

app = typer.Typer()  # its commands join the top level


@app.command("report")
@run_async
async def report(
    engagement: str,
    out: Path = typer.Option(None, "--out", parser=paths.given_path,
                             help="Folder to write into (default: reports/<engagement id> in the data "
                             "directory: MIGRATION_DATA_DIR, else ~/.local/share/migration-platform)."),
) -> None:
    """Write the engagement's HTML report (portfolio, strategies, cost, wave timeline, dependency graph) with its pictures as PNG and SVG files; prints the page to open in a browser."""  # noqa: E501 - one paragraph in --help
    from reports.engagement_report import write_report  # matplotlib: loaded only by the commands that draw

    if out is not None:
        paths.output_folder(out)
    async with session(temporal=False, read_only=True) as s:
        ref = await tenancy.resolve_engagement(s.read_pool, engagement)
        index = await write_report(s.read_pool, ref, out or get_settings().data_path / "reports" / str(ref.id))
    console.print(f"report written: {index.resolve().as_uri()}")
