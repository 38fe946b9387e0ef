"""A deterministic, messy ServiceNow-like CMDB server export (`cmdb_ci_server` list view) of any size.

Written row by row in constant memory, for the ingest benchmark. 40 columns, the headers a
ServiceNow list export uses (`sys_id`, `name`, `fqdn`, `ip_address`, `ram`, `disk_space`, ...),
about two thirds of them mapped onto asset columns by the platform, the rest carried as raw data.

The mess, as in real exports: OS spellings of many kinds (`Win2019`, `Microsoft Windows Server 2019
(64-bit)`, `RHEL 9`, `CentOS Linux 7 (Core)`, `AIX 7.2` ...); sizes with and without units
(`16384` MB, `16 GB`, `1.5 TB`, `65,536`); environment and criticality spellings (`PRD`, `Pre-Prod`,
`1 - most critical`, `Tier 2`); placeholders (`N/A`, `TBD`, `To be filled by O.E.M.`); IP and MAC
lists in several notations; descriptions with commas, quotes and line breaks; `depends_on` lists
of other servers' names, a few of them dangling.

Every `DUPLICATE_EVERY`-th row (5 %) is an earlier server exported again: another `sys_id`, its
name in another case, its FQDN under another domain or case, values the first row left empty
filled in. About `BAD_ROW_RATE` of the rows carry a value cleansing must quarantine (a negative
size, `NaN`). The same seed and row count give the same bytes.

    .venv/bin/python -m bench.cmdb_export --rows 100000 --out /tmp/cmdb_ci_server.csv [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

COLUMNS: tuple[str, ...] = (
    "sys_id", "name", "sys_class_name", "fqdn", "dns_domain", "ip_address", "mac_address", "serial_number",
    "company", "manufacturer", "model_id", "os", "os_version", "os_service_pack", "cpu_count", "cpu_core_count",
    "cpu_speed", "cpu_manufacturer", "ram", "disk_space", "virtual", "power_state", "environment", "location",
    "install_status", "operational_status", "business_criticality", "owned_by", "managed_by", "support_group",
    "department", "cost_center", "business_service", "short_description", "discovery_source",
    "first_discovered", "last_discovered", "sys_created_on", "sys_updated_on", "depends_on",
)
DUPLICATE_EVERY = 20
BAD_ROW_RATE = 0.005

_SITES = (("lon", "London, UK - LON1"), ("fra", "Frankfurt DC2"), ("ams", "Amsterdam (AMS-3)"),
          ("nyc", "New York - NY5"), ("sgp", "Singapore SG1"))
_DOMAINS = ("corp.example.com", "eu.corp.example.com", "example.local", "ad.example.com")
_ROLES = ("web", "app", "db", "sql", "ora", "fs", "dc", "k8s", "mq", "bat")
_ENVIRONMENTS = (  # (name letter, weight, spellings)
    ("p", 50, ("Production", "PROD", "prod", "PRD", "Prd", "Live")),
    ("t", 14, ("Test", "TEST", "QA", "qa", "Testing", "SIT")),
    ("d", 14, ("Development", "DEV", "dev", "Devel", "Sandbox")),
    ("u", 8, ("UAT", "uat", "User Acceptance", "Acceptance")),
    ("s", 8, ("Staging", "Pre-Prod", "PreProd", "STG")),
    ("r", 6, ("DR", "dr", "Disaster Recovery Site", "BCP")),
)
_CRITICALITIES = ("1 - most critical", "2 - somewhat critical", "3 - less critical", "4 - not critical",
                  "Tier 1", "Tier 2", "Tier 3", "High", "Medium", "Low", "Critical", "Mission Critical")
_WINDOWS = ("Win2019", "Microsoft Windows Server 2019 (64-bit)", "Windows Server 2019 Standard", "Windows 2016",
            "Microsoft Windows Server 2016 Datacenter", "Windows Server 2022 Datacenter", "Win2k12R2",
            "Windows Server 2012 R2 Standard", "Windows 2008 R2 Enterprise")
_LINUX = ("RHEL 9", "Red Hat Enterprise Linux 8 (64-bit)", "rhel7",
          "Red Hat Enterprise Linux Server release 7.9 (Maipo)", "CentOS 7", "CentOS Linux 7 (Core)", "CentOS 6.10",
          "Ubuntu 20.04", "Ubuntu 22.04.3 LTS", "SLES 12 SP5", "SUSE Linux Enterprise Server 15 SP4",
          "Oracle Linux 8", "Debian GNU/Linux 11 (bullseye)", "Rocky Linux 9.2", "Amazon Linux 2")
_UNIX = ("AIX 7.2", "IBM AIX 7.1", "Solaris 11", "Oracle Solaris 10 (64-bit)", "HP-UX 11i v3")
_OS_VERSIONS = {"windows": ("10.0.17763", "10.0.14393", "6.3.9600", ""), "linux": ("7.9", "8.6", "9.2", "", ""),
                "unix": ("7200-05", "11.4", "")}
_CLASSES = {"windows": "cmdb_ci_win_server", "linux": "cmdb_ci_linux_server", "unix": "cmdb_ci_unix_server"}
_HARDWARE = (("Dell Inc.", "PowerEdge R740"), ("HPE", "ProLiant DL380 Gen10"),
             ("Hewlett Packard Enterprise", "ProLiant DL360 Gen9"), ("IBM", "Power System S922"),
             ("Cisco Systems", "UCS B200 M5"))
_PLACEHOLDERS = ("N/A", "TBD", "unknown", "", "")
_SERIAL_PLACEHOLDERS = ("To be filled by O.E.M.", "System Serial Number", "Default string")
_PEOPLE = ("Smith, John", "Patel, Anika", "Garcia, Maria", "Chen, Li", "Okafor, Samuel", "Novak, Katarina",
           "Silva, Rui", "Jensen, Emma", "Nakamura, Taro", "Dubois, Pierre", "j.smith@example.com",
           "a.patel@example.com")
_GROUPS = ("Windows Server Team", "Linux Ops", "DBA Team", "Middleware", "Network & Security", "Storage Team")
_DEPARTMENTS = ("IT Infrastructure", "Finance", "Human Resources", "Sales", "Operations", "R&D")
_SERVICES = ("Customer Portal", "Payroll", "CRM", "Order Management", "Data Warehouse", "HR Portal", "E-Commerce",
             "Billing", "Document Management", "Intranet", "Reporting", "Ticketing", "Logistics", "Treasury")
_DISCOVERY = ("ServiceNow", "SCCM", "Manual Entry", "Service Mapping", "ImportSet", "VMware vCenter")
_INSTALL = ("Installed", "Installed", "Installed", "In Maintenance", "Pending Install", "Retired")
_OPERATIONAL = ("Operational", "Operational", "Non-Operational", "Repair in Progress", "DR Standby")


@dataclass(frozen=True)
class ExportSummary:
    """What a generated export holds: `servers` distinct servers in `rows` rows."""

    path: Path
    rows: int
    servers: int
    duplicate_rows: int
    bad_rows: int
    size_bytes: int


def _server_rng(seed: int, index: int) -> random.Random:
    """The generator of server `index`'s values: the same server is generated alike whenever repeated."""
    return random.Random(seed * 1_000_003 + index)


