"""`ops workers`: the worker deployment's versions while upgrading workers (runtime/worker_versions.py); the
versions themselves are moved with `temporal worker deployment set-current-version / set-ramping-version`
(docs/operations.md, "Upgrading workers")."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import JsonOption, console, print_json, run_async, session
from runtime import worker_versions
from runtime.settings import get_settings

app = typer.Typer(help="The worker deployment's versions: current, ramping, draining, and what still runs on each.",
                  invoke_without_command=True)


@app.callback()
@run_async
async def workers_versions(as_json: bool = JsonOption) -> None:
    """List the versions (build ids) of the worker deployment MIGRATION_WORKER_DEPLOYMENT, newest first: status
    (current, ramping with its percentage, draining, drained) and the workflows still running on each; a version
    with none running may have its workers stopped."""
    deployment = get_settings().worker_deployment
    async with session() as s:
        versions = await worker_versions.deployment_versions(s.client, deployment)
    if as_json:
        print_json({"deployment": deployment, "versions": [v.__dict__ for v in versions]})
        return
    table = Table("build id", "status", "running workflows", title=f"worker deployment {deployment}")
    for v in versions:
        status = f"{v.status} {v.ramp_percentage:g} %" if v.ramp_percentage is not None else v.status
        table.add_row(v.build_id, status, str(v.running))
    console.print(table)
