"""Who holds a loopback port the embedded stack needs: one of this platform's embedded servers (and of which
data directory), or another program. Used only to word the error when a port is taken.

Our servers are recognised by their command lines, which name the data directory they serve
(the layout `runtime/devstack.py` gives them): `postgres -D <data dir>/postgres/data ...` and
`temporal server start-dev ... --db-filename <data dir>/temporal/temporal.sqlite ...`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import psutil

# service -> (its executable's name, the option naming its data path, that path's last two parts)
_EMBEDDED_SERVERS = {
    "PostgreSQL": ("postgres", "-D", ("postgres", "data")),
    "Temporal": ("temporal", "--db-filename", ("temporal", "temporal.sqlite")),
}


@dataclass(frozen=True)
class EmbeddedServer:
    service: str
    data_dir: Path
    pid: int


def embedded_server_in_command(cmdline: list[str]) -> tuple[str, Path] | None:
    """(service, data directory) if the command line is one of our embedded servers', else None."""
    if not cmdline:
        return None
    for service, (executable, option, tail) in _EMBEDDED_SERVERS.items():
        if Path(cmdline[0]).name != executable or option not in cmdline[:-1]:
            continue
        path = Path(cmdline[cmdline.index(option) + 1])
        if path.is_absolute() and path.parts[-2:] == tail:
            return service, path.parents[1]
    return None


def embedded_server_on(port: int) -> EmbeddedServer | None:
    """Our embedded server listening on `port`, or None for another program (or a server this user cannot see).

    Each of our servers is asked for its own sockets, rather than the system for the port's owner: a
    PostgreSQL backend forked a moment ago still holds its postmaster's socket and no longer shows the
    postmaster's command line.
    """
    for process in psutil.process_iter(["cmdline"]):
        found = embedded_server_in_command(process.info["cmdline"] or [])
        if found is None:
            continue
        try:
            sockets = process.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any(s.status == psutil.CONN_LISTEN and s.laddr and s.laddr.port == port for s in sockets):
            return EmbeddedServer(found[0], found[1], process.pid)
    return None


def port_taken_message(port: int, variable: str, other_program_advice: str) -> str:
    """One line on who holds `port` and what to do: stop our server of another data directory, or move away."""
    server = embedded_server_on(port)
    if server is None:
        return f"port {port} is taken by another program; {other_program_advice}"
    data_dir = shlex.quote(str(server.data_dir))
    return (
        f"port {port} is used by this platform's embedded {server.service} of data directory {server.data_dir} "
        f"(pid {server.pid}); stop it with `MIGRATION_DATA_DIR={data_dir} starter.py dev down` or choose {variable}"
    )
