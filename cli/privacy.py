"""`privacy ...`: the right to be forgotten: erase a person or a whole client everywhere the platform keeps them."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Erase a person's or a client's personal data, with a record of the erasure.")
