"""Real-world corpus: what discovery gets from real exports others committed, fact by fact.

    .venv/bin/python -m bench.realworld [--file NAME ...] [--data-dir DIR]

Every file of `tests/fixtures/corpus` (sources, licences and sha256 in its LICENSE-NOTES.md) is
imported on its own into a fresh engagement through the real discovery activities, exactly as
`tests/discovery_harness.run_discovery` runs them (a real PostgreSQL, Temporal's
`ActivityEnvironment`; columns left for review are accepted as suggested, as `mappings approve`
does). Then the facts an importer should get from the file (`CORPUS`, taken from the corpus's
SOURCES.md) are compared with what the inventory holds. A layout the product leaves out of scope
counts as met only when discovery refuses it with a reason that names the file and is not the
generic "every row was quarantined". The script starts its own embedded PostgreSQL (a temporary data
directory, free ports; `DATABASE_URL` / `DATABASE_OWNER_URL` when set) and stops it at the end.

`tests/test_corpus.py` imports `CORPUS` and `measure_file` and asserts the facts met today.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_INPUT
from bench.e2e import configure_environment
from bench.ingest import git_revision
from db.tenancy import EngagementRef
from tests.discovery_harness import rows, run_discovery

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"
ASSETS = ("SELECT name, asset_type, fqdn, application_name, wave_number, requested_wave, target_region, cpu_cores, memory_gb,"
          " disk_count, jsonb_array_length(ip_addresses) AS ip_count, power_state, host_name, operating_system,"
          " business_owner, technical_owner, tags, custom_attributes, storage_gb FROM migration.assets ORDER BY name")
EDGES = ("SELECT s.name AS source, s.asset_type AS source_type, t.name AS target, t.asset_type AS target_type,"
         " d.port, d.dependency_type FROM migration.asset_dependencies d"
         " JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id")
CONFLICTS = "SELECT field, kept_value, incoming_value FROM migration.asset_merge_conflicts"
RAW_RECORDS = "SELECT count(*) AS n FROM migration.raw_import_records"


@dataclass
class Outcome:
    """What one import left behind: the refusal (or crash) if any, the step summaries and the inventory."""

    refusal: str | None = None
    crash: str | None = None
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    raw_records: int = 0

    def of_type(self, asset_type: str) -> list[dict[str, Any]]:
        return [a for a in self.assets if a["asset_type"] == asset_type]


@dataclass(frozen=True)
class Fact:
    """One thing an importer should get from a file: a label, the expected value and how to read the actual one."""

    label: str
    expected: Any
    actual: Callable[[Outcome], Any]


@dataclass(frozen=True)
class CorpusFile:
    """A corpus file, its facts, and (for a dependency export) the machine names an earlier import brings."""

    name: str
    facts: tuple[Fact, ...]
    out_of_scope: str | None = None
    inventory_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    fact: Fact
    actual: Any

    @property
    def met(self) -> bool:
        return self.actual == self.fact.expected


# ---------------------------------------------------------------------------------------------- how facts are read
def count(asset_type: str) -> Callable[[Outcome], int]:
    return lambda o: len(o.of_type(asset_type))


def distinct(column: str, asset_type: str | None = None) -> Callable[[Outcome], int]:
    return lambda o: len({a[column] for a in o.assets
                          if a[column] is not None and asset_type in (None, a["asset_type"])})


def total(column: str) -> Callable[[Outcome], float]:
    return lambda o: float(sum(a[column] or 0 for a in o.assets))


def tally(column: str) -> Callable[[Outcome], dict[str, int]]:
    return lambda o: dict(Counter(str(a[column]) for a in o.assets))


def names(asset_type: str) -> Callable[[Outcome], list[str]]:
    return lambda o: sorted(a["name"] for a in o.of_type(asset_type))


def edges_to(target_type: str) -> Callable[[Outcome], int]:
    return lambda o: sum(e["target_type"] == target_type or e["source_type"] == target_type for e in o.edges)


def edge_pairs(o: Outcome) -> list[tuple[str, str]]:
    return sorted((e["source"], e["target"]) for e in o.edges)


def edge_ports(o: Outcome) -> list[int | None]:
    return sorted(e["port"] for e in o.edges)


def summary(step: str, key: str) -> Callable[[Outcome], Any]:
    return lambda o: o.summaries.get(step, {}).get(key)


def refused_clearly(file_name: str) -> Callable[[Outcome], bool]:
    """Refused in words that name the file and say more than that every row was quarantined."""
    return lambda o: bool(o.refusal and file_name in o.refusal and "quarantined" not in o.refusal)


def tags_of(asset_name: str) -> Callable[[Outcome], dict[str, Any]]:
    return lambda o: next((a["tags"] for a in o.assets if a["name"] == asset_name), {})


def with_owner(o: Outcome) -> int:
    return sum(bool(a["business_owner"] or a["technical_owner"]) for a in o.assets)


def with_contributors(number: int) -> Callable[[Outcome], int]:
    """Assets whose `Name <e-mail>` contributors, wherever kept, number `number`."""
    def read(o: Outcome) -> int:
        return sum(str(a["custom_attributes"].get("Contributors", "")).count("<") == number for a in o.assets)
    return read


def conflicts_recorded(o: Outcome) -> bool:
    return bool(o.conflicts)


def phantoms(targets: tuple[str, ...]) -> Callable[[Outcome], int]:
    return lambda o: sum(a["name"] in targets for a in o.assets)


# ---------------------------------------------------------------------------------------------- the corpus
_PAYG = "azure-docs-powershell-samples__As is PAYG.xlsx"
_APP_INVENTORY = "azure-docs-powershell-samples__Application Inventory Export Sample.xlsx"
_DEPENDENCIES = "azure-migrate-move-group-planner__dependency-export-sample.csv"
_VCENTER_NAMES = ("Node-9a717861-ff02-4fcf-8619-c83e4b058544-NSX-controller-2",
                  "Node-b2658ccc-c10a-4e0d-a881-1598f73804a7-NSX-controller-1",
                  "Node-cc1338b3-4668-4738-80b8-606e690d8c2a-NSX-controller-3", "SDDC-CGW-1-esg-0", "SDDC-CGW-1-esg-1",
                  "nsx-manager", "sddc-mgw-0", "sddc-mgw-1", "vcenter")
_GISTS_TARGETS = ("3D Print API", "Ads Payment Integration App", "Custom Tweet Filter App", "Email Login Integration App",
                  "External Login Integration App", "Facebook API", "Fullcontact API", "Map Integration App",
                  "Payment Integration App", "Twilio API")

CORPUS: tuple[CorpusFile, ...] = (
    CorpusFile("cloud-migration-factory-on-aws__server-list.csv", (
        Fact("servers (Server8 repeats Server6's FQDN: two servers)", 8, count("server")),
        Fact("applications", 3, distinct("application_name")),
        Fact("waves (wave_name read as the wave the intake asks for)", 3, distinct("requested_wave")),
        Fact("regions (aws_region read as the target region)", 2, distinct("target_region")),
        Fact("duplicate FQDN flagged for review", True, conflicts_recorded),
    )),
    CorpusFile("tackle2-ui__sample-applications.csv", (
        Fact("applications", ["Customers", "Gateway", "Inventory"], names("application")),
        Fact("dependency edges resolved", [("Gateway", "Customers"), ("Gateway", "Inventory")], edge_pairs),
        Fact("Customers' tags", {"Operating System": "RHEL 8", "Database": "Oracle", "Language": "Java",
                                 "Runtime": "Tomcat"}, tags_of("Customers")),
    )),
    CorpusFile("tackle2-ui__template_application_import.csv", (
        Fact("applications", ["API Gateway Service", "Customer Management", "Inventory Tracker"], names("application")),
        Fact("applications with an owner", 3, with_owner),
        Fact("applications with 2 contributors", 3, with_contributors(2)),
        Fact("dependency edges", 0, lambda o: len(o.edges) if o.refusal is None else None),
    )),
    CorpusFile(_DEPENDENCIES, (
        Fact("alone: refused, saying it needs its inventory", True, refused_clearly(_DEPENDENCIES)),
        Fact("after an inventory of its 8 servers: edges resolved", 5, lambda o: len(o.edges)),
        Fact("after an inventory of its 8 servers: ports", [443, 1433, 3389, 8080, 8080], edge_ports),
    ), inventory_names=("app1-server", "app2-server", "db1-server", "web1-server", "api1-server", "web2-server",
                        "api2-server", "admin-server")),
    CorpusFile(_PAYG, (
        Fact("machine rows kept (none quarantined)", 547, summary("data_cleansing", "valid")),
        Fact("distinct machine names", 546, distinct("name", "server")),
        Fact("machines with disk sizes (1385 disks on 546 machines)", 546,
             lambda o: sum(a["storage_gb"] is not None for a in o.of_type("server"))),
        Fact("OS strings", 28, distinct("operating_system", "server")),
    )),
    CorpusFile(_APP_INVENTORY, (
        Fact("refused: software installed on machines, not machines", True, refused_clearly(_APP_INVENTORY)),
    ), out_of_scope="a software inventory: applications, features and databases installed on 419 machines, one row "
                    "per installed product; it describes no machine (no CPU, memory, disk, OS or address)"),
    CorpusFile("gists__vcenter.json", (
        Fact("VMs", 9, count("server")),
        Fact("names from Summary.Config.Name (not the guest hostname)", sorted(_VCENTER_NAMES), names("server")),
        Fact("power states", {"powered_on": 9}, tally("power_state")),
        Fact("hosts", {"host-31": 9}, tally("host_name")),
        Fact("vCPU in total", 36.0, total("cpu_cores")),
        Fact("RAM in total, GiB (from MB)", 58.0, total("memory_gb")),
    )),
    CorpusFile("gists__apps.csv", (
        Fact("applications", 20, count("application")),
        Fact("app -> host links", 80, edges_to("server")),
        Fact("app -> database links", 20, edges_to("database")),
        Fact("unresolved dependency targets reported (20 references, 10 distinct)", 10,
             summary("dependency_analysis", "dangling_references")),
        Fact("phantom assets made for them", 0, phantoms(_GISTS_TARGETS)),
    )),
    CorpusFile("forklift__vms_list.json", (
        Fact("VMs", 6, count("server")),
        Fact("power states", {"powered_on": 5, "powered_off": 1}, tally("power_state")),
        Fact("vCPU in total (sockets x vCPUs per socket)", 27.0, total("cpu_cores")),
        Fact("RAM in total, GiB (from MiB)", 70.0, total("memory_gb")),
        Fact("data disks (CD-ROMs not counted)", 8.0, total("disk_count")),
        Fact("IP addresses", 6.0, total("ip_count")),
    )),
    CorpusFile("migrationcenter-utils__empty_line_in_middle.csv", (
        Fact("rows read (blank line skipped, short rows kept)", 19, lambda o: o.raw_records),
        Fact("applications", ["Mahout", "Roswell", "Sensorflask", "Torque 3D", "genie"], names("application")),
    )),
)


# ---------------------------------------------------------------------------------------------- measuring
async def _import(pool: asyncpg.Pool, ref: EngagementRef, files: list[Path], reviewer: uuid.UUID, into: Outcome) -> None:
    """Run discovery over `files`, recording its step summaries, or its refusal or crash, in `into`."""
    try:
        run = await run_discovery(pool, ref, files, reviewer=reviewer)
        into.summaries = {name: result.summary for name, result in run.results.items()}
    except ApplicationError as exc:
        if exc.type != BAD_INPUT:
            raise
        into.refusal = exc.message


async def measure_file(pool: asyncpg.Pool, ref: EngagementRef, reviewer: uuid.UUID, corpus_file: CorpusFile,
                       work: Path) -> tuple[Outcome, list[Measured]]:
    """Import one corpus file into the (fresh) engagement `ref` and read every fact of it."""
    outcome = Outcome()
    path = CORPUS_DIR / corpus_file.name
    try:
        if corpus_file.inventory_names:
            await _import(pool, ref, [path], reviewer, outcome)  # alone first: the refusal is a fact
            inventory = work / f"{uuid.uuid4().hex[:8]}-servers.csv"
            inventory.write_text("Server Name\n" + "\n".join(corpus_file.inventory_names) + "\n")
            await _import(pool, ref, [inventory], reviewer, Outcome())
            refusal, outcome.refusal = outcome.refusal, None
            await _import(pool, ref, [path], reviewer, outcome)
            outcome.refusal = outcome.refusal or refusal
        else:
            await _import(pool, ref, [path], reviewer, outcome)
    except Exception as exc:  # noqa: BLE001 - a crash is a result of the bench, reported beside the facts
        outcome.crash = f"{type(exc).__name__}: {exc}"
    outcome.assets = await rows(pool, ref, ASSETS)
    outcome.edges = await rows(pool, ref, EDGES)
    outcome.conflicts = await rows(pool, ref, CONFLICTS)
    outcome.raw_records = (await rows(pool, ref, RAW_RECORDS))[0]["n"]
    return outcome, [Measured(fact, fact.actual(outcome)) for fact in corpus_file.facts]


async def _fresh_engagement(pool: asyncpg.Pool, label: str) -> tuple[EngagementRef, uuid.UUID]:
    """A client and engagement of their own, with an owner to accept the suggested mappings."""
    from db import tenancy

    suffix = uuid.uuid4().hex[:8]
    client = await tenancy.create_client(pool, f"Bench realworld {suffix}")
    name = f"{label[:60]} {suffix}"
    ref = EngagementRef(await tenancy.create_engagement(pool, client, name), client, name)
    owner = await tenancy.ensure_user(pool, f"bench-{suffix}@example.com")
    await tenancy.add_member(pool, ref, owner, "owner")
    return ref, owner


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 110 else text[:107] + "..."


def print_file(corpus_file: CorpusFile, outcome: Outcome, measured: list[Measured]) -> None:
    met = sum(m.met for m in measured)
    print(f"\n{corpus_file.name}: {met}/{len(measured)} facts met")
    if corpus_file.out_of_scope:
        print(f"  out of scope: {corpus_file.out_of_scope}")
    if outcome.crash:
        print(f"  CRASHED: {outcome.crash}")
    if outcome.refusal:
        print(f"  refused: {outcome.refusal}")
    for m in measured:
        print(f"  [{'met' if m.met else 'MISSED'}] {m.fact.label}: expected {_show(m.fact.expected)}"
              + ("" if m.met else f", got {_show(m.actual)}"))


async def run(selected: tuple[CorpusFile, ...]) -> tuple[int, int]:
    from db.pool import create_pool
    from runtime.devstack import embedded_postgres, ensure_database
    from runtime.settings import get_settings

    settings = get_settings()
    database_url, _, started = await ensure_database(settings)
    pool = await create_pool(database_url, max_size=4)
    met = expected = 0
    work = Path(tempfile.mkdtemp(prefix="bench-realworld-files-"))
    try:
        for corpus_file in selected:
            ref, owner = await _fresh_engagement(pool, corpus_file.name)
            outcome, measured = await measure_file(pool, ref, owner, corpus_file, work)
            print_file(corpus_file, outcome, measured)
            met += sum(m.met for m in measured)
            expected += len(measured)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        await pool.close()
        if started:
            embedded_postgres(settings).stop()
    return met, expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realworld", description=__doc__.splitlines()[0])
    parser.add_argument("--file", action="append", help="only this corpus file (its name; repeatable)")
    parser.add_argument("--data-dir", type=Path, help="embedded PostgreSQL's data (kept); default a temporary folder")
    args = parser.parse_args(argv)
    known = {f.name: f for f in CORPUS}
    unknown = sorted(set(args.file or ()) - set(known))
    if unknown:
        parser.error(f"not a corpus file: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    selected = tuple(known[name] for name in args.file) if args.file else CORPUS

    revision = git_revision()
    work = Path(tempfile.mkdtemp(prefix="bench-realworld-"))
    configure_environment((args.data_dir or work / "data").resolve())  # before settings are first read
    try:
        met, expected = asyncio.run(run(selected))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nscore: {met}/{expected} facts met ({met / expected:.1%}) over {len(selected)} files; "
          f"commit {revision}, {datetime.now(UTC).isoformat(timespec='seconds')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
