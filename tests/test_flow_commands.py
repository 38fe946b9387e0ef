"""The flow commands as a person runs them: `status --watch` ends by itself with an exit code that says
why, one line per change when its output is not a terminal and a table redrawn in place on one; approve,
pause, resume and cancel say what they did, or refuse in one line with what to do instead.

The CLI runs in its own process against the test servers; the worker runs in the test's event loop.
"""

from __future__ import annotations

import asyncio
import os
import pty
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from cli.flows import _changes_only, status_line, watch
from domain.flow_contracts import MappingCorrection
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from tests.conftest import give_login, make_engagement
from tests.flow_helpers import inventory_file, run_starter, running_worker, wait_for

ROOT = Path(__file__).resolve().parent.parent
BINARY = b"\x00\x01\x02PK\x03\x04 binary" * 50  # a file discovery cannot read: the phase fails
UNPLACEABLE = "Kennung,Betriebssystem,CPU Cores\napp-01,Windows Server 2019,4\ndb-01,Windows Server 2016,16\n"
TABLE_LINES = ("│", "┃", "━", "─")


async def _refused(env: dict[str, str], *args: str, message: str) -> None:
    code, out, err = await run_starter(env, *args)
    assert code == 1, (args, out, err)
    assert message in err, err
    assert len(err.strip().splitlines()) == 1, err


async def _watch(env: dict[str, str], engagement: str) -> tuple[int, list[str]]:
    code, out, err = await run_starter(env, "status", engagement, "--watch")
    lines = out.splitlines()
    assert lines and not err.strip(), (out, err)
    assert all(before != after for before, after in zip(lines, lines[1:])), "one line per change"
    assert not any(mark in line for line in lines for mark in TABLE_LINES), "no table when stdout is no terminal"
    return code, lines


# ----------------------------------------------------------------------------- status --watch
async def test_watch_prints_each_change_once(dev_env, app_pool, tmp_path: Path, capsys) -> None:
    """The watch loop itself, polling far faster than the flow changes: each state is printed once."""
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 1000)], queue)
        shown = []
        show = _changes_only(status_line)
        code, outcome = await watch(dev_env.client, e.ref, lambda st: (shown.append(st), show(st)), interval=0.05)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    lines = capsys.readouterr().out.splitlines()
    assert code == 3 and outcome == f"{e.ref.name}: phase discovery awaits approval: `approve` or `reject` it"
    assert lines == [line for i, line in enumerate(lines) if i == 0 or lines[i - 1] != line]
    distinct = [status_line(st) for i, st in enumerate(shown) if i == 0 or status_line(shown[i - 1]) != status_line(st)]
    assert lines == distinct and len(shown) > len(lines), "polled more often than it changed, printed each change"
    assert lines[-1].startswith("awaiting_approval, phase discovery") and "awaiting approval of discovery" in lines[-1]


async def test_watch_ends_when_a_person_must_approve_and_when_completed(
    dev_env, app_pool, migrated_db, cli_env, tmp_path: Path
) -> None:
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    engagement = str(e.ref.id)
    await _refused(owner, "status", engagement, "--watch", message="has not been launched")
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue,
                             auto_approve=PHASES[1:])
        code, lines = await _watch(owner, engagement)
        assert code == 3, lines
        assert "awaiting approval of discovery" in lines[-2]
        assert lines[-1] == f"{e.ref.name}: phase discovery awaits approval: `approve` or `reject` it"

        code, out, _ = await run_starter(owner, "status", engagement)
        assert code == 0 and "awaiting approval" in out and "│" in out  # without --watch: the table, exit 0
        await _refused(owner, "approve", engagement, "assessment",
                       message="phase assessment is not awaiting a decision; phase discovery awaits approval")
        code, out, _ = await run_starter(owner, "pause", engagement)
        assert code == 0 and "can still be approved" in out, out
        code, out, _ = await run_starter(owner, "approve", engagement, "discovery")
        assert code == 0 and "phase assessment starts when the engagement is resumed;" in out, out
        await wait_for(dev_env.client, e.ref, lambda st: st.status == "paused")
        code, lines = await _watch(owner, engagement)
        assert code == 3 and lines[-2].startswith("paused, phase discovery"), lines  # "paused" said once
        code, out, _ = await run_starter(owner, "status", engagement)
        assert code == 0 and "paused" in out and "(paused)" not in out, out
        code, out, _ = await run_starter(owner, "resume", engagement)
        assert (code, out.strip()) == (0, f"{e.ref.name}: resumed")

        code, lines = await _watch(owner, engagement)
        assert code == 0, lines
        assert lines[-2].startswith("completed, phase execution")
        assert lines[-1] == f"{e.ref.name}: the engagement has completed"
        await _refused(owner, "pause", engagement, message="nothing to pause — the engagement has completed")
        await _refused(owner, "approve", engagement, "execution",
                       message="nothing to approve — the engagement has completed")


