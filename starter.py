"""The starter CLI: manage the embedded stack and the database, launch and steer engagements."""

from __future__ import annotations

import os
import sys

import typer

from cli import (
    assets,
    conflicts,
    database,
    demo,
    dev,
    engagements,
    flows,
    imports,
    mappings,
    plan,
    report,
    strategy,
    tenants,
)
from cli.common import err_console
from runtime.logging import configure_logging
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(dev.app, name="dev")
app.add_typer(database.app, name="db")
app.add_typer(tenants.app, name="tenant")
app.add_typer(engagements.app, name="engagement")
app.add_typer(flows.app)
app.add_typer(mappings.app, name="mappings")
app.add_typer(imports.app, name="imports")
app.add_typer(assets.app, name="assets")
app.add_typer(conflicts.app, name="conflicts")
app.add_typer(strategy.app, name="strategy")
app.add_typer(plan.app, name="plan")
app.add_typer(report.app)
app.add_typer(demo.app)


@app.callback()
def _configure() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


def main() -> int:
    """Run the CLI and exit with its code, bypassing interpreter teardown (sdk-python #300)."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        code = 130
    except Exception as exc:  # click usage errors carry their own message
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            code = exc.exit_code
        else:
            raise
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
