"""A deterministic, realistic server inventory in the shape of a generic CMDB CSV export.

The mess is on purpose, as in real exports: OS, environment, criticality, asset-type and
power-state spellings vary; some cells hold placeholders (`N/A`, `TBD`, `unknown`,
`To be filled by O.E.M.`); some sizes carry their own unit (`16384 MB` in the `RAM (GB)` column,
`2 TB` in `Disk (GB)`); some utilisation figures end in `%`; a few servers have two IP addresses.

Shape: a few shared-service servers (DNS, Active Directory, monitoring) that most servers depend
on; applications of 3 to 20 servers with web -> app -> db dependency chains inside each; a few
cross-application dependencies; some standalone servers. `Depends On` lists the `Server Name`s of
the servers a row depends on, separated by `;`.

Two standalone rows carry a deliberately invalid value (`CPU Cores` = `four`, `RAM (GB)` = `-8`)
so that imports show a quarantined row; their `Notes` start with `BAD_VALUE_NOTE`.

Run `python -m domain.discovery.sample_inventory --servers 300 --out samples/demo_inventory.csv` to
regenerate the bundled sample.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_COLUMNS: tuple[str, ...] = (
    "Server Name",
    "Asset Type",
    "IP Address",
    "OS",
    "CPU Cores",
    "RAM (GB)",
    "Disk (GB)",
    "Environment",
    "Business Criticality",
    "Application",
    "Owner",
    "Datacenter",
    "Power State",
    "Virtual",
    "Serial Number",
    "CPU Util %",
    "CPU Peak %",
    "Depends On",
    "Notes",
)

BAD_VALUE_NOTE = "deliberately invalid"

_APPLICATIONS = (
    "Customer Portal", "Payroll", "CRM", "Order Management", "Data Warehouse", "HR Portal",
    "E-Commerce", "Inventory", "Billing", "Document Management", "Intranet", "Reporting",
    "Ticketing", "Logistics", "Supplier Portal", "Treasury", "Loyalty", "Analytics",
    "ERP Finance", "Claims", "Contract Management", "Field Service", "Learning", "Time Tracking",
    "Procurement", "Quality Management", "Marketing Site", "Risk Engine", "Fleet", "Helpdesk",
)
_SHARED_SERVICES = (("dns", "Shared Infrastructure - DNS"), ("ad", "Shared Infrastructure - Active Directory"),
                    ("mon", "Shared Infrastructure - Monitoring"))
_STANDALONE_ROLES = ("jump", "ftp", "batch", "print", "legacy-rpt", "sftp", "scan", "lic")

_WINDOWS = ("Win2019", "Microsoft Windows Server 2019 (64-bit)", "Windows Server 2016 Standard",
            "Windows Server 2022 Datacenter", "Windows Server 2012 R2", "Windows 2008 R2")
_LINUX = ("RHEL 9", "Red Hat Enterprise Linux 8 (64-bit)", "rhel7", "CentOS 7", "CentOS 6.10", "Ubuntu 20.04",
          "Ubuntu 22.04 LTS", "SLES 12 SP5", "SUSE Linux Enterprise 15 (64-bit)", "Oracle Linux 8")
_UNIX = ("AIX 7.2", "IBM AIX 7.1", "Solaris 11", "Oracle Solaris 10 (64-bit)")

_ENVIRONMENT_SPELLINGS = {
    "production": ("prod", "PRD", "Production", "live", "PROD"),
    "development": ("dev", "DEV", "Development"),
    "test": ("test", "QA", "qa", "Test"),
    "uat": ("UAT", "uat"),
    "staging": ("stage", "staging", "STG"),
    "disaster_recovery": ("DR", "dr"),
}
_ENVIRONMENT_WEIGHTS = {"production": 55, "test": 12, "development": 12, "uat": 8, "staging": 8,
                        "disaster_recovery": 5}
_CRITICALITY_SPELLINGS = {
    "critical": ("1", "Tier 1", "Mission Critical", "Critical"),
    "high": ("2", "Tier 2", "High"),
    "medium": ("3", "Tier 3", "Medium", "med"),
    "low": ("4", "Tier 4", "Low"),
}
_OWNERS = ("A. Patel", "J. Smith", "M. Garcia", "L. Chen", "S. Okafor", "K. Novak", "R. Silva", "E. Jensen",
           "T. Nakamura", "P. Dubois")
_DATACENTERS = ("LON1", "FRA1", "AMS1")
_PLACEHOLDERS = ("N/A", "TBD", "unknown", "")


@dataclass
class _Server:
    name: str
    tier: str  # web, app, db, dns, ad, mon, standalone
    application: str | None
    environment: str
    criticality: str
    depends_on: list[str] = field(default_factory=list)


def _application_code(name: str, taken: set[str]) -> str:
    words = [word for word in name.replace("-", " ").split() if word[0].isalpha()]
    code = (words[0][:3] if len(words) == 1 else "".join(word[0] for word in words)).lower()
    candidate, number = code, 2
    while candidate in taken:
        candidate, number = f"{code}{number}", number + 1
    taken.add(candidate)
    return candidate


def _plan(servers: int, rng: random.Random) -> list[_Server]:
    """Servers with their tiers and dependencies (names only; rows are written later)."""
    shared_count = min(6, servers // 20)
    standalone_count = servers // 25
    shared = [
        _Server(f"{_SHARED_SERVICES[i % 3][0]}{i // 3 + 1:02d}", _SHARED_SERVICES[i % 3][0],
                _SHARED_SERVICES[i % 3][1], "production", "critical")
        for i in range(shared_count)
    ]
    budget = servers - shared_count - standalone_count
    applications: list[list[_Server]] = []
    codes: set[str] = set()
    while budget >= 3:
        size = rng.randint(3, min(20, budget))
        if 0 < budget - size < 3:  # no leftover too small for an application
            size = budget if budget <= 20 else budget - 3
        base = _APPLICATIONS[len(applications) % len(_APPLICATIONS)]
        cycle = len(applications) // len(_APPLICATIONS)
        app_name = base if cycle == 0 else f"{base} {cycle + 1}"
        code = _application_code(app_name, codes)
        environment = rng.choices(list(_ENVIRONMENT_WEIGHTS), weights=list(_ENVIRONMENT_WEIGHTS.values()))[0]
        criticality = rng.choice(list(_CRITICALITY_SPELLINGS))
        dbs = max(1, round(size * 0.25))
        webs = max(1, round(size * 0.3))
        tiers = ["web"] * webs + ["app"] * (size - dbs - webs) + ["db"] * dbs
        counters: dict[str, int] = {}
        members = []
        for tier in tiers:
            counters[tier] = counters.get(tier, 0) + 1
            members.append(_Server(f"{code}-{tier}{counters[tier]:02d}", tier, app_name, environment, criticality))
        by_tier = {tier: [s.name for s in members if s.tier == tier] for tier in ("web", "app", "db")}
        for member in members:
            downstream = {"web": by_tier["app"] or by_tier["db"], "app": by_tier["db"]}.get(member.tier, [])
            if downstream:
                member.depends_on += sorted(rng.sample(downstream, min(len(downstream), rng.randint(1, 2))))
        applications.append(members)
        budget -= size
    standalone = [
        _Server(f"{_STANDALONE_ROLES[i % len(_STANDALONE_ROLES)]}{i // len(_STANDALONE_ROLES) + 1:02d}", "standalone",
                None, rng.choice(list(_ENVIRONMENT_WEIGHTS)), rng.choice(list(_CRITICALITY_SPELLINGS)))
        for i in range(standalone_count + budget)
    ]
    app_servers = [server for members in applications for server in members if server.tier == "app"]
    for _ in range(max(1, len(applications) // 6) if len(applications) > 1 else 0):
        consumer = rng.choice(app_servers)
        providers = [s for members in applications for s in members
                     if s.application != consumer.application and s.tier in ("app", "db")]
        provider = rng.choice(providers).name
        if provider not in consumer.depends_on:
            consumer.depends_on.append(provider)
    services = {role: [s.name for s in shared if s.tier == role] for role, _ in _SHARED_SERVICES}
    for server in [s for members in applications for s in members] + standalone:
        for role, chance in (("dns", 0.6), ("ad", 0.5), ("mon", 0.4)):
            if services[role] and rng.random() < chance:
                server.depends_on.append(rng.choice(services[role]))
    return shared + [s for members in applications for s in members] + standalone


def _operating_system(server: _Server, rng: random.Random) -> str:
    if server.tier in ("dns", "ad"):
        return rng.choice(_WINDOWS[:4])
    if server.tier == "db" and rng.random() < 0.15:
        return rng.choice(_UNIX)
    return rng.choice(_WINDOWS if rng.random() < 0.5 else _LINUX)


def _utilisation(powered_off: bool, rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.04:
        placeholder = rng.choice(_PLACEHOLDERS)
        return placeholder, placeholder
    if powered_off:
        return "0", "0"
    if roll < 0.16:
        average = round(rng.uniform(0.5, 4.9), 1)
        peak = round(average + rng.uniform(1, 9), 1)
    else:
        average = round(rng.uniform(5, 60), 1)
        peak = round(min(100.0, average + rng.uniform(5, 40)), 1)
    if rng.random() < 0.2:
        return f"{average:g}%", f"{peak:g}%"
    return f"{average:g}", f"{peak:g}"


def _row(server: _Server, address: int, rng: random.Random) -> dict[str, str]:
    physical = server.tier in ("db", "ad") and rng.random() < 0.25
    powered_off = server.tier not in ("dns", "ad", "mon") and rng.random() < 0.06
    memory = rng.choice((4, 8, 16, 32, 64) if server.tier != "db" else (32, 64, 128, 256))
    disk = rng.choice((60, 100, 200, 500) if server.tier != "db" else (512, 1024, 2048, 4096))
    ip = f"10.{address // 62500 + 10}.{address // 250 % 250}.{address % 250 + 1}"
    average, peak = _utilisation(powered_off, rng)
    asset_types = ("Database", "DB", "Database Server") if server.tier == "db" else ("VM", "Virtual Machine", "Server")
    return {
        "Server Name": server.name,
        "Asset Type": "Physical Server" if physical and server.tier != "db" else rng.choice(asset_types),
        "IP Address": f"{ip}; 192.168.{address // 250 % 250}.{address % 250 + 1}" if rng.random() < 0.08 else ip,
        "OS": rng.choice(_PLACEHOLDERS[:3]) if rng.random() < 0.02 else _operating_system(server, rng),
        "CPU Cores": str(rng.choice((2, 4, 4, 8, 8, 16) if server.tier != "db" else (8, 16, 32))),
        "RAM (GB)": f"{memory * 1024} MB" if rng.random() < 0.04 else str(memory),
        "Disk (GB)": f"{disk / 1024:g} TB" if disk >= 1024 and rng.random() < 0.3 else str(disk),
        "Environment": rng.choice(_PLACEHOLDERS[:2]) if rng.random() < 0.03
        else rng.choice(_ENVIRONMENT_SPELLINGS[server.environment]),
        "Business Criticality": rng.choice(_PLACEHOLDERS) if rng.random() < 0.05
        else rng.choice(_CRITICALITY_SPELLINGS[server.criticality]),
        "Application": server.application or rng.choice(("N/A", "")),
        "Owner": rng.choice(_PLACEHOLDERS) if rng.random() < 0.06 else rng.choice(_OWNERS),
        "Datacenter": rng.choice(_DATACENTERS),
        "Power State": rng.choice(("poweredOff", "Off", "Stopped")) if powered_off
        else rng.choice(("poweredOn", "On", "Running")),
        "Virtual": rng.choice(("No", "N", "false")) if physical else rng.choice(("Yes", "Y", "true")),
        "Serial Number": (rng.choice(("To be filled by O.E.M.", f"CZ{rng.randrange(10**7):07d}")) if physical
                          else f"VMware-42 {rng.randrange(16**8):08x}"),
        "CPU Util %": average,
        "CPU Peak %": peak,
        "Depends On": "; ".join(server.depends_on),
        "Notes": "",
    }


def generate_inventory(servers: int, seed: int = 7) -> list[dict[str, str]]:
    """`servers` rows with the `SAMPLE_COLUMNS` headers; the same arguments give the same rows."""
    if servers < 0:
        raise ValueError("servers must not be negative")
    rng = random.Random(seed)
    rows = [_row(server, address, rng) for address, server in enumerate(_plan(servers, rng))]
    standalone = [row for row in rows if row["Application"] in ("N/A", "")]
    for row, column, value in zip(standalone, ("CPU Cores", "RAM (GB)"), ("four", "-8"), strict=False):
        row[column] = value
        row["Notes"] = f"{BAD_VALUE_NOTE} {column} (sample of a bad value)"
    return rows


def write_csv(rows: Sequence[dict[str, str]], path: str | Path) -> None:
    """Write rows as UTF-8 CSV with the `SAMPLE_COLUMNS` header."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SAMPLE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a generated sample server inventory as CSV.")
    parser.add_argument("--servers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_csv(generate_inventory(args.servers, args.seed), args.out)


if __name__ == "__main__":
    main()
