"""`strategy set`: a person's 6R decisions."""

from __future__ import annotations

import typer

from cli.common import (
    JsonOption,
    console,
    print_json,
    run_async,
    session,
)
from db import tenancy
from db.strategy_overrides import override_strategy
from domain.vocabulary import SIX_R_STRATEGIES

app = typer.Typer(no_args_is_help=True, help="A person's 6R decisions, kept through re-runs.")


@app.command("set")
@run_async
async def strategy_set(
    engagement: str,
    asset: str = typer.Argument(..., help="Asset id or name."),
    strategy: str = typer.Argument(..., help=f"One of {', '.join(SIX_R_STRATEGIES)} (or a synonym)."),
    reason: str = typer.Option(..., help="Why; kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """Override an asset's recommended strategy; later assessments keep it, and it is stored as a pattern."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        result = await override_strategy(s.pool, ref, asset, strategy, s.me.id, reason)
    if as_json:
        print_json(result)
        return
    console.print(f"{result['asset_name']}: {result['previous_strategy'] or '-'} -> {result['strategy']} "
                  f"(decided by {s.me.email})")
