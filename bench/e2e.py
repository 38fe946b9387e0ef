"""End to end: one engagement of N generated servers through all four phases, auto-approved.

Runs on an embedded PostgreSQL + Temporal of its own (a temporary data directory, free ports) unless
DATABASE_URL / TEMPORAL_ADDRESS are set, with an in-process worker; stops what it started at the end.
Baseline, measured in the same run on the same server and client: a trivial one-activity workflow.
Execution runs the bundled runbooks with the dry-run executor; the engagement's owner completes and approves
the steps that wait for a person as they come (runtime.answer_steps), and the waves run as soon as they may
(not on their planned dates), `--wave-concurrency` at a time. Several sizes (`--servers 10000 100000`) run one
after another on the same stack, each its own engagement, so their per-asset times compare on one commit and load.
Peak memory is sampled while each engagement runs: this process (worker and driver) and the PostgreSQL and
Temporal servers' process trees.

    .venv/bin/python -m bench.e2e [--servers 10000 [100000 ...]] [--wave-concurrency 10] [--data-dir DIR]
                                  [--json-out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psutil
from temporalio import activity, workflow
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

POLL_SECONDS = 0.25
# PSS comes from /proc/<pid>/smaps_rollup, which costs the kernel a page-table walk per process (18 % of this
# process's samples at one a second during a 100k run, py-spy): every 5 s keeps the cost small.
MEMORY_SAMPLE_SECONDS = 5.0
BASELINE_RUNS = 20
TERMINAL = ("completed", "failed", "cancelled")
PORT_VARIABLES = ("MIGRATION_PG_PORT", "MIGRATION_TEMPORAL_PORT", "MIGRATION_TEMPORAL_UI_PORT")

Sample = tuple[float, str | None, str | None, str]  # (perf_counter, phase, step, status)


@activity.defn(name="bench.noop")
async def noop() -> None:
    """The baseline's activity: returns at once."""


@workflow.defn(name="BenchTrivialWorkflow")
class TrivialWorkflow:
    """The baseline: one activity that does nothing, so its time is Temporal's round trips only."""

    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))


