"""`runbook show|export|import|schema`: the runbook templates an engagement's waves execute, edited as files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cli import paths
from cli.common import JsonOption, console, print_json, run_async, session
from db import tenancy
from db.output_files import replacing
from db.runbook_templates import CurrentTemplate, checked_strategy, engagement_templates, import_template
from domain.execution.templates import TEMPLATE_STRATEGIES, dump_template, ordered_steps, template_json_schema

app = typer.Typer(no_args_is_help=True, help="Runbook templates: show, export, edit and import them back.")

_STRATEGY_HELP = f"One of {', '.join(TEMPLATE_STRATEGIES)} (retain has no runbook)."
_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _strategy(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return checked_strategy(value.strip().lower())
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _format(value: str | None) -> str | None:
    if value is not None and value not in ("yaml", "json"):
        raise typer.BadParameter(f"{value!r:.40} is no format: yaml or json")
    return value


@app.command("show")
@run_async
async def runbook_show(
    engagement: str,
    strategy: str = typer.Option(None, "--strategy", callback=_strategy, help=_STRATEGY_HELP),
    as_json: bool = JsonOption,
) -> None:
    """Which template each strategy runs with (an imported version or the bundled default), and its steps."""
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        current = await engagement_templates(s.pool, ref, strategy)
    if as_json:
        print_json({"engagement": ref.name, "templates": [_described(c) for c in current.values()]})
        return
    for number, item in enumerate(current.values()):
        if number:
            console.print()
        template = item.template
        console.print(f"{item.strategy}: {template.name} ({item.source})")
        for step in _described(item)["steps"]:
            needs = f" after {', '.join(step['needs'])}" if step["needs"] else ""
            rollback = f"; rollback {step['rollback']}" if step["rollback"] else ""
            console.print(f"  {step['position'] + 1:>2}. {step['key']} [{step['type']}] group {step['group']} "
                          f"({step['scope']}){needs}{rollback}")
    if strategy is None:
        console.print("\nretain: no runbook (retained workloads stay where they are)")


def _described(current: CurrentTemplate) -> dict[str, Any]:
    return {
        "strategy": current.strategy, "name": current.template.name, "version": current.template.version,
        "imported": current.imported, "imported_by": current.imported_by,
        "imported_at": current.imported_at.isoformat() if current.imported_at else None,
        "steps": [{"position": o.position, "group": o.group, "group_index": o.group_index, "scope": o.scope,
                   "key": o.key, "title": o.step.title, "type": o.step.type, "needs": list(o.needs),
                   "rollback": getattr(o.step, "rollback", None) and o.step.rollback.key}
                  for o in ordered_steps(current.template)],
    }


@app.command("export")
@run_async
async def runbook_export(
    engagement: str,
    strategy: str = typer.Option(..., "--strategy", callback=_strategy, help=_STRATEGY_HELP),
    output: Path = typer.Option(None, "--output", parser=paths.given_path,
                                help="File to write (.yaml, .yml or .json); standard output when left out."),
    fmt: str = typer.Option(None, "--format", callback=_format,
                            help="yaml or json (default: from the output file's extension, else yaml)."),
) -> None:
    """Write the template the strategy runs with in this engagement, to edit and `runbook import` back."""
    if output is not None:
        by_name = paths.output_file(output, _FORMATS)
        if fmt is not None and fmt != by_name:
            raise paths.PathError(f"{output.name}: a {by_name} file name, but --format {fmt} was given")
        fmt = by_name
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        current = (await engagement_templates(s.pool, ref, strategy))[strategy]
    text = dump_template(current.template, fmt or "yaml")  # type: ignore[arg-type]
    if output is None:
        print(text, end="")
        return
    with replacing(output, encoding="utf-8") as handle:
        handle.write(text)
    console.print(f"{strategy}: {current.template.name} ({current.source}) written to {output}")


@app.command("import")
@run_async
async def runbook_import(
    engagement: str,
    path: Path = typer.Argument(..., parser=paths.given_path, help="An edited template (.yaml, .yml or .json)."),
    strategy: str = typer.Option(..., "--strategy", callback=_strategy, help=_STRATEGY_HELP),
) -> None:
    """Check an edited template and store it as the strategy's next version for this engagement (waves started
    later run with it); a template with problems is refused with every problem listed, and nothing is stored."""
    template = paths.runbook_template(path, strategy)
    async with session(temporal=False) as s:
        ref = await tenancy.resolve_engagement(s.pool, engagement)
        current = await import_template(s.pool, ref, template, s.me.id)
    console.print(f"{strategy}: {current.template.name} imported as version {current.template.version} "
                  f"by {s.me.email}; waves started from now on run with it")


@app.command("schema")
def runbook_schema(
    output: Path = typer.Option(None, "--output", parser=paths.given_path,
                                help="File to write (.json); standard output when left out."),
) -> None:
    """Write the JSON Schema of a runbook template, for editors that check YAML or JSON as it is typed."""
    text = json.dumps(template_json_schema(), indent=2) + "\n"
    if output is None:
        print(text, end="")
        return
    paths.output_file(output, {".json": "json"})
    with replacing(output, encoding="utf-8") as handle:
        handle.write(text)
    console.print(f"runbook template schema written to {output}")