async def test_watch_on_a_terminal_redraws_in_place(dev_env, app_pool, migrated_db, cli_env, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    viewer = cli_env | await give_login(migrated_db, e.viewer_id)  # a viewer reads the status
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        terminal, child_end = pty.openpty()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "starter.py"), "status", str(e.ref.id), "--watch",
            env={**viewer, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}, cwd=ROOT,
            stdout=child_end, stderr=asyncio.subprocess.PIPE)
        os.close(child_end)
        screen = await asyncio.to_thread(_read_until_closed, terminal)
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    assert proc.returncode == 3, (screen, err)
    assert "\x1b[?25l" in screen, "a live display (cursor hidden while it redraws)"
    assert "│" in screen and "awaiting approval" in screen
    assert f"{e.ref.name}: phase discovery awaits approval" in screen


def _read_until_closed(fd: int) -> str:
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except OSError:  # the other end closed
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode(errors="replace")


async def test_watch_ends_on_a_failure_and_a_cancellation(dev_env, app_pool, migrated_db, cli_env, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    engagement = str(e.ref.id)
    bad = tmp_path / "inventory.csv"
    bad.write_bytes(BINARY)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [bad], queue)
        code, lines = await _watch(owner, engagement)
        assert code == 4, lines
        assert lines[-2].startswith("failed, phase discovery") and "binary data (NUL bytes)" in lines[-2]
        assert lines[-1] == f"{e.ref.name}: phase discovery failed; reject it to re-run it or roll back"

        await _refused(owner, "pause", engagement,
                       message="nothing to pause — phase discovery failed; reject it to re-run it or roll back")
        code, out, _ = await run_starter(owner, "resume", engagement)
        assert code == 0 and out.startswith(f"{e.ref.name}: not paused, nothing to resume; phase discovery failed")
        code, out, _ = await run_starter(owner, "cancel", engagement)
        assert (code, out.strip()) == (0, f"{e.ref.name}: cancelled; its data is kept, and `launch` starts it again")

        code, lines = await _watch(owner, engagement)
        assert code == 4 and lines[-1] == f"{e.ref.name}: the engagement was cancelled; `launch` starts it again"
        await _refused(owner, "cancel", engagement, message="nothing to cancel — the engagement was cancelled")
        await _refused(owner, "resume", engagement, message="nothing to resume — the engagement was cancelled")


async def test_watch_ends_at_the_mapping_review_and_approve_points_to_it(
    dev_env, app_pool, migrated_db, cli_env, tmp_path: Path
) -> None:
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    engagement = str(e.ref.id)
    inventory = tmp_path / "servers.csv"
    inventory.write_text(UNPLACEABLE, encoding="utf-8")
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory], queue)
        code, lines = await _watch(owner, engagement)
        assert code == 3, lines
        assert "waiting for mapping review" in lines[-2]
        assert lines[-1].startswith(f"{e.ref.name}: discovery waits for a mapping review")
        assert "`mappings show`" in lines[-1] and "`mappings approve`" in lines[-1]

        for decision in (("approve", engagement, "discovery"), ("reject", engagement, "discovery", "--reason", "x")):
            await _refused(owner, *decision, message="discovery waits for a mapping review")
        await _refused(owner, "mappings", "set", engagement, "Kennung=nmae",
                       message="'nmae' is not an asset column (did you mean 'name'?)")
        await _refused(owner, "mappings", "set", engagement, "Kenung=name",
                       message="no column 'Kenung' in this engagement's import (did you mean 'Kennung'?)")
        await _refused(owner, "mappings", "set", engagement, "Kennung=name", "--file", "server.csv",
                       message="no file 'server.csv' in this engagement's import (did you mean 'servers.csv'?)")
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)


