"""Hostile files: time, peak memory and event-loop stalls of reading each, against normal files of similar size.

Each file is read as the import step reads it (`domain.discovery.readers.isolated`: a child process streaming
rows to an asyncio reader), in a fresh process of its own so every figure is that file's alone:

- `seconds`: from starting the reader to its last message (rows read, or the refusal);
- `worker_peak_mib`: peak RSS (VmHWM) of the process in the worker's place (the asyncio side);
- `reader_peak_mib`: peak RSS of the reader child (`ru_maxrss` of the waited-for child);
- `loop_stall_ms`: the longest a 10 ms timer on the asyncio loop fired late while the file was read.

The same run reads the normal files in-process too, as the step did before (planning on the loop, batches
in a thread: `--mode thread`), to show what a thread leaves the loop with. Nothing is written to a database:
`tests/test_hostile_files.py` covers what is kept.

    .venv/bin/python -m bench.hostile_files [--json-out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter

from domain.discovery.import_plan import planned_import
from domain.discovery.readers import InputFileError
from domain.discovery.readers.isolated import isolated_import
from domain.discovery.sample_inventory import generate_inventory, write_csv

BATCH = 5000


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _normal_csv(path: Path, servers: int) -> Path:
    write_csv(generate_inventory(servers), path)
    return path


def _normal_json(path: Path, servers: int) -> Path:
    return _text(path, json.dumps(generate_inventory(servers)))


def _many_sheets(path: Path) -> Path:
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    for n in range(200):
        sheet = book.add_worksheet(f"S{n}")
        sheet.write_row(0, 0, ["name", "ip_address"])
        for row in range(1, 50):
            sheet.write_row(row, 0, [f"srv-{n}-{row}", f"10.{n}.0.{row}"])
    book.close()
    return path


def _huge_cell(path: Path) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["name", "ip_address", "notes"], ["web-01", "10.0.0.1", "ok"],
                                  ["db-01", "10.0.0.2", "z" * (10 << 20)]])
    return path


FILES: dict[str, Callable[[Path], Path]] = {  # name -> how to write it; normal ones are the baselines
    "deep arrays, 100,000 levels (200 KB)": lambda d: _text(d / "deep-arrays.json", "[" * 100_000 + "]" * 100_000),
    "deep objects, 100,000 levels (600 KB)": lambda d: _text(d / "deep-objects.json",
                                                             '[{"a":' * 100_000 + "1" + "}]" * 100_000),
    "deep first line, 20,000 levels (120 KB)": lambda d: _text(d / "deep-line.json",
                                                               '{"a":' * 20_000 + "1" + "}" * 20_000 + "\n"),
    "40,000 columns x 5 rows (670 KB)": lambda d: _text(
        d / "wide.csv", ",".join(f"c{n}" for n in range(40_000)) + "\n"
        + "\n".join(",".join("x" * 40_000) for _ in range(5)) + "\n"),
    "200 sheets x 50 rows (xlsx)": lambda d: _many_sheets(d / "sheets.xlsx"),
    "one 10 MB cell (10 MB csv)": lambda d: _huge_cell(d / "huge-cell.csv"),
    "one 50 MB JSON string (50 MB)": lambda d: _text(d / "long-string.json",
                                                     '[{"name": "a", "notes": "' + "x" * (50 << 20) + '"}]'),
    "normal csv, 3,000 servers (~700 KB)": lambda d: _normal_csv(d / "normal-small.csv", 3_000),
    "normal json, 2,000 servers (~700 KB)": lambda d: _normal_json(d / "normal-small.json", 2_000),
    "normal csv, 45,000 servers (~10 MB)": lambda d: _normal_csv(d / "normal-10mb.csv", 45_000),
    "normal json, 100,000 servers (~35 MB)": lambda d: _normal_json(d / "normal-big.json", 100_000),
}
THREAD_BASELINES = ("normal csv, 45,000 servers (~10 MB)", "normal json, 100,000 servers (~35 MB)")


def _peak_mib() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _stalls(longest: list[float]) -> None:
    """Record in `longest[0]` how late (in seconds) a 10 ms sleep on this loop ever woke up."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(0.01)
        longest[0] = max(longest[0], loop.time() - start - 0.01)


async def _read_isolated(path: Path) -> tuple[str, int]:
    rows = 0
    async with isolated_import({uuid.uuid4(): path}, BATCH) as reader:
        while await reader.next_file() is not None:
            while batch := await reader.next_batch():
                rows += len(batch)
            await reader.finish_file()
    return "read", rows


async def _read_in_thread(path: Path) -> tuple[str, int]:
    """The step before the child process: planning on the loop, batches in a thread."""
    rows = 0
    with planned_import({uuid.uuid4(): path}) as plan:
        for planned in plan:
            while planned.table is not None and (batch := await asyncio.to_thread(planned.table.next_batch, BATCH)):
                rows += len(batch)
    return "read", rows


async def _measure(path: Path, mode: str) -> dict[str, Any]:
    longest = [0.0]
    ticker = asyncio.create_task(_stalls(longest))
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    try:
        outcome, rows = await (_read_isolated(path) if mode == "child" else _read_in_thread(path))
    except InputFileError as exc:
        outcome, rows = f"refused: {exc}", 0
    seconds = time.perf_counter() - start
    ticker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticker
    return {"outcome": outcome, "rows": rows, "seconds": round(seconds, 3), "worker_peak_mib": round(_peak_mib(), 1),
            "reader_peak_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "loop_stall_ms": round(longest[0] * 1000, 1), "bytes": path.stat().st_size}


def _one(path: Path, mode: str) -> dict[str, Any]:
    """Measure one file in a fresh process (so peaks are its own)."""
    done = subprocess.run([sys.executable, "-m", "bench.hostile_files", "--one", str(path), "--mode", mode],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("child", "thread"), default="child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(asyncio.run(_measure(args.one, args.mode))))
        return 0
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        for name, write in FILES.items():
            path = write(Path(folder))
            modes = ("child", "thread") if name in THREAD_BASELINES else ("child",)
            for mode in modes:
                results.append({"file": name, "mode": mode, **_one(path, mode)})
                path_result = results[-1]
                print(f"{name:42} {mode:6} {path_result['seconds']:7.2f} s  worker {path_result['worker_peak_mib']:7.1f}"
                      f" MiB  reader {path_result['reader_peak_mib']:7.1f} MiB  loop stall "
                      f"{path_result['loop_stall_ms']:7.1f} ms  {path_result['outcome'][:90]}", flush=True)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
