"""`ops ...`: operating the platform: scheduled maintenance (partitions, retention, archive) and backups."""

from __future__ import annotations

import typer

from cli import maintenance, workers

app = typer.Typer(no_args_is_help=True, help="Operate the platform: scheduled maintenance and backups.")
app.add_typer(maintenance.schedules_app, name="schedules")
app.add_typer(maintenance.retention_app, name="retention")
app.add_typer(workers.app, name="workers")