async def test_pause_and_resume_say_what_they_did(dev_env, app_pool, migrated_db, cli_env, tmp_path: Path) -> None:
    """Paused while discovery waits for the mapping review, so the flow holds at a known place: before the
    step after the review."""
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    engagement = str(e.ref.id)
    inventory = tmp_path / "servers.csv"
    inventory.write_text(UNPLACEABLE, encoding="utf-8")
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory], queue)
        await wait_for(dev_env.client, e.ref, lambda st: st.waiting_for is not None)
        viewer = cli_env | await give_login(migrated_db, e.viewer_id)
        await _refused(viewer, "pause", engagement, message=f"you may not pause in engagement {e.ref.name!r}")
        code, out, _ = await run_starter(owner, "pause", engagement)
        assert (code, out.strip()) == (0, f"{e.ref.name}: paused; phase discovery holds before its next step "
                                          "(a running step finishes first) until `resume`")
        code, out, _ = await run_starter(owner, "pause", engagement)
        assert (code, out.strip()) == (0, f"{e.ref.name}: already paused; `resume` lets it go on")
        await control.review_mappings(dev_env.client, app_pool, e.ref, e.owner_id,
                                      [MappingCorrection(source_field="Kennung", target_field="name")],
                                      accept_remaining=True)
        await wait_for(dev_env.client, e.ref, lambda st: st.step == "attribute_mapping" and not st.waiting_for)

        code, lines = await _watch(owner, engagement)
        assert code == 3 and lines[-2].startswith("running (paused), phase discovery / attribute_mapping"), lines
        assert lines[-1] == f"{e.ref.name}: the engagement is paused in discovery; `resume` lets it go on"

        code, out, _ = await run_starter(owner, "resume", engagement)
        assert (code, out.strip()) == (0, f"{e.ref.name}: resumed")
        await wait_for(dev_env.client, e.ref, lambda st: not st.paused)
        code, out, _ = await run_starter(owner, "resume", engagement)
        assert code == 0 and out.startswith(f"{e.ref.name}: not paused, nothing to resume; phase discovery "), out
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)


async def test_without_a_worker_status_and_cancel_say_so(dev_env, app_pool, tmp_path: Path) -> None:
    """Queries and updates need a worker: they give up in time and say so; pause and resume are signals that
    wait in the workflow's history until a worker runs."""
    e = await make_engagement(app_pool)
    await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], "a-queue-nobody-polls")
    two = timedelta(seconds=2)
    with pytest.raises(control.ControlError, match="no worker answered within 2 s; check that `worker.py` runs"):
        await control.status(dev_env.client, e.ref, timeout=two)
    with pytest.raises(control.ControlError, match=r"no worker answered within 2 s; check that `worker.py` runs on "
                       r"its task queue; the decision may still be applied when one starts, so check `status` before "
                       r"you approve again$"):
        await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id, timeout=two)
    assert await control.pause(dev_env.client, app_pool, e.ref, e.owner_id, timeout=two) == \
        f"{e.ref.name}: pause requested; it takes effect when a worker runs"
    assert await control.resume(dev_env.client, app_pool, e.ref, e.owner_id, timeout=two) == \
        f"{e.ref.name}: resume requested; it takes effect when a worker runs"
    history = await control.handle(dev_env.client, e.ref).fetch_history()
    assert [ev.workflow_execution_signaled_event_attributes.signal_name for ev in history.events
            if ev.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED] == ["pause", "resume"]
    assert await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id, wait_seconds=1) == (
        f"{e.ref.name}: cancellation requested, but the engagement has not ended within 1 s (no worker runs, "
        "or it is busy); `status` shows when it has")


async def test_watch_exits_0_when_the_flow_completes_between_its_query_and_describe(
    dev_env, app_pool, tmp_path: Path, monkeypatch
) -> None:
    """The query answered while the flow still ran, the describe after it had completed: completed, exit 0."""
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue,
                             auto_approve=PHASES)
        final = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    still_running = final.model_copy(update={"status": "running", "progress": 75.0})

    async def answered_before_the_end(client, ref, timeout=control.QUERY_TIMEOUT):
        return still_running

    monkeypatch.setattr(control, "status", answered_before_the_end)
    assert await watch(dev_env.client, e.ref, lambda st: None, interval=0.05) == \
        (0, f"{e.ref.name}: the engagement has completed")


async def test_a_decision_the_running_workflow_did_not_receive_is_not_called_not_running(
    dev_env, app_pool, tmp_path: Path, monkeypatch
) -> None:
    """The server answers an update NOT_FOUND while the workflow runs (the update was lost as the workflow
    moved on): the message is about the decision, not the engagement."""
    e = await make_engagement(app_pool)
    await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], "a-queue-nobody-polls")

    async def lost(*args, **kwargs):
        raise RPCError("update not found", RPCStatusCode.NOT_FOUND, b"")

    monkeypatch.setattr(WorkflowHandle, "execute_update", lost)
    with pytest.raises(control.ControlError) as refused:
        await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id)
    assert str(refused.value) == (f"engagement {e.ref.name!r} runs, but its workflow did not receive the decision "
                                  "(it moved on meanwhile); check `status`, then approve again if it still applies")
    await control.handle(dev_env.client, e.ref).terminate()
    with pytest.raises(control.ControlError, match="nothing to approve — the engagement's workflow was terminated"):
        await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id)
