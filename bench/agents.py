"""Agents: calls, tokens, wall time and cost per 1,000 assets of the mapping, strategy and plan-critic crews.

For each size N (`--servers 200 1000`), two engagements of the same N generated servers run through all four
phases, auto-approved, one after the other on the same embedded PostgreSQL + Temporal (a temporary data directory,
free ports) and in-process worker: first without agents (the baseline: every crew says "not configured"), then
with the crews configured against the OpenAI-compatible server of the agent tests on loopback
(tests/openai_compatible_server.py), answering each request with the recorded answers (tests/recorded_model.py).
Each engagement gets two files: the generated CMDB export, and the same servers exported with German headers the
rules cannot place (Kennung, Betriebssystem, Standort, CPU Cores, RAM (GB)), so the mapping crew has work. The
engagement's owner answers what waits for a person: the mapping review (accepts the suggestions; where a file
still has no identifying column, maps the German headers as the recorded answers do) and the runbooks' steps
(runtime.answer_steps). A fresh client per engagement, so nothing one engagement's review taught is reused.

No real model endpoint is reachable from the benchmark machine: the prompts are the real ones crewai sent, the
completions are the recorded answers, and the token counts are the loopback server's estimate of one token per
four characters of each request's messages and answer. Calls and tokens are read from `llm_usage_log` and
compared with what the server reported for every call (they must be equal).

Prices, USD per million tokens, input / cached input / output (`--price NAME=IN/CACHED/OUT`, repeatable; the
first also goes to the platform, so `llm_usage_log.cost_usd` is checked against it). The defaults, as OpenAI
publishes them on https://openai.com/api/pricing (relied on as of 2025; prices change, check the page before
quoting a cost):
- gpt-4o-mini: 0.15 / 0.075 / 0.60 (published at its launch, 2024-07-18);
- gpt-4.1-mini: 0.40 / 0.10 / 1.60 (published at its launch, 2025-04-14);
- local: 0 / 0 / 0, a model on the client's own machine (Ollama, vLLM, LM Studio), hardware and electricity aside.

    .venv/bin/python -m bench.agents [--servers 200 1000] [--price gpt-4o-mini=0.15/0.075/0.60 ...]
        [--max-subjects 200] [--ports 57300-57399] [--data-dir DIR] [--json-out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from temporalio.service import RPCError

from bench.e2e import POLL_SECONDS, PORT_VARIABLES, TERMINAL, configure_environment, machine, phase_timings, watch

DEFAULT_PRICES = ("gpt-4o-mini=0.15/0.075/0.60", "gpt-4.1-mini=0.40/0.10/1.60", "local=0/0/0")
CREWS = ("mapping", "strategy", "plan_critic")
CREW_ACTIVITIES = {"agents.suggest_mappings": "mapping", "agents.review_strategies": "strategy",
                   "agents.critique_plan": "plan_critic"}
# The second export of the same servers: German headers (what the recorded model answers for) and two the rules
# place, filled from the generated inventory's columns.
GERMAN_COLUMNS = {"Kennung": "Server Name", "Betriebssystem": "OS", "Standort": "Datacenter",
                  "CPU Cores": "CPU Cores", "RAM (GB)": "RAM (GB)"}
GERMAN_FILE = "server-export-de.csv"
ADVISED_STEPS = (("discovery", "attribute_mapping"), ("assessment", "strategy_recommendation"),
                 ("planning", "cost_estimate"))
ENGAGEMENT_TIMEOUT = 1800.0


def price_option(text: str) -> tuple[str, dict[str, float]]:
    """NAME=IN/CACHED/OUT (USD per million tokens) as (name, prices)."""
    name, _, values = text.partition("=")
    parts = values.split("/")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not name.strip() or len(numbers) != 3 or any(not math.isfinite(n) or n < 0 for n in numbers):
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=IN/CACHED/OUT in USD per million tokens, "
                                         "e.g. gpt-4o-mini=0.15/0.075/0.60")
    return name.strip(), dict(zip(("input", "cached", "output"), numbers))


def port_range(text: str) -> range:
    """FIRST-LAST as the range of ports the benchmark may listen on."""
    first, _, last = text.partition("-")
    if not (first.isdigit() and last.isdigit() and 1024 <= int(first) <= int(last) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port range FIRST-LAST, e.g. 57300-57399")
    return range(int(first), int(last) + 1)


def free_ports(ports: range, count: int) -> list[int]:
    """The first `count` ports of the range nothing listens on now."""
    found = []
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise SystemExit(f"error: fewer than {count} free ports in {ports.start}-{ports.stop - 1}; give another --ports")


def write_german_export(rows: list[dict[str, str]], path: Path) -> None:
    """The same servers as the generated inventory, with the headers GERMAN_COLUMNS names."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GERMAN_COLUMNS)
        writer.writerows([row[source] for source in GERMAN_COLUMNS.values()] for row in rows)