@dataclass(frozen=True)
class _Identity:
    name: str
    site: str
    role: str
    environment: tuple[str, int, tuple[str, ...]]


def _identity(rng: random.Random, index: int) -> _Identity:
    """Where the server runs, what it does, and its host name: drawn first from the server's generator."""
    site = rng.choice(_SITES)
    role = rng.choice(_ROLES)
    environment = rng.choices(_ENVIRONMENTS, weights=[e[1] for e in _ENVIRONMENTS])[0]
    return _Identity(f"{site[0]}{role}{environment[0]}{index:06d}", site[1], role, environment)


def _name_of(seed: int, index: int) -> str:
    return _identity(_server_rng(seed, index), index).name


def _maybe(rng: random.Random, value: str, placeholder_rate: float) -> str:
    return rng.choice(_PLACEHOLDERS) if rng.random() < placeholder_rate else value


def _timestamp(rng: random.Random, start_day: int = 0) -> str:
    day = rng.randrange(start_day, 2000)
    year, day_of_year = 2020 + day // 365, day % 365
    return (f"{year}-{day_of_year // 31 % 12 + 1:02d}-{day_of_year % 28 + 1:02d} "
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}")


def _ip(rng: random.Random, index: int) -> str:
    primary = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(_PLACEHOLDERS)
    if roll < 0.10:
        return f"{primary}, 172.{16 + index // 65536 % 16}.{index // 256 % 256}.{index % 256}"  # unique to 1M
    if roll < 0.13:
        return f"{primary};fe80::250:56ff:fe{index >> 16 & 0xff:02x}:{index & 0xffff:04x}"
    return primary


