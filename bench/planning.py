"""Wave planning at scale: a synthetic portfolio of 100k assets and 300k dependencies, planned once.

The portfolio (fixed seed) looks like a large estate: applications of 1..40 servers (most small),
5% shared services (the most popular quarter found by fan-in, the rest tagged), dependencies with power-law fan-in (a few
popular targets, a long tail): hard ties inside applications, soft dependencies between them that
mostly point "down" the stack (a few point back up and close ordering cycles), and many on shared
services. Environments, criticalities, scores, storage and strategies are drawn per application.

Printed: time per stage, peak RSS after each, the plan's shape, and two baselines measured in the
same run: building the validated input lists, and a plain union-find over the same edges.

    .venv/bin/python -m bench.planning [--assets 100000] [--edges 300000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from datetime import date
from typing import Any

from domain.planning.model import PlanAsset, PlanEdge, PlanSettings
from domain.planning.move_groups import move_groups
from domain.planning.planner import plan_waves

SHARED_SHARE = 0.05
ENVIRONMENTS = (("production", 50), ("disaster_recovery", 5), ("staging", 10), ("uat", 10), ("test", 12),
                ("development", 13))
CRITICALITIES = (("critical", 10), ("high", 20), ("medium", 40), ("low", 30))
STRATEGIES = (("rehost", 55), ("replatform", 15), ("refactor", 5), ("repurchase", 5), ("retire", 5),
              ("retain", 5), (None, 10))
PRODUCTION = ("production", "disaster_recovery")
RISK_BASE = {"critical": 60.0, "high": 40.0, "medium": 20.0, "low": 0.0}
SETTINGS = PlanSettings(start_date=date(2027, 1, 4), max_assets=1000, max_storage_tb=400, max_effort_days=3000,
                        pilot_size=50, hub_fan_in_threshold=10)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _power_law(rng: random.Random, count: int, exponent: float = 3.0) -> int:
    """An index in [0, count), index 0 the most popular."""
    return min(count - 1, int(count * rng.random() ** exponent))


def generate(asset_count: int, edge_count: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Plain records (as read from the database) for the assets and the dependencies."""
    rng = random.Random(seed)
    shared_count = int(asset_count * SHARED_SHARE)
    assets: list[dict[str, Any]] = []
    for n in range(shared_count):
        assets.append({"id": f"svc-{n:06d}", "name": f"shared service {n}", "environment": "production",
                       "criticality": "critical", "complexity_score": 30.0, "risk_score": 40.0,
                       "storage_gb": 100.0, "strategy": "rehost", "tags": ("shared_service",) if n >= shared_count // 4 else ()})
    applications: list[list[str]] = []
    by_phase: dict[bool, list[int]] = {True: [], False: []}  # production or not -> application numbers
    while len(assets) < asset_count:
        size = min(asset_count - len(assets), 1 + int(39 * rng.random() ** 2))
        app = len(applications)
        environment, criticality, strategy = _pick(rng, ENVIRONMENTS), _pick(rng, CRITICALITIES), _pick(rng, STRATEGIES)
        complexity = rng.random() ** 1.5 * 80
        by_phase[environment in PRODUCTION].append(app)
        members = []
        for k in range(size):
            asset_id = f"app{app:05d}-{k:02d}"
            mixed = k == size - 1 and size > 2 and rng.random() < 0.03  # a stray test server in the app
            assets.append({
                "id": asset_id, "name": asset_id, "application": f"application {app}",
                "environment": "test" if mixed else environment, "criticality": criticality,
                "complexity_score": round(min(100.0, complexity + rng.random() * 20), 1),
                "risk_score": round(min(100.0, RISK_BASE[criticality] + rng.random() * 30), 1),
                "storage_gb": round(rng.lognormvariate(4.5, 1.2), 1),
                "strategy": strategy if rng.random() < 0.95 else _pick(rng, STRATEGIES), "tags": (),
            })
            members.append(asset_id)
        applications.append(members)
    phase_of = {app: production for production, apps in by_phase.items() for app in apps}
    position = {app: rank for apps in by_phase.values() for rank, app in enumerate(apps)}

    edges: list[dict[str, Any]] = []
    for members in applications:  # tiers inside an application: hard ties
        for upper, lower in zip(members, members[1:]):
            edges.append({"source": upper, "target": lower, "dependency_type": "depends_on", "strength": "hard"})
    while len(edges) < edge_count:
        source_app = rng.randrange(len(applications))
        source = rng.choice(applications[source_app])
        if rng.random() < 0.45:  # on a shared service, popular ones far more often
            target, strength = assets[_power_law(rng, shared_count, 2.0)]["id"], "soft"
        else:  # on an application of the same environment, mostly one further down the stack
            peers = by_phase[phase_of[source_app]]
            below = position[source_app]
            down = below > 0 and rng.random() < 0.9998
            target_app = peers[_power_law(rng, below)] if down else rng.choice(peers)
            target = rng.choice(applications[target_app])
            strength = "hard" if rng.random() < 0.002 else "soft"
        edges.append({"source": source, "target": target, "dependency_type": "communicates_with",
                      "strength": strength})
    return assets, edges


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(asset_count: int, edge_count: int, seed: int) -> None:
    started = time.perf_counter()
    records, edge_records = generate(asset_count, edge_count, seed)
    print(f"portfolio: {len(records):,} assets, {len(edge_records):,} dependencies, generated in "
          f"{time.perf_counter() - started:.2f} s (seed {seed}); peak RSS {peak_rss_mib():.0f} MiB")

    started = time.perf_counter()
    assets = [PlanAsset(**record) for record in records]
    edges = [PlanEdge(**record) for record in edge_records]
    inputs = time.perf_counter() - started
    started = time.perf_counter()
    move_groups([a.id for a in assets], [(e.source, e.target) for e in edges])
    union_find = time.perf_counter() - started
    print(f"baseline: validated input lists {inputs:.2f} s; plain union-find over all edges {union_find:.2f} s; "
          f"peak RSS {peak_rss_mib():.0f} MiB")

    stages: list[tuple[str, float, float]] = []
    mark = time.perf_counter()

    def observe(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages.append((stage, now - mark, peak_rss_mib()))
        mark = now

    started = mark = time.perf_counter()
    plan = plan_waves(assets, edges, SETTINGS, observe)
    total = time.perf_counter() - started
    print(f"\n{'stage':<16}{'seconds':>9}{'share':>8}{'peak RSS MiB':>14}")
    for stage, seconds, rss in stages:
        print(f"{stage:<16}{seconds:>9.2f}{seconds / total:>8.1%}{rss:>14.0f}")
    print(f"{'plan_waves':<16}{total:>9.2f}{1:>8.0%}{peak_rss_mib():>14.0f}")
    print(f"ratio: {total / inputs:.1f}x building the inputs, {total / union_find:.1f}x the plain union-find")

    sizes = [len(w.asset_ids) for w in plan.waves]
    kinds = Counter(w.kind for w in plan.waves)
    print(f"\nplan: {len(plan.placements):,} assets in {len(plan.waves)} waves ({dict(kinds)}), "
          f"{len(plan.not_migrated):,} not migrated; {len(plan.move_groups):,} move groups "
          f"(largest {max(len(g.asset_ids) for g in plan.move_groups)}), {len(plan.shared_services):,} shared "
          f"services, {len(plan.ordering_cycles)} ordering cycles (largest "
          f"{max((len(c) for c in plan.ordering_cycles), default=0)} groups)")
    print(f"wave sizes: min {min(sizes)}, median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)} "
          f"(cap {SETTINGS.max_assets}); last wave ends {plan.waves[-1].end_date}")
    causes = Counter(v.rule + (": " + v.detail.rsplit(": ", 1)[1] if v.rule == "dependency_order" else "")
                     for v in plan.violations)
    print("violations:" + "".join(f"\n  {count:>6} {cause}" for cause, count in sorted(causes.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    run(args.assets, args.edges, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
