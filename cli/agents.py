"""`agents usage|budget|config`: what an engagement's advising agents (the mapping, strategy and plan-critic crews)
used and may spend, and whether agents are configured on this machine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.table import Table

from agents.config import AgentSettings, agent_settings, prices_of, unavailable_reason
from cli.common import JsonOption, console, print_json, run_async, session
from db import tenancy
from db.agent_usage import MOST_CALLS, MOST_TOKENS, OWN, AgentUsage, BudgetState, budget_state, set_budget, usage_report
from domain.settings_text import shown
from domain.vocabulary import AGENT_TASK_STATUSES

NOT_CONFIGURED = "agents: not configured (set MIGRATION_LLM_BASE_URL and MIGRATION_LLM_MODEL; docs/agents.md)"
DEFAULT_PORTS = {"http": 80, "https": 443}

app = typer.Typer(no_args_is_help=True, help="The advising agents: what they used and may spend per engagement, and "
                                             "whether they are configured on this machine.")


@app.command("usage")
@run_async
async def agents_usage(engagement: str, as_json: bool = JsonOption) -> None:
    """Per agent and phase: model calls (and how many failed), prompt, completion and cached tokens, the estimated
    cost in USD and the crews' tasks by status, with totals; then the budget and what is left."""
    settings = agent_settings()
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        report = await usage_report(s.pool, ref, settings)
    here = unavailable_reason(settings) or "configured"
    if as_json:
        print_json({"engagement": ref.name, "engagement_id": str(ref.id), "agents_on_this_machine": here,
                    "usage": [_usage_json(row) for row in report.rows], "total": _usage_json(report.total),
                    "budget": _budget_json(report.budget)})
        return
    if not report.rows:
        console.print(f"no agent has run for {ref.name!r} (on this machine agents are {here})")
        return
    table = Table("agent", "phase", "calls", "failed calls", "prompt tokens", "completion tokens", "cached tokens",
                  "cost USD", *(f"tasks {status.replace('_', ' ')}" for status in AGENT_TASK_STATUSES))
    for row in report.rows:
        table.add_row(*_usage_cells(row.agent or "(none)", row.phase or "(none)", row))
    table.add_row(*_usage_cells("total", "", report.total), style="bold")
    console.print(table)
    console.print(_budget_line(report.budget))


@app.command("budget")
@run_async
async def agents_budget(
    ctx: typer.Context,
    engagement: str,
    tokens: int = typer.Option(None, "--tokens", min=0, max=MOST_TOKENS,
                               help="The engagement's own limit of prompt + completion tokens."),
    calls: int = typer.Option(None, "--calls", min=0, max=MOST_CALLS, help="The engagement's own limit of model calls."),
    back_to_defaults: bool = typer.Option(False, "--default",
                                          help="Drop the engagement's own limits: the environment's defaults apply."),
    as_json: bool = JsonOption,
) -> None:
    """The engagement's agent budget: its limits (its own or the defaults), what is used and what is left. With
    --tokens, --calls or --default, change it (owners and approvers); agents stop before a call beyond it."""
    if back_to_defaults and (tokens is not None or calls is not None):
        ctx.fail("--default drops the engagement's own limits; give it without --tokens and --calls")
    settings = agent_settings()
    changing = back_to_defaults or tokens is not None or calls is not None
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        if changing:
            state = await set_budget(s.pool, ref, s.me.id, settings, tokens=tokens, calls=calls,
                                     back_to_defaults=back_to_defaults)
        else:
            state = await budget_state(s.pool, ref, settings)
    if as_json:
        print_json(_budget_json(state))
        return
    if changing:
        console.print(f"{ref.name}: the agent budget " + ("is the defaults again" if back_to_defaults else "is set"))
    table = Table("limit", "of", "from", "used", "left")
    for what, limit, used, source in state.limits():
        table.add_row(f"{limit:,}", what, _source(source), f"{used:,}", f"{max(0, limit - used):,}")
    console.print(table)


@app.command("config")
def agents_config(as_json: bool = JsonOption) -> None:
    """Whether agents are configured on this machine (its environment): model, endpoint, prices, limits per call
    and the default budget of an engagement. The key is never shown."""
    settings = agent_settings()
    if not settings.configured:
        if as_json:
            print_json({"configured": False, "agents_on_this_machine": unavailable_reason(settings)})
        else:
            console.print(NOT_CONFIGURED)
        return
    prices = prices_of(settings)
    facts = {"configured": True, "agents_on_this_machine": unavailable_reason(settings) or "configured",
             "model": settings.model, "endpoint": endpoint_of(settings),
             "api_key": "set" if settings.api_key else "none",
             "usd_per_million_tokens": prices.model_dump(), "timeout_seconds": settings.timeout_seconds,
             "max_output_tokens": settings.max_output_tokens,
             "default_budget": {"tokens": settings.budget_tokens, "calls": settings.budget_calls},
             "max_subjects": settings.max_subjects}
    if as_json:
        print_json(facts)
        return
    console.print(f"agents: {facts['agents_on_this_machine']}")
    table = Table("setting", "value", show_header=False)
    for name, value in (
            ("model", settings.model), ("endpoint", facts["endpoint"]), ("key", facts["api_key"]),
            ("USD per million tokens", f"prompt {shown(prices.input)}, cached prompt {shown(prices.cached)}, "
                                       f"completion {shown(prices.output)}"),
            ("per call", f"at most {shown(settings.timeout_seconds)} s and {settings.max_output_tokens:,} "
                         "completion tokens"),
            ("default budget", f"{settings.budget_tokens:,} tokens and {settings.budget_calls:,} calls per engagement"),
            ("per crew and phase run", f"at most {settings.max_subjects:,} columns, assets or applications")):
        table.add_row(name, value)
    console.print(table)


def endpoint_of(settings: AgentSettings) -> str:
    """The base URL's scheme://host:port: where the calls go, without its path, query or anything else."""
    parts = urlsplit(settings.base_url or "")  # the settings checked its port
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    host = parts.hostname or ""
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def _usage_cells(agent: str, phase: str, row: AgentUsage) -> list[str]:
    return [agent, phase, f"{row.calls:,}", f"{row.failed_calls:,}", f"{row.prompt_tokens:,}",
            f"{row.completion_tokens:,}", f"{row.cached_tokens:,}", _usd(row.cost_usd),
            *(f"{row.tasks[status]:,}" for status in AGENT_TASK_STATUSES)]


def _usd(amount: Decimal) -> str:
    return f"{amount:,.6f}".rstrip("0").rstrip(".") if amount else "0"


def _usage_json(row: AgentUsage) -> dict[str, Any]:
    return {"agent": row.agent, "phase": row.phase, "calls": row.calls, "failed_calls": row.failed_calls,
            "prompt_tokens": row.prompt_tokens, "completion_tokens": row.completion_tokens,
            "cached_tokens": row.cached_tokens, "cost_usd": float(row.cost_usd), "tasks": row.tasks}


def _source(source: str) -> str:
    return "the engagement's own" if source == OWN else "the default"


def _budget_json(state: BudgetState) -> dict[str, Any]:
    return {what: {"limit": limit, "from": source, "used": used, "left": max(0, limit - used)}
            for what, limit, used, source in state.limits()}


def _budget_line(state: BudgetState) -> str:
    return (f"budget: {state.budget.left()} (tokens: {_source(state.tokens_from)}, "
            f"calls: {_source(state.calls_from)})")