def use_agents(model_url: str | None, prices: dict[str, float], max_subjects: int | None) -> None:
    """Configure this process's crews against `model_url` (None: agents not configured) at `prices`."""
    from agents.config import agent_settings
    from tests.recorded_model import MODEL

    values = {"MIGRATION_LLM_BASE_URL": model_url, "MIGRATION_LLM_MODEL": MODEL if model_url else None,
              "MIGRATION_LLM_PRICE_INPUT_PER_MTOK": prices["input"],
              "MIGRATION_LLM_PRICE_CACHED_PER_MTOK": prices["cached"],
              "MIGRATION_LLM_PRICE_OUTPUT_PER_MTOK": prices["output"], "MIGRATION_AGENT_MAX_SUBJECTS": max_subjects}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = str(value)
    agent_settings.cache_clear()


async def review_mappings_when_asked(client: Any, pool: Any, ref: Any, person: uuid.UUID, done: asyncio.Event,
                                     actions: list[str]) -> None:
    """The person of the mapping review: accepts the suggestions when discovery waits for a review; when a file
    still has no identifying column, maps the German headers as the recorded model answers."""
    from domain.flow_contracts import MappingCorrection
    from runtime import engagement_control as control
    from tests.recorded_model import MAPPING_ANSWERS

    corrections = [MappingCorrection(source_field=header, target_field=target, file_name=GERMAN_FILE)
                   for header, (target, _, _) in MAPPING_ANSWERS.items()]
    while not done.is_set():
        try:
            status = await control.status(client, ref)
            if (status.waiting_for or "").startswith("mapping review"):
                result = await control.review_mappings(client, pool, ref, person, accept_remaining=True)
                actions.append("accepted the suggestions")
                if result.blocking:
                    await control.review_mappings(client, pool, ref, person, corrections)
                    actions.append("mapped the German headers")
        except (RPCError, control.ControlError):
            pass  # the review was over before this one came; the next poll sees
        try:
            await asyncio.wait_for(done.wait(), POLL_SECONDS)
        except TimeoutError:
            pass


async def crew_activity_seconds(client: Any, engagement_id: uuid.UUID) -> dict[str, float]:
    """Each crew activity's wall time, scheduled to completed, from the phase workflows' histories."""
    from workflows.ids import phase_workflow_id

    seconds: dict[str, float] = {}
    for phase in ("discovery", "assessment", "planning"):
        history = await client.get_workflow_handle(phase_workflow_id(engagement_id, phase)).fetch_history()
        scheduled = {}
        for event in history.events:
            if event.HasField("activity_task_scheduled_event_attributes"):
                name = event.activity_task_scheduled_event_attributes.activity_type.name
                if name in CREW_ACTIVITIES:
                    scheduled[event.event_id] = (CREW_ACTIVITIES[name], event.event_time.ToDatetime())
            elif event.HasField("activity_task_completed_event_attributes"):
                crew, at = scheduled.get(event.activity_task_completed_event_attributes.scheduled_event_id,
                                         (None, None))
                if crew is not None:
                    seconds[crew] = seconds.get(crew, 0.0) + (event.event_time.ToDatetime() - at).total_seconds()
    return seconds