def configure_environment(data_dir: Path) -> None:
    """Point the embedded stack at `data_dir` and at free ports; must run before settings are read."""
    os.environ["MIGRATION_DATA_DIR"] = str(data_dir)
    sockets = [socket.socket() for _ in PORT_VARIABLES]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        for variable, sock in zip(PORT_VARIABLES, sockets):
            os.environ[variable] = str(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def machine() -> dict[str, Any]:
    """What the numbers were measured on, and when."""
    return {"nproc": os.cpu_count(), "ram_gib": psutil.virtual_memory().total / 2**30,
            "python": platform.python_version(), "platform": platform.platform(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def tree_memory_mib(root_pid: int) -> tuple[float, float]:
    """(Sum of PSS, sum of RSS) in MiB of process `root_pid` and all its descendants; (0, 0) once it is gone.

    PSS counts a page shared by n processes 1/n in each, so PostgreSQL's shared buffers count once in the sum;
    the RSS sum counts them once per backend that touched them (an upper bound).
    """
    try:
        root = psutil.Process(root_pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0
    pss = rss = 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:  # a backend that just ended
            continue
        pss, rss = pss + info.pss, rss + info.rss
    return pss / 2**20, rss / 2**20


class PeakMemory:
    """Peak memory while an engagement runs, sampled every MEMORY_SAMPLE_SECONDS in a thread: this process's RSS
    (an in-process worker and the driver) and the named process trees' summed PSS and RSS (`trees`: name -> root
    pid, e.g. the PostgreSQL and Temporal servers, worker processes)."""

    def __init__(self, trees: dict[str, int | None]) -> None:
        self.trees = trees
        self.peak: dict[str, float] = {"worker_rss_mib": 0.0}
        self.samples = 0
        self._task: asyncio.Task | None = None

    def sample(self) -> None:
        self.samples += 1
        own = psutil.Process().memory_info().rss / 2**20
        self.peak["worker_rss_mib"] = max(self.peak["worker_rss_mib"], own)
        for name, pid in self.trees.items():
            if pid is None:
                continue
            pss, rss = tree_memory_mib(pid)
            self.peak[f"{name}_pss_mib"] = max(self.peak.get(f"{name}_pss_mib", 0.0), pss)
            self.peak[f"{name}_rss_sum_mib"] = max(self.peak.get(f"{name}_rss_sum_mib", 0.0), rss)

    async def _loop(self) -> None:
        while True:
            await asyncio.to_thread(self.sample)
            await asyncio.sleep(MEMORY_SAMPLE_SECONDS)

    async def __aenter__(self) -> PeakMemory:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self.sample()


def server_cpu_seconds(pids: dict[str, int | None]) -> dict[str, float]:
    """CPU seconds so far of each server's process tree (`pids`: name -> root pid): its live processes' own
    time plus what its ended children (PostgreSQL's backends) used, as reaped by the root."""
    found = {}
    for name, pid in pids.items():
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
            root_times = root.cpu_times()
        except psutil.Error:
            continue
        total = root_times.children_user + root_times.children_system
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        found[name] = total
    return found


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds of this process, busy CPU seconds of the whole machine) so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    machine = psutil.cpu_times()
    return own.ru_utime + own.ru_stime, sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)


async def keep_answering(client: Any, pool: Any, ref: Any, person: Any, done: asyncio.Event, errors: list[str],
                         *, interval: float) -> None:
    """runtime.answer_steps.answer_until, started again after an error (say a query to a starved worker that timed
    out), which is noted in `errors`: otherwise its task dies unseen and the waves wait for a person forever."""
    from runtime.answer_steps import answer_until

    while not done.is_set():
        try:
            await answer_until(client, pool, ref, person, done, interval=interval)
        except Exception as err:  # noqa: BLE001 - the benchmark's person notes the failure and answers again
            errors.append(f"answering for {ref.name}: {type(err).__name__}: {err}")
            await asyncio.sleep(interval)


async def baseline(client: Any, task_queue: str) -> list[float]:
    """Milliseconds of BASELINE_RUNS sequential trivial workflows, after one unmeasured warm-up."""
    times = []
    for _ in range(BASELINE_RUNS + 1):
        start = time.perf_counter()
        await client.execute_workflow(TrivialWorkflow.run, id=f"bench-trivial-{uuid.uuid4()}", task_queue=task_queue)
        times.append((time.perf_counter() - start) * 1000)
    return times[1:]


async def watch(client: Any, ref: Any, timeout: float) -> tuple[list[Sample], Any, list[str]]:
    """Poll the master's status query; keep a sample whenever phase, step or status changes."""
    from runtime import engagement_control as control

    samples: list[Sample] = []
    errors: list[str] = []
    final = None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            final = await control.status(client, ref)
        except (RPCError, WorkflowQueryFailedError, control.ControlError) as err:  # e.g. a starved worker
            errors.append(f"{type(err).__name__}: {err}")
        else:
            key = (final.phase, final.step, final.status)
            if not samples or samples[-1][1:] != key:
                samples.append((time.perf_counter(), *key))
            if final.status in TERMINAL:
                break
        await asyncio.sleep(POLL_SECONDS)
    return samples, final, errors


def phase_timings(samples: list[Sample], end: float) -> dict[str, dict[str, Any]]:
    """Each phase's wall time and its steps' times, from when `phase` and `step` changed.

    `step` names the last *completed* step (after its transition is recorded), so a step's time runs
    from the previous change to its own; steps that completed between two polls are reported
    together ("a+b"). The time after the last step seen until the next phase is labelled with the
    steps not seen yet and "close" (phase_completed, auto-approval, the next phase_started).
    """
    from domain.vocabulary import PHASE_STEPS

    starts: dict[str, float] = {}
    for t, phase, _, _ in samples:
        if phase is not None:
            starts.setdefault(phase, t)
    order = list(starts)
    result = {}
    for i, phase in enumerate(order):
        finish = starts[order[i + 1]] if i + 1 < len(order) else end
        names = PHASE_STEPS[phase]
        steps: dict[str, float] = {}
        mark, done = starts[phase], 0
        for t, p, step, _ in samples:
            if p != phase or step is None or names.index(step) < done:
                continue
            steps["+".join(names[done:names.index(step) + 1])] = t - mark
            mark, done = t, names.index(step) + 1
        steps["+".join((*names[done:], "close"))] = finish - mark
        result[phase] = {"seconds": finish - starts[phase], "steps": steps}
    return result


async def run(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """Set up the stack, then measure each size in turn: the baseline, then an engagement end to end."""
    from runtime.devstack import embedded_postgres, embedded_temporal, ensure_stack
    from runtime.logging import configure_logging
    from runtime.settings import get_settings
    from runtime.temporal_client import connect_client, ensure_search_attributes

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    start = time.perf_counter()
    endpoints = await ensure_stack(settings)
    stack = {"start_seconds": time.perf_counter() - start, "temporal": endpoints.temporal_address,
             "embedded_postgres": endpoints.embedded_postgres, "embedded_temporal": endpoints.embedded_temporal}
    servers = {"postgres": embedded_postgres(settings).status().pid if endpoints.embedded_postgres else None,
               "temporal": embedded_temporal(settings).status().pid if endpoints.embedded_temporal else None}
    client = await connect_client(endpoints.temporal_address, endpoints.temporal_namespace)
    await ensure_search_attributes(client)
    from db.pool import create_pool

    pool = await create_pool(endpoints.database_url, max_size=10)
    reports = []
    try:
        for size in args.servers:
            report = await run_engagement(args, size, client, pool, servers, work / f"inventory-{size}.csv")
            reports.append({"stack": stack, **report})
    finally:
        await pool.close()
    return reports


async def run_engagement(args: argparse.Namespace, size: int, client: Any, pool: Any, servers: dict[str, int | None],
                         csv_path: Path) -> dict[str, Any]:
    """One engagement of `size` generated servers through all four phases, with the baseline just before it."""
    from temporalio.worker import Worker

    from db import tenancy
    from db.pool import tenant_transaction
    from db.queries import sql
    from domain.discovery.sample_inventory import generate_inventory, write_csv
    from domain.vocabulary import PHASES
    from runtime import engagement_control as control
    from worker import build_worker

    report: dict[str, Any] = {"servers": size}
    start = time.perf_counter()
    rows = generate_inventory(size, seed=args.seed)
    report["inventory_generation_seconds"] = time.perf_counter() - start
    write_csv(rows, csv_path)
    del rows
    report["inventory_csv_mib"] = csv_path.stat().st_size / 2**20

    suffix = uuid.uuid4().hex[:8]
    client_id = await tenancy.create_client(pool, f"Bench client {suffix}")
    name = f"e2e {size} servers {suffix}"
    execution = {"honour_planned_dates": False, "wave_concurrency": args.wave_concurrency}
    report["execution_settings"] = execution
    engagement_id = await tenancy.create_engagement(pool, client_id, name, start_date=date.today(),
                                                    execution=execution)
    ref = tenancy.EngagementRef(engagement_id, client_id, name)
    owner = await tenancy.ensure_user(pool, f"owner-{suffix}@bench.example")
    await tenancy.add_member(pool, ref, owner, "owner")
    queue = f"bench-e2e-{suffix}"
    trivial_worker = Worker(client, task_queue=f"{queue}-trivial", workflows=[TrivialWorkflow], activities=[noop])
    async with build_worker(client, pool, queue), trivial_worker:
        trivial = await baseline(client, f"{queue}-trivial")
        report["baseline"] = {
            "runs": len(trivial), "median_ms": statistics.median(trivial),
            "p95_ms": statistics.quantiles(trivial, n=20, method="inclusive")[18],
            "min_ms": min(trivial), "max_ms": max(trivial),
        }
        load_before = os.getloadavg()[0]
        cpu_before, servers_before = cpu_seconds(), server_cpu_seconds(servers)
        async with PeakMemory(servers) as peak:
            launched = time.perf_counter()
            await control.launch(client, pool, ref, [csv_path], queue, auto_approve=PHASES)
            started = time.perf_counter()
            answered = asyncio.Event()
            answer_errors: list[str] = []
            people = asyncio.create_task(keep_answering(client, pool, ref, owner, answered, answer_errors,
                                                        interval=0.2))
            samples, final, errors = await watch(client, ref, args.timeout)
            answered.set()
            await people
            errors += answer_errors
            end = next((t for t, *_, status in samples if status in TERMINAL), time.perf_counter())
        cpu_after, servers_after = cpu_seconds(), server_cpu_seconds(servers)
        report["peak_memory"] = {**peak.peak, "samples": peak.samples, "interval_seconds": MEMORY_SAMPLE_SECONDS}
        if final is not None and final.status != "completed" and await control.is_running(client, ref):
            await control.cancel(client, pool, ref)
    async with tenant_transaction(pool, client_id, engagement_id) as conn:
        assets = await conn.fetchval(sql("assets_count"))
        waves = await conn.fetch(sql("waves_report"))
        step_runs = await conn.fetchval("SELECT count(*) FROM migration.step_runs")
        schedule = await conn.fetch(sql("execution_waves_schedule"), True)
    report["histories"] = await largest_histories(client, engagement_id)

    total = end - launched
    phases = phase_timings(samples, end)
    report["engagement"] = {
        "status": final.status if final else "unknown",
        "phase_reached": final.phase if final else None,
        "errors": {p: s["error"] for p, s in final.phase_summaries.items() if "error" in s} if final else {},
        "total_seconds": total,
        "launch_seconds": started - launched,
        "startup_seconds": next((t for t, phase, *_ in samples if phase), end) - started,
        "phases": phases,
        "assets": assets,
        "assets_migrated": final.asset_count if final else None,
        "waves": len(waves),
        "step_runs": step_runs,
        "longest_wave_chain": longest_chain({r["wave_number"]: r["depends_on"] for r in schedule}),
        "assets_in_waves": sum(w["asset_count"] or 0 for w in waves),
        "ratio_to_trivial_median": total * 1000 / report["baseline"]["median_ms"],
        "ms_per_asset": total * 1000 / assets if assets else None,
    }
    report["cpu"] = {
        "process_seconds": cpu_after[0] - cpu_before[0],
        "machine_busy_seconds": cpu_after[1] - cpu_before[1],
        "machine_capacity_seconds": total * (os.cpu_count() or 1),
        "load_average_1min": [load_before, os.getloadavg()[0]],
        "servers_seconds": {k: servers_after[k] - servers_before[k] for k in servers_after},
    }
    report["poll_errors"] = errors
    return report


def scaling(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each size's per-asset times against the first (smallest) size's: total and per phase; 1.0 is linear."""
    first = reports[0]["engagement"]
    rows = []
    for r in reports[1:]:
        e = r["engagement"]
        if not (e["assets"] and first["assets"]):
            continue
        per_asset = {phase: (t["seconds"] / e["assets"]) / (first["phases"][phase]["seconds"] / first["assets"])
                     for phase, t in e["phases"].items() if phase in first["phases"]}
        rows.append({"servers": r["servers"], "against": reports[0]["servers"],
                     "total": (e["total_seconds"] / e["assets"]) / (first["total_seconds"] / first["assets"]),
                     "phases": per_asset})
    return rows


def longest_chain(depends_on: dict[int, list[int]]) -> int:
    """How many waves the longest chain of waves depending on each other holds (what no concurrency shortens)."""
    length: dict[int, int] = {}
    for wave in sorted(depends_on):
        length[wave] = 1 + max((length.get(d, 1) for d in depends_on[wave]), default=0)
    return max(length.values(), default=0)


async def largest_histories(client: Any, engagement_id: uuid.UUID) -> dict[str, Any]:
    """The event counts of the engagement's workflows' histories: the largest, and how many workflows."""
    from workflows.ids import master_workflow_id, phase_workflow_id

    ids = [master_workflow_id(engagement_id), *(phase_workflow_id(engagement_id, p) for p in
                                                ("discovery", "assessment", "planning", "execution"))]
    ids += [w.id async for w in client.list_workflows(f"EngagementId = '{engagement_id}'") if "/wave-" in w.id]
    counts: dict[str, int] = {}
    wave_seconds: list[float] = []
    activity_seconds: dict[str, float] = {}
    for workflow_id in ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        counts[workflow_id] = len(history.events)
        if "/wave-" not in workflow_id:
            continue
        events = history.events
        wave_seconds.append((events[-1].event_time.ToDatetime() - events[0].event_time.ToDatetime()).total_seconds())
        scheduled = {}
        for event in events:  # where a wave's time goes: each activity type, scheduled to completed
            if event.HasField("activity_task_scheduled_event_attributes"):
                scheduled[event.event_id] = (event.activity_task_scheduled_event_attributes.activity_type.name,
                                             event.event_time.ToDatetime())
            elif event.HasField("activity_task_completed_event_attributes"):
                name, at = scheduled[event.activity_task_completed_event_attributes.scheduled_event_id]
                activity_seconds[name] = activity_seconds.get(name, 0.0) + (
                    event.event_time.ToDatetime() - at).total_seconds()
    largest = max(counts, key=counts.get)
    waves = [n for i, n in counts.items() if "/wave-" in i]
    return {"workflows": len(counts), "largest": largest, "largest_events": counts[largest],
            "wave_median_events": statistics.median(waves) if waves else None, "wave_max_events": max(waves, default=0),
            "wave_median_seconds": statistics.median(wave_seconds) if wave_seconds else None,
            "wave_activity_seconds": {k: round(v, 2) for k, v in sorted(activity_seconds.items(),
                                                                          key=lambda kv: -kv[1])}}


def print_report(r: dict[str, Any]) -> None:
    b, e = r["baseline"], r["engagement"]
    total = e["total_seconds"]
    print(f"\n== {r['servers']:,} servers ==\ninventory generated in {r['inventory_generation_seconds']:.2f} s "
          f"(not counted), CSV {r['inventory_csv_mib']:.1f} MiB; stack ready in {r['stack']['start_seconds']:.1f} s")
    print(f"baseline (trivial one-activity workflow, {b['runs']} sequential runs): "
          f"median {b['median_ms']:.1f} ms, p95 {b['p95_ms']:.1f} ms (min {b['min_ms']:.1f}, max {b['max_ms']:.1f})")
    stopped = f" (stopped in {e['phase_reached']}: {e['errors']})" if e["errors"] else ""
    print(f"\nengagement: {e['status']}{stopped}")
    rows = [("launch (upload CSV, start)", e["launch_seconds"]),
            ("start-up (context, flow_started)", e["startup_seconds"])]
    for phase, timing in e["phases"].items():
        rows.append((phase, timing["seconds"]))
        rows += [(f"  {step}", seconds) for step, seconds in timing["steps"].items()]
    print(f"{'phase / step':<44}{'seconds':>9}{'share':>8}")
    for label, seconds in rows:
        print(f"{label:<44}{seconds:>9.2f}{seconds / total:>8.1%}")
    print(f"{'total (launch to completed)':<44}{total:>9.2f}{1:>8.0%}")
    print(f"\nratio to the trivial workflow's median: {e['ratio_to_trivial_median']:,.0f}x; "
          f"{e['ms_per_asset'] or 0:.2f} ms per asset")
    print(f"assets: {e['assets']} (migrated {e['assets_migrated']}); waves: {e['waves']} "
          f"holding {e['assets_in_waves']} assets (longest chain of dependent waves: {e['longest_wave_chain']}); "
          f"{e['step_runs']} runbook step runs; execution settings "
          f"{r['execution_settings']}")
    h = r["histories"]
    print(f"histories: {h['workflows']} workflows; largest {h['largest_events']} events ({h['largest']}); "
          f"waves: median {h['wave_median_events']} events, max {h['wave_max_events']}")
    print(f"a wave takes {h['wave_median_seconds']:.2f} s median from start to close; its activities, scheduled to "
          f"completed, summed over the waves: {h['wave_activity_seconds']}")
    m = r["peak_memory"]
    servers = "; ".join(f"{name} process tree {m[f'{name}_pss_mib']:.0f} MiB PSS summed "
                        f"({m[f'{name}_rss_sum_mib']:.0f} MiB RSS summed)"
                        for name in ("postgres", "temporal") if f"{name}_pss_mib" in m)
    print(f"peak memory during the engagement ({m['samples']} samples, every {m['interval_seconds']:.0f} s): "
          f"this process (in-process worker AND benchmark driver) {m['worker_rss_mib']:.0f} MiB RSS; {servers}")
    c = r["cpu"]
    print(f"CPU during the engagement: this process {c['process_seconds']:.1f} s, whole machine "
          f"{c['machine_busy_seconds']:.1f} s busy of {c['machine_capacity_seconds']:.1f} s available "
          f"(1-min load average {c['load_average_1min'][0]:.2f} before, {c['load_average_1min'][1]:.2f} after); "
          f"servers: {', '.join(f'{k} {v:.1f} s' for k, v in c['servers_seconds'].items())}")
    if r["poll_errors"]:
        print(f"status query errors ({len(r['poll_errors'])}): {r['poll_errors'][:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[10000],
                        help="servers in the generated inventory; several sizes run one after another")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated inventory")
    parser.add_argument("--wave-concurrency", type=int, default=10, help="waves executed side by side")
    parser.add_argument("--data-dir", type=Path, help="embedded services' data (kept); default a temporary folder")
    parser.add_argument("--json-out", type=Path, help="also write the numbers as JSON to this file")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up on the engagement after this many s")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    configure_environment((args.data_dir or work / "data").resolve())
    from runtime.devstack import stop_stack  # only now: settings are read once, from this environment
    from runtime.settings import get_settings

    try:
        reports = asyncio.run(run(args, work))
    finally:
        stop_stack(get_settings())
        shutil.rmtree(work, ignore_errors=True)
        if work.exists():
            print(f"warning: could not delete {work}", file=sys.stderr)
    for report in reports:
        report["machine"] = machine()
        print_report(report)
    ratios = scaling(reports)
    for row in ratios:
        phases = ", ".join(f"{phase} {ratio:.2f}" for phase, ratio in row["phases"].items())
        print(f"\nper-asset time at {row['servers']:,} / at {row['against']:,} servers (1.00 = linear): "
              f"total {row['total']:.2f}; {phases}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"runs": reports, "scaling": ratios}, indent=2, default=str))
    return 0 if all(r["engagement"]["status"] == "completed" for r in reports) else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown, which can abort with a live Temporal client (sdk-python #300)
