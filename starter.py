"""The starter CLI: manage the embedded stack and the database, launch and steer engagements."""

from __future__ import annotations

import os
import sys

import typer

from cli import (
    agents,
    assets,
    conflicts,
    costs,
    database,
    demo,
    dev,
    engagements,
    execution,
    flows,
    imports,
    mappings,
    ops,
    people,
    plan,
    privacy,
    report,
    runbooks,
    strategy,
    tenants,
)
from cli.common import exit_now, report_failure
from runtime.logging import configure_logging
from runtime.settings import get_settings

# How usage lines name the program: the script a person ran, or the installed command.
PROG_NAME = os.path.basename(sys.argv[0]) or "starter.py"

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(dev.app, name="dev")
app.add_typer(database.app, name="db")
app.add_typer(tenants.app, name="tenant")
app.add_typer(engagements.app, name="engagement")
app.add_typer(people.app, name="people")
app.add_typer(flows.app)
app.add_typer(mappings.app, name="mappings")
app.add_typer(imports.app, name="imports")
app.add_typer(assets.app, name="assets")
app.add_typer(conflicts.app, name="conflicts")
app.add_typer(strategy.app, name="strategy")
app.add_typer(plan.app, name="plan")
app.add_typer(costs.app, name="costs")
app.add_typer(agents.app, name="agents")
app.add_typer(runbooks.app, name="runbook")
app.add_typer(execution.app, name="execution")
app.add_typer(ops.app, name="ops")
app.add_typer(privacy.app, name="privacy")
app.add_typer(report.app)
app.add_typer(demo.app)


@app.callback()
def _configure() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


def main() -> None:
    """Run the CLI and exit with its code, bypassing interpreter teardown (sdk-python #300).

    Exit codes: 0 done, 1 the request was refused or failed, 2 usage error, 70 internal error (its trace
    is in a crash file), 130 interrupted. Whatever happens, a person reads one line, never a traceback.
    """
    try:
        result = app(standalone_mode=False, prog_name=PROG_NAME)
        code = result if isinstance(result, int) else 0
    except BaseException as exc:  # noqa: BLE001 - every outcome becomes one line and an exit code
        code = report_failure(exc)
    exit_now(code)


if __name__ == "__main__":
    main()