def server_usage(calls: list[Any]) -> dict[str, dict[str, Any]]:
    """What the loopback server reported, per crew: calls, tokens, each call's prompt tokens, and the prompt prefix
    the crew's calls share (what a provider's prompt cache could reuse), in the server's tokens."""
    from tests.openai_compatible_server import tokens
    from tests.recorded_model import crew_of

    found: dict[str, dict[str, Any]] = {}
    prompts: dict[str, list[str]] = {}
    for call in calls:
        usage = call.usage or {}
        prompts.setdefault(crew_of(call.request), []).append(json.dumps(call.request.get("messages", [])))
        crew = found.setdefault(crew_of(call.request), {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0,
                                                         "cached_tokens": 0, "prompt_tokens_per_call": []})
        crew["calls"] += 1
        crew["prompt_tokens"] += usage.get("prompt_tokens", 0)
        crew["completion_tokens"] += usage.get("completion_tokens", 0)
        crew["cached_tokens"] += usage.get("prompt_tokens_details", {}).get("cached_tokens", 0)
        crew["prompt_tokens_per_call"].append(usage.get("prompt_tokens", 0))
    for crew, texts in prompts.items():
        found[crew]["shared_prefix_tokens"] = tokens(os.path.commonprefix(texts)) if len(texts) > 1 else None
    return found


def cost_usd(usage: dict[str, Any], prices: dict[str, float]) -> float:
    """Tokens at prices in USD per million: uncached and cached prompt tokens, completion tokens."""
    cached = min(usage["cached_tokens"], usage["prompt_tokens"])
    return ((usage["prompt_tokens"] - cached) * prices["input"] + cached * prices["cached"]
            + usage["completion_tokens"] * prices["output"]) / 1e6


