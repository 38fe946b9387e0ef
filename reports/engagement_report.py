"""`report ENGAGEMENT`: the engagement's HTML report with its pictures, written into a folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from db.report_data import load_report
from db.tenancy import EngagementRef
from reports.model import ReportLimits
from reports.render import render_report


async def write_report(
    pool: asyncpg.Pool, ref: EngagementRef, out_dir: Path, *, limits: ReportLimits = ReportLimits()
) -> Path:
    """Load the engagement's report data and write `out_dir/index.html` and `out_dir/images/*.png|svg`;
    return the path of index.html. Drawing runs in a thread, off the event loop."""
    report = await load_report(pool, ref, limits)
    return await asyncio.to_thread(render_report, report, out_dir)
