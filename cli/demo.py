"""`demo`: a demo engagement end to end on the embedded stack."""

from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import asyncpg
import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cli import paths
from cli.common import (
    console,
    printable,
    run_async,
    session,
    workflow_url,
)
from cli.flows import status_line
from db import tenancy
from db.pool import create_pool, tenant_transaction
from db.queries import sql
from domain.agent_advice import NOT_CONFIGURED, phase_agent_lines
from domain.flow_contracts import MasterStatus
from domain.status_highlights import phase_highlights
from domain.vocabulary import PHASES, TEST_TENANT_1
from runtime import engagement_control as control
from runtime.answer_steps import answer_waiting_steps
from runtime.settings import get_settings
from runtime.temporal_client import ensure_search_attributes

app = typer.Typer()  # its commands join the top level

AGENTS_NOT_CONFIGURED = f"agents: {NOT_CONFIGURED}"


SAMPLE_INVENTORY = Path(__file__).resolve().parent.parent / "samples" / "demo_inventory.csv"


@app.command("demo")
@run_async
async def demo(
    inventory: Path = typer.Option(SAMPLE_INVENTORY, help="Inventory CSV to run the demo on.", parser=paths.given_path),
    approve_manually: bool = typer.Option(False, help="Wait for `approve` commands instead of auto-approving."),
) -> None:
    """A demo engagement end to end on the embedded stack, with an in-process worker."""
    from reports.engagement_report import write_report  # matplotlib: loaded only by the commands that draw
    from worker import build_worker

    paths.inventory_files([inventory])

    async with session() as s:
        assert s.client is not None
        await ensure_search_attributes(s.client)
        if s.endpoints.ui_url:
            console.print(Text.assemble("Temporal Web UI: ", (s.endpoints.ui_url, f"link {s.endpoints.ui_url}")))
        clients = {str(r["id"]) for r in await tenancy.list_clients(s.pool)}
        client_id = UUID(TEST_TENANT_1)
        if TEST_TENANT_1 not in clients:
            await tenancy.create_client(s.pool, "Demo Client", client_id)
        name = f"Data-centre exit {datetime.now():%Y-%m-%d %H:%M:%S}"
        # The person running the demo creates the engagement and owns it; the in-process worker uses the
        # service role, as every worker does.
        # Its waves run back to back rather than on their planned dates, weeks apart.
        engagement_id = await tenancy.create_engagement(s.pool, client_id, name, start_date=date.today(),
                                                        owner=s.me.email,
                                                        execution={"honour_planned_dates": False})
        ref = tenancy.EngagementRef(engagement_id, client_id, name)
        service_pool = await create_pool(s.endpoints.database_url, max_size=8, origin=s.endpoints.database_origin,
                                         statement_cache_size=get_settings().db_statement_cache_size)
        try:
            worker = build_worker(s.client, service_pool, get_settings().task_queue)
            async with worker:
                workflow_id, _ = await control.launch(
                    s.client, s.pool, ref, [inventory], get_settings().task_queue,
                    auto_approve=() if approve_manually else PHASES, launched_by=s.me.id)  # type: ignore[arg-type]
                console.print(f"launched {name}: {workflow_url(s.endpoints, workflow_id) or workflow_id}")
                if approve_manually:
                    console.print(f"approve each phase with: python starter.py approve {engagement_id} PHASE; in "
                                  f"execution, see `python starter.py execution status {engagement_id}` and complete "
                                  "or approve the steps it waits for")
                last = None
                answered = 0
                while await control.is_running(s.client, ref):
                    st = await control.status(s.client, ref)
                    line = status_line(st)
                    if line != last:
                        console.print(line, highlight=False)
                        last = line
                    if not approve_manually and st.phase == "execution":  # the demo's people: you, in a rehearsal
                        answered += await answer_waiting_steps(s.client, s.pool, ref, s.me.id)
                    await asyncio.sleep(1)
                if answered:
                    console.print(f"execution: you completed or approved {answered} waiting runbook steps "
                                  "(manual acceptance, go/no-go) as the demo's people; the executors were dry runs",
                                  highlight=False)
                final = await control.status(s.client, ref)
        finally:
            await service_pool.close()
        # The worker has stopped and the report is written before the summary, so whatever they log comes
        # first and the summary is read in one piece.
        index = await write_report(s.pool, ref, get_settings().data_path / "reports" / str(ref.id))
        sys.stderr.flush()
        await _print_plan(s.pool, ref, final)
        console.print(f"\nreport (open in a browser): {index.resolve().as_uri()}")
        console.print(f"you act as login {s.me.login} ({s.me.email}, platform administrator); give others logins "
                      "of their own with `starter.py people add EMAIL --login NAME`", highlight=False, markup=False)
        if s.endpoints.ui_url:
            console.print(f"Temporal Web UI: {workflow_url(s.endpoints, workflow_id)}")


async def _print_plan(pool: asyncpg.Pool, ref: tenancy.EngagementRef, final: MasterStatus) -> None:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        waves = await conn.fetch(sql("waves_report"))
        check = await conn.fetchrow(sql("plan_dependency_check"))
        violations = await conn.fetch(sql("report_violation_counts"))
        assets = await conn.fetchval(sql("assets_count"))
    console.print(f"\n{ref.name}: {final.status}; {assets} assets, {final.asset_count} migrated; "
                  f"phases completed: {', '.join(final.phases_completed)}")
    advised = False  # the crews' lines, when agents are configured
    for phase, steps in final.phase_summaries.items():
        console.print(Text.assemble((phase, "bold"), printable(f": {phase_highlights(phase, steps) or '-'}")))
        for line in phase_agent_lines(steps):
            if line != AGENTS_NOT_CONFIGURED:
                advised = True
                console.print(printable(f"  {line}"))
    if not advised:
        console.print("agents were not configured: the rules and people decided everything (docs/agents.md)")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))  # fits an 80-column terminal
    for header in ("wave", "kind", "assets", "TB", "start", "end", "effort", "status"):
        table.add_column(header, no_wrap=True)
    kinds = {"foundation": "foundation", "pilot": "pilot", "non_production": "non-prod", "production": "prod"}
    for w in waves:
        table.add_row(str(w["wave_number"]), kinds.get(w["kind"], w["kind"]), str(w["asset_count"]),
                      f"{float(w['total_storage_gb']) / 1024:.1f}", str(w["planned_start"]), str(w["planned_end"]),
                      f"{w['estimated_effort_days'] or 0:.0f} pd", w["status"])
    console.print(table)
    console.print(f"dependencies on shared services that move later: {check['shared_service_later']}; waves mixing "
                  f"production and non-production: {check['mixed_waves']}; hard ties parted: {check['split']}; "
                  f"dependencies whose target moves later: {check['order_broken']} (each one a rule below)")
    if violations:
        console.print("rules the plan could not meet: " + ", ".join(f"{v['rule']} {v['violations']}"
                                                                  for v in violations))