async def engagement(ctx: dict[str, Any], servers: int, files: list[Path], with_agents: bool) -> dict[str, Any]:
    """One engagement of `files` through all phases, auto-approved; its phases' times and, with agents, what
    each crew did and spent."""
    from db import tenancy
    from db.pool import tenant_transaction
    from db.queries import sql
    from domain.vocabulary import PHASES
    from runtime import engagement_control as control
    from runtime.answer_steps import answer_until

    client, pool, server, args = ctx["client"], ctx["pool"], ctx["server"], ctx["args"]
    use_agents(server.url if with_agents else None, args.price[0][1], args.max_subjects)
    server.calls.clear()
    suffix = uuid.uuid4().hex[:8]
    client_id = await tenancy.create_client(pool, f"Bench agents client {suffix}")
    name = f"agents {servers} servers {'with' if with_agents else 'without'} agents {suffix}"
    execution = {"honour_planned_dates": False, "wave_concurrency": args.wave_concurrency}
    engagement_id = await tenancy.create_engagement(pool, client_id, name, start_date=date.today(),
                                                    execution=execution)
    ref = tenancy.EngagementRef(engagement_id, client_id, name)
    owner = await tenancy.ensure_user(pool, f"owner-{suffix}@bench.example")
    await tenancy.add_member(pool, ref, owner, "owner")

    load_before = os.getloadavg()[0]
    launched = time.perf_counter()
    await control.launch(ctx["client"], pool, ref, files, ctx["queue"], auto_approve=PHASES)
    done, reviews = asyncio.Event(), []
    people = [asyncio.create_task(answer_until(client, pool, ref, owner, done, interval=0.2)),
              asyncio.create_task(review_mappings_when_asked(client, pool, ref, owner, done, reviews))]
    samples, final, errors = await watch(client, ref, ENGAGEMENT_TIMEOUT)
    done.set()
    await asyncio.gather(*people)
    end = next((t for t, *_, status in samples if status in TERMINAL), time.perf_counter())
    if final is not None and final.status != "completed" and await control.is_running(client, ref):
        await control.cancel(client, pool, ref)
    async with tenant_transaction(pool, client_id, engagement_id) as conn:
        assets = await conn.fetchval(sql("assets_count"))
        waves = len(await conn.fetch(sql("waves_report")))
        calls = await conn.fetch(sql("agents_usage_calls"), engagement_id)
        tasks = await conn.fetch(sql("agents_usage_tasks"), engagement_id)
        imports = [r["id"] for r in await conn.fetch(sql("data_import_names"))]
        mappings = await conn.fetch(sql("field_mappings_review"), imports)
    result = {
        "agents": with_agents, "status": final.status if final else "unknown",
        "errors": {p: s["error"] for p, s in final.phase_summaries.items() if "error" in s} if final else {},
        "total_seconds": end - launched, "load_average_1min": [load_before, os.getloadavg()[0]],
        "phases": {phase: timing["seconds"] for phase, timing in phase_timings(samples, end).items()},
        "assets": assets, "waves": waves, "mapping_review": reviews, "poll_errors": errors[:3],
        "german_export_mappings": {m["source_field"]: f"{m['target_field']} ({m['source']}, {m['status']})"
                                   for m in mappings if m["file_name"] == GERMAN_FILE},
        "advice": {phase: (final.phase_summaries.get(phase, {}) if final else {}).get(step, {}).get("agents")
                   for phase, step in ADVISED_STEPS},
    }
    if not with_agents:
        return result
    reported = server_usage(server.calls)
    activity_seconds = await crew_activity_seconds(client, engagement_id)
    crews: dict[str, dict[str, Any]] = {}
    for crew in CREWS:
        logged = [r for r in calls if r["agent_name"] == crew]
        usage = {key: sum(int(r[key]) for r in logged) for key in
                 ("calls", "failed_calls", "prompt_tokens", "completion_tokens", "cached_tokens")}
        server_side = reported.get(crew, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0,
                                          "prompt_tokens_per_call": []})
        per_call = server_side["prompt_tokens_per_call"]
        crews[crew] = {
            "phase": ",".join(sorted({r["phase"] for r in logged})) or None,
            "tasks": {r["status"]: int(r["tasks"]) for r in tasks if r["agent_name"] == crew},
            **usage,
            "recorded_cost_usd": float(sum(r["cost_usd"] for r in logged)),
            "server_reported": {k: server_side[k] for k in ("calls", "prompt_tokens", "completion_tokens",
                                                             "cached_tokens")},
            "equal_to_server": all(usage[k] == server_side[k] for k in ("calls", "prompt_tokens", "completion_tokens",
                                                                         "cached_tokens")),
            "prompt_tokens_per_call": {"min": min(per_call, default=0), "max": max(per_call, default=0),
                                       "median": statistics.median(per_call) if per_call else 0,
                                       "shared_prefix": server_side.get("shared_prefix_tokens")},
            "activity_seconds": activity_seconds.get(crew, 0.0),
            "cost_per_1000_assets_usd": {n: cost_usd(usage, p) * 1000 / assets if assets else None
                                         for n, p in args.price},
        }
    total = {key: sum(c[key] for c in crews.values()) for key in
             ("calls", "failed_calls", "prompt_tokens", "completion_tokens", "cached_tokens", "recorded_cost_usd",
              "activity_seconds")}
    total["equal_to_server"] = all(c["equal_to_server"] for c in crews.values()) and \
        total["calls"] == len(server.calls)
    total["cost_per_1000_assets_usd"] = {n: cost_usd(total, p) * 1000 / assets if assets else None
                                         for n, p in args.price}
    total["recomputed_cost_usd"] = cost_usd(total, args.price[0][1])
    return {**result, "crews": crews, "total": total}


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The stack, the loopback model and a worker; then, per size, the engagement without and with agents."""
    from db.pool import create_pool
    from domain.discovery.sample_inventory import generate_inventory, write_csv
    from runtime.devstack import ensure_stack
    from runtime.logging import configure_logging
    from runtime.settings import get_settings
    from runtime.temporal_client import connect_client, ensure_search_attributes
    from tests.openai_compatible_server import running_server
    from tests.recorded_model import every_crew
    from worker import build_worker

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    start = time.perf_counter()
    import agents.crew  # noqa: F401  (crewai, imported once per worker process: not counted in the first crew)

    crewai_import = time.perf_counter() - start
    start = time.perf_counter()
    endpoints = await ensure_stack(settings)
    report: dict[str, Any] = {"crewai_import_seconds": crewai_import, "stack_start_seconds": time.perf_counter() - start,
                              "prices_usd_per_mtok": dict(args.price), "max_subjects": args.max_subjects,
                              "sizes": {}}
    client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace)
    await ensure_search_attributes(client)
    pool = await create_pool(endpoints.database_url, max_size=10)
    try:
        with running_server(args.model_port) as server:
            server.responder = every_crew
            queue = f"bench-agents-{uuid.uuid4().hex[:8]}"
            ctx = {"client": client, "pool": pool, "server": server, "args": args, "queue": queue}
            async with build_worker(client, pool, queue):
                for servers in args.servers:
                    folder = work / str(servers)
                    folder.mkdir()
                    rows = generate_inventory(servers, seed=args.seed)
                    files = [folder / "inventory.csv", folder / GERMAN_FILE]
                    write_csv(rows, files[0])
                    write_german_export(rows, files[1])
                    del rows
                    baseline = await engagement(ctx, servers, files, with_agents=False)
                    agents = await engagement(ctx, servers, files, with_agents=True)
                    report["sizes"][str(servers)] = {"without_agents": baseline, "with_agents": agents}
                    print(f"{servers} servers: without agents {baseline['status']} in {baseline['total_seconds']:.1f}"
                          f" s, with agents {agents['status']} in {agents['total_seconds']:.1f} s", file=sys.stderr)
    finally:
        use_agents(None, args.price[0][1], None)
        await pool.close()
    return report


def print_report(r: dict[str, Any], prices: list[tuple[str, dict[str, float]]]) -> None:
    names = [n for n, _ in prices]
    print(f"\nstack ready in {r['stack_start_seconds']:.1f} s; crewai imported in {r['crewai_import_seconds']:.1f} s "
          f"(before the engagements); prices (USD per million tokens in/cached/out): "
          + "; ".join(f"{n} {p['input']:g}/{p['cached']:g}/{p['output']:g}" for n, p in prices)
          + f"; subjects per crew per run: {r['max_subjects'] or 'platform default (200)'}")
    for servers, size in r["sizes"].items():
        base, agents = size["without_agents"], size["with_agents"]
        print(f"\n== {servers} servers: {agents['assets']} assets, {agents['waves']} waves")
        for run in (base, agents):
            label = "with agents" if run["agents"] else "without agents (baseline)"
            stopped = f" (stopped: {run['errors']})" if run["errors"] else ""
            print(f"{label}: {run['status']}{stopped} in {run['total_seconds']:.1f} s (1-min load average "
                  f"{run['load_average_1min'][0]:.1f} -> {run['load_average_1min'][1]:.1f}); phases "
                  + ", ".join(f"{p} {s:.1f} s" for p, s in run["phases"].items())
                  + f"; mapping review: {', '.join(run['mapping_review']) or 'none'}; the German export's "
                  f"columns: {run['german_export_mappings']}")
        print("time with agents / without: total "
              f"{agents['total_seconds'] / base['total_seconds']:.2f}x; "
              + ", ".join(f"{p} {agents['phases'][p] / s:.2f}x" for p, s in base["phases"].items()
                          if p in agents["phases"] and s))
        header = (f"{'crew':<12}{'phase':<11}{'tasks':>16}{'calls':>6}{'prompt':>9}{'compl.':>8}{'cached':>7}"
                  f"{'= server':>9}{'act. s':>8}" + "".join(f"{'$/1k ' + n:>20}" for n in names))
        print(header)
        for crew, c in [*agents["crews"].items(), ("total", agents["total"])]:
            tasks = ",".join(f"{k} {v}" for k, v in c.get("tasks", {}).items()) or "-"
            print(f"{crew:<12}{c.get('phase') or '':<11}{tasks:>16}{c['calls']:>6}{c['prompt_tokens']:>9,}"
                  f"{c['completion_tokens']:>8,}{c['cached_tokens']:>7,}{'yes' if c['equal_to_server'] else 'NO':>9}"
                  f"{c['activity_seconds']:>8.1f}"
                  + "".join(f"{c['cost_per_1000_assets_usd'][n] or 0:>20.5f}" for n in names))
        print("prompt tokens per call, min/median/max (the prefix all the crew's calls share): " + "; ".join(
            f"{crew} {c['prompt_tokens_per_call']['min']}/{c['prompt_tokens_per_call']['median']:g}/"
            f"{c['prompt_tokens_per_call']['max']} ({c['prompt_tokens_per_call']['shared_prefix'] or '-'})"
            for crew, c in agents["crews"].items()))
        t = agents["total"]
        print(f"cost the platform recorded at {names[0]}: {t['recorded_cost_usd']:.6f} USD "
              f"(recomputed from the tokens: {t['recomputed_cost_usd']:.6f}); advice: {agents['advice']}")
    sizes = list(r["sizes"])
    for small, large in zip(sizes, sizes[1:]):
        a, b = r["sizes"][small]["with_agents"], r["sizes"][large]["with_agents"]
        print(f"\n{large} / {small} servers: assets {b['assets'] / a['assets']:.2f}x, waves {b['waves'] / a['waves']:.2f}x")
        for crew in [*CREWS, "total"]:
            x, y = (a["total"], b["total"]) if crew == "total" else (a["crews"][crew], b["crews"][crew])
            print(f"  {crew:<12} calls {ratio(y['calls'], x['calls'])}, prompt tokens "
                  f"{ratio(y['prompt_tokens'], x['prompt_tokens'])}, completion tokens "
                  f"{ratio(y['completion_tokens'], x['completion_tokens'])}")


def ratio(large: float, small: float) -> str:
    return f"{large / small:.2f}x" if small else "-"


class OneLineParser(argparse.ArgumentParser):
    """Bad usage answers in one line (what is wrong, and where to look), not with the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}; see --help\n")


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m bench.agents", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[1000], help="servers in the generated inventory; "
                        "several sizes are run in turn and compared (e.g. 200 1000)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated inventory")
    parser.add_argument("--price", type=price_option, action="append",
                        help="NAME=IN/CACHED/OUT in USD per million tokens, repeatable (default: "
                             + ", ".join(DEFAULT_PRICES) + "; see the docstring for their source and date)")
    parser.add_argument("--max-subjects", type=int, help="MIGRATION_AGENT_MAX_SUBJECTS for the crews "
                                                         "(default: the platform's, 200)")
    parser.add_argument("--wave-concurrency", type=int, default=10, help="waves executed side by side")
    parser.add_argument("--ports", type=port_range, help="take the servers' ports from FIRST-LAST (default: any "
                                                         "free ports)")
    parser.add_argument("--data-dir", type=Path, help="embedded services' data (kept); default a temporary folder")
    parser.add_argument("--json-out", type=Path, help="also write the numbers as JSON to this file")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.servers):
        parser.error("--servers takes sizes of at least 1")
    if args.max_subjects is not None and not 1 <= args.max_subjects <= 100_000:
        parser.error("--max-subjects must be between 1 and 100000")
    args.price = args.price or [price_option(p) for p in DEFAULT_PRICES]
    from agents.config import crewai_installed

    if not crewai_installed():
        parser.error("crewai is not installed: install the agents extra (make setup AGENTS=1)")

    stack_ports, args.model_port = [], 0
    if args.ports:
        *stack_ports, args.model_port = free_ports(args.ports, len(PORT_VARIABLES) + 1)
    work = Path(tempfile.mkdtemp(prefix="bench-agents-"))
    configure_environment((args.data_dir or work / "data").resolve())
    os.environ.update({variable: str(port) for variable, port in zip(PORT_VARIABLES, stack_ports)})
    from runtime.devstack import stop_stack  # only now: settings are read once, from this environment
    from runtime.settings import get_settings

    try:
        report = asyncio.run(run(args, work))
    finally:
        stop_stack(get_settings())
        shutil.rmtree(work, ignore_errors=True)
        if work.exists():
            print(f"warning: could not delete {work}", file=sys.stderr)
    report["machine"] = machine()
    print_report(report, args.price)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, default=str))
    runs = [run for size in report["sizes"].values() for run in size.values()]
    ok = all(run["status"] == "completed" for run in runs) and all(
        run["total"]["equal_to_server"] for run in runs if run["agents"])
    return 0 if ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown, which can abort with a live Temporal client (sdk-python #300)