def _mac(rng: random.Random, index: int, virtual: bool) -> str:
    octets = ["00", "50", "56"] if virtual else [f"{rng.randrange(256):02x}" for _ in range(3)]
    octets += [f"{index >> 16 & 0xff:02x}", f"{index >> 8 & 0xff:02x}", f"{index & 0xff:02x}"]
    notation = rng.random()
    if notation < 0.6:
        mac = ":".join(octets)
    elif notation < 0.85:
        mac = "-".join(octets).upper()
    else:
        digits = "".join(octets)
        mac = ".".join(digits[i:i + 4] for i in range(0, 12, 4))
    if rng.random() < 0.05:  # a second NIC: locally administered, as unique as the first
        mac += ", " + ":".join(["02", "00", "00", *octets[3:]])
    return _maybe(rng, mac, 0.03)


def _memory(rng: random.Random) -> str:
    """`ram`: MB in ServiceNow exports, often written with a unit of its own."""
    gb = rng.choice((2, 4, 8, 8, 16, 16, 32, 64, 128, 256))
    roll = rng.random()
    if roll < 0.6:
        return str(gb * 1024)
    if roll < 0.75:
        return f"{gb} GB"
    if roll < 0.85:
        return f"{gb}GiB"
    if roll < 0.93:
        return f"{gb * 1024:,}"
    return _maybe(rng, f"{gb * 1024} MB", 0.3)


def _disk(rng: random.Random) -> str:
    """`disk_space`: GB, or with a unit of its own."""
    gb = rng.choice((40, 60, 80, 100, 250, 500, 1024, 2048, 4096))
    roll = rng.random()
    if roll < 0.6:
        return str(gb)
    if roll < 0.7:
        return f"{gb / 1024:g} TB" if gb >= 1024 else f"{gb + 0.5:g}"
    if roll < 0.8:
        return f"{gb * 1000} MB"
    if roll < 0.87:
        return f"{gb // 1024} TiB" if gb >= 1024 else f"{gb} GiB"
    if roll < 0.95:
        return f"{gb * 1024:,} MB"
    return _maybe(rng, f"{gb} GB", 0.5)


def _description(rng: random.Random, role: str, service: str, environment: str) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"{role.upper()} server for {service} ({environment})"
    if roll < 0.65:
        return f'{service}, {role} tier - "do not reboot" without change'
    if roll < 0.75:
        return f"{service} {role} node\nmigrated from old DC; see KB00{rng.randrange(10000):04d}"
    return _maybe(rng, "", 0.9)


def _depends_on(rng: random.Random, seed: int, index: int) -> str:
    if index == 0 or rng.random() < 0.35:
        return _maybe(rng, "", 0.1)
    names = [_name_of(seed, rng.randrange(index)) for _ in range(rng.choice((1, 1, 2, 3)))]
    if rng.random() < 0.02:
        names.append(f"legacy-host-{rng.randrange(1000):03d}")  # a CI that is not in the export
    return rng.choice(("; ", ", ", "|", "\n")).join(names)


