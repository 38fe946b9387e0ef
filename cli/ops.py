"""`ops ...`: operating the platform: scheduled maintenance (partitions, retention, archive) and backups."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Operate the platform: scheduled maintenance and backups.")
