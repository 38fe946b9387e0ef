"""`strategy set|show`: a person's 6R decisions, and every strategy beside the rules' recommendation and the
strategy crew's alternative."""

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
from db.agent_advice import strategy_advice
from db.strategy_overrides import override_strategy
from domain.vocabulary import SIX_R_STRATEGIES

app = typer.Typer(no_args_is_help=True, help="A person's 6R decisions, kept through re-runs; what was decided, "
                                             "beside the agents' alternatives.")


@app.command("set")
@run_async
async def strategy_set(
    engagement: str,
    asset: str = typer.Argument(..., help="Asset id or name."),
    strategy: str = typer.Argument(..., help=f"One of {', '.join(SIX_R_STRATEGIES)} (or a synonym)."),
    reason: str = typer.Option(..., help="Why; kept with the decision."),
    as_json: bool = JsonOption,
) -> None:
    """Override an asset's recommended strategy; later assessments keep it, and it is stored as a pattern. The
    strategy crew's alternative, if it gave one, is shown beside it and stays an alternative."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        result = await override_strategy(s.pool, ref, asset, strategy, s.me.id, reason)
        [advice] = await strategy_advice(s.pool, ref, str(result["asset_id"]))
    if as_json:
        print_json({**result, "agent_alternative": advice.as_json()["agent_alternative"]})
        return
    console.print(f"{result['asset_name']}: {result['previous_strategy'] or '-'} -> {result['strategy']} "
                  f"(decided by {s.me.email})")
    if advice.alternative is not None:
        console.print(f"  {advice.alternative_line()}", highlight=False)


@app.command("show")
@run_async
async def strategy_show(
    engagement: str,
    subject: str = typer.Argument(None, help="Asset id or name, or application name; without it, every asset and "
                                             "application the strategy crew gave an alternative for."),
    as_json: bool = JsonOption,
) -> None:
    """The decided strategy (the rules', or a person's beside what the rules recommended) and the strategy crew's
    alternative (source llm): an alternative only, it never changes the decided strategy."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        advice = await strategy_advice(s.pool, ref, subject)
    if as_json:
        print_json([a.as_json() for a in advice])
        return
    if not advice:
        console.print(f"{ref.name}: the strategy crew gave no alternative (agents not configured, or it was not "
                      "asked); `strategy show ENGAGEMENT ASSET` shows an asset's strategy", highlight=False)
        return
    for a in advice:
        console.print(f"{a.name} ({a.subject_type}{f' {a.asset_id}' if a.asset_id else ''})", highlight=False)
        for line in (a.decided_line(), a.rule_line(), a.alternative_line()):
            if line:
                console.print(f"  {line}", highlight=False)