def server_row(seed: int, index: int) -> dict[str, str]:
    """Server `index`'s first row, as the export writes it."""
    rng = _server_rng(seed, index)
    who = _identity(rng, index)
    name = who.name
    family = rng.choices(("windows", "linux", "unix"), weights=(45, 50, 5))[0]
    virtual = family != "unix" and rng.random() < 0.8
    manufacturer, model = ("VMware, Inc.", "VMware Virtual Platform") if virtual else rng.choice(_HARDWARE)
    environment = rng.choice(who.environment[2])
    service = rng.choice(_SERVICES)
    os_name = rng.choice({"windows": _WINDOWS, "linux": _LINUX, "unix": _UNIX}[family])
    cores = rng.choice((2, 4, 4, 8, 8, 16, 32))
    first_seen = _timestamp(rng)
    return {
        "sys_id": f"{rng.getrandbits(128):032x}",
        "name": name.upper() if rng.random() < 0.2 else name,
        "sys_class_name": "cmdb_ci_vmware_instance" if virtual and rng.random() < 0.3 else _CLASSES[family],
        "fqdn": _maybe(rng, f"{name}.{rng.choice(_DOMAINS)}", 0.04),
        "dns_domain": rng.choice(_DOMAINS),
        "ip_address": _ip(rng, index),
        "mac_address": _mac(rng, index, virtual),
        "serial_number": (f"VMware-42 {rng.getrandbits(32):08x} {rng.getrandbits(32):08x}" if virtual
                          else rng.choice((f"CZJ{index:07d}", *_SERIAL_PLACEHOLDERS))),  # unique, as vendors' are
        "company": rng.choice(("Acme Corp", "ACME Corporation", "Acme Corp.")),
        "manufacturer": manufacturer,
        "model_id": model,
        "os": _maybe(rng, os_name, 0.02),
        "os_version": rng.choice(_OS_VERSIONS[family]),
        "os_service_pack": rng.choice(("", "", "SP1", "N/A", "Service Pack 2")),
        "cpu_count": _maybe(rng, str(cores), 0.02),
        "cpu_core_count": str(cores * rng.choice((1, 2))),
        "cpu_speed": rng.choice(("2394", "2600", "3000 MHz", "2.4 GHz", "")),
        "cpu_manufacturer": rng.choice(("Intel", "GenuineIntel", "AMD", "IBM", "")),
        "ram": _memory(rng),
        "disk_space": _disk(rng),
        "virtual": rng.choice(("true", "Yes", "1") if virtual else ("false", "No", "0")) if rng.random() > 0.03 else "",
        "power_state": rng.choice(("poweredOn", "On", "Running", "poweredOn") if rng.random() > 0.06
                                  else ("poweredOff", "Off", "Stopped", "suspended")),
        "environment": _maybe(rng, environment, 0.03),
        "location": who.site,
        "install_status": rng.choice(_INSTALL),
        "operational_status": rng.choice(_OPERATIONAL),
        "business_criticality": _maybe(rng, rng.choice(_CRITICALITIES), 0.05),
        "owned_by": _maybe(rng, rng.choice(_PEOPLE), 0.08),
        "managed_by": _maybe(rng, rng.choice(_PEOPLE), 0.08),
        "support_group": rng.choice(_GROUPS),
        "department": _maybe(rng, rng.choice(_DEPARTMENTS), 0.1),
        "cost_center": f"CC-{rng.randrange(1000, 9999)}",
        "business_service": _maybe(rng, service, 0.1),
        "short_description": _description(rng, who.role, service, environment),
        "discovery_source": rng.choice(_DISCOVERY),
        "first_discovered": first_seen,
        "last_discovered": _timestamp(rng, 1000),
        "sys_created_on": first_seen,
        "sys_updated_on": _timestamp(rng, 1500),
        "depends_on": _depends_on(rng, seed, index),
    }


def duplicate_row(row: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The same server exported again: new sys_id, another case and FQDN, empty values filled in."""
    again = dict(row)
    again["sys_id"] = f"{rng.getrandbits(128):032x}"
    name = row["name"]
    again["name"] = name.lower() if name.isupper() else rng.choice((name.upper(), name.capitalize()))
    if "." in row["fqdn"]:
        host = row["fqdn"].split(".", 1)[0]
        again["fqdn"] = rng.choice((row["fqdn"].upper(), f"{host}.{rng.choice(_DOMAINS)}", f"{host.upper()}.EXAMPLE.NET"))
    for column, value in (("owned_by", rng.choice(_PEOPLE)), ("department", rng.choice(_DEPARTMENTS)),
                          ("business_service", rng.choice(_SERVICES))):
        if row[column] in _PLACEHOLDERS:
            again[column] = value
    again["discovery_source"] = rng.choice(_DISCOVERY)
    again["last_discovered"] = _timestamp(rng, 1800)
    return again


def spoil(row: dict[str, str], rng: random.Random) -> None:
    """Give the row one value cleansing must refuse (a negative or non-finite size)."""
    column, value = rng.choice((("ram", "-16384"), ("disk_space", "NaN"), ("ram", "NaN"), ("disk_space", "-500 GB")))
    row[column] = value


def write_export(path: Path, rows: int, seed: int = 7) -> ExportSummary:
    """Write `rows` rows (plus the header) to `path` as UTF-8 CSV, one row at a time."""
    if rows < 1:
        raise ValueError(f"an export needs at least one row, not {rows}")
    rng = random.Random(seed)
    servers = duplicates = bad = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number in range(1, rows + 1):
            if number % DUPLICATE_EVERY == 0:
                row = duplicate_row(server_row(seed, rng.randrange(servers)), rng)
                duplicates += 1
            else:
                row = server_row(seed, servers)
                servers += 1
            if rng.random() < BAD_ROW_RATE:
                spoil(row, rng)
                bad += 1
            writer.writerow(row)
    return ExportSummary(path, rows, servers, duplicates, bad, path.stat().st_size)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cmdb_export", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        summary = write_export(args.out, args.rows, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"{summary.path}: {summary.rows} rows ({summary.servers} servers, {summary.duplicate_rows} repeated, "
          f"{summary.bad_rows} with a bad value), {summary.size_bytes / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
