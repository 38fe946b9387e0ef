"""Issue 12: the real-world corpus (tests/fixtures/corpus) through the real discovery, one test per file.

The facts come from `bench.realworld.CORPUS`; each test asserts the ones the product meets today (MET_TODAY, by
label), so a regression fails here. The facts it still misses are printed by `python -m bench.realworld` and
listed in docs/BENCHMARKS.md; they become assertions here once the product meets them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from bench.realworld import CORPUS, CORPUS_DIR, CorpusFile, measure_file
from tests.conftest import make_engagement

MET_TODAY: dict[str, tuple[str, ...]] = {
    "cloud-migration-factory-on-aws__server-list.csv": (
        "servers (Server8 repeats Server6's FQDN: two servers)", "applications", "duplicate FQDN flagged for review",
        "regions (aws_region read as the target region)", "waves (wave_name read as the wave the intake asks for)"),
    "tackle2-ui__sample-applications.csv": ("applications", "dependency edges resolved", "Customers' tags"),
    "tackle2-ui__template_application_import.csv": (
        "applications", "applications with an owner", "applications with 2 contributors", "dependency edges"),
    "azure-migrate-move-group-planner__dependency-export-sample.csv": (
        "alone: refused, saying it needs its inventory", "after an inventory of its 8 servers: edges resolved",
        "after an inventory of its 8 servers: ports"),
    "azure-docs-powershell-samples__As is PAYG.xlsx": (
        "machine rows kept (none quarantined)", "distinct machine names",
        "machines with disk sizes (1385 disks on 546 machines)"),
    "azure-docs-powershell-samples__Application Inventory Export Sample.xlsx": (
        "refused: software installed on machines, not machines",),
    "gists__vcenter.json": ("VMs", "names from Summary.Config.Name (not the guest hostname)", "power states", "hosts",
                            "vCPU in total", "RAM in total, GiB (from MB)"),
    "gists__apps.csv": ("applications", "app -> host links", "app -> database links",
                        "unresolved dependency targets reported (20 references, 10 distinct)",
                        "phantom assets made for them"),
    "forklift__vms_list.json": ("VMs", "power states", "vCPU in total (sockets x vCPUs per socket)",
                                "RAM in total, GiB (from MiB)", "data disks (CD-ROMs not counted)", "IP addresses"),
    "migrationcenter-utils__empty_line_in_middle.csv": ("rows read (blank line skipped, short rows kept)",
                                                        "applications"),
}


def test_every_corpus_file_is_measured_and_its_licence_notes_name_it_with_its_sha256() -> None:
    notes = (CORPUS_DIR / "LICENSE-NOTES.md").read_text()
    files = sorted(p.name for p in CORPUS_DIR.iterdir() if p.name != "LICENSE-NOTES.md")
    assert sorted(f.name for f in CORPUS) == files == sorted(MET_TODAY)
    for name in files:
        digest = hashlib.sha256((CORPUS_DIR / name).read_bytes()).hexdigest()
        assert re.search(rf"\| `{re.escape(name)}` \|.*\| `{digest}` \|", notes), name


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("corpus_file", CORPUS, ids=lambda f: f.name)
async def test_corpus_file_keeps_the_facts_it_meets_today(app_pool, corpus_file: CorpusFile, tmp_path: Path) -> None:
    labels = {fact.label for fact in corpus_file.facts}
    assert set(MET_TODAY[corpus_file.name]) <= labels, "MET_TODAY names a fact the bench does not have"
    e = await make_engagement(app_pool)
    outcome, measured = await measure_file(app_pool, e.ref, e.owner_id, corpus_file, tmp_path)
    assert outcome.crash is None
    regressed = [f"{m.fact.label}: expected {m.fact.expected!r}, got {m.actual!r}"
                 for m in measured if m.fact.label in MET_TODAY[corpus_file.name] and not m.met]
    assert regressed == []
