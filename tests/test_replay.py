"""Replay of recorded histories: today's workflow code must make the same decisions it made then.

Histories of every workflow type are committed under tests/histories/; those of earlier releases
stay in its subfolders (before_multi_file_imports/, before_person_requests/, before_execution_runbooks/,
before_agent_crews/) and must
keep replaying too. After an intentional,
compatible-by-design change of workflow code, re-record them with
`RECORD_HISTORIES=1 .venv/bin/python -m pytest tests/test_replay.py` (incompatible changes need
workflow.patched() instead, so running engagements keep replaying).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from db.tenancy import approval_policy
from domain.flow_contracts import MappingCorrection
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import inventory_file, running_worker, wait_for
from worker import WORKFLOWS
from workflows.ids import phase_workflow_id, wave_workflow_id

HISTORIES = Path(__file__).with_name("histories")
RECORDING = os.environ.get("RECORD_HISTORIES") == "1"


def _history_files() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def _replayed_files() -> list[Path]:
    """Today's histories and those recorded by earlier releases, which running engagements may have."""
    return _history_files() + sorted(HISTORIES.glob("*/*.json"))


def test_every_workflow_type_has_a_recorded_history() -> None:
    """Today's histories hold every workflow type today's code starts; the dry-run waves of executions started
    before runbooks (WaveExecutionWorkflow) replay from the histories of that release."""
    def types(paths: list[Path]) -> set[str]:
        return {json.loads(p.read_text())["workflow_type"] for p in paths}

    every = {w.__temporal_workflow_definition.name for w in WORKFLOWS}
    assert types(_history_files()) == every - {"WaveExecutionWorkflow"}
    assert types(_replayed_files()) == every


@pytest.mark.parametrize("path", _replayed_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_recorded_history_replays(path: Path) -> None:
    data = json.loads(path.read_text())
    history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
    await Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter).replay_workflow(history)


@pytest.mark.skipif(not RECORDING, reason="set RECORD_HISTORIES=1 to re-record")
async def test_record_histories(dev_env, app_pool, tmp_path: Path) -> None:
    """Discovery waiting for and given a mapping review, a rejected-then-approved assessment, and
    auto-approved later phases whose waves the owner answers (manual steps, approvals): every workflow type and
    every kind of person's input."""
    e = await make_engagement(app_pool, policy=approval_policy(["planning", "execution"], 24))
    client = dev_env.client
    inventory = inventory_file(tmp_path, 12)
    inventory.write_text(inventory.read_text().replace("Server Name", "Kennung", 1))  # no identifying column known
    async with running_worker(client, app_pool) as queue:
        await control.launch(client, app_pool, e.ref, [inventory], queue)
        await wait_for(client, e.ref, lambda st: st.waiting_for is not None)
        await control.review_mappings(client, app_pool, e.ref, e.owner_id,
                                      [MappingCorrection(source_field="Kennung", target_field="name")])
        await wait_for(client, e.ref, lambda st: st.awaiting_approval == "discovery")
        await control.approve(client, app_pool, e.ref, "discovery", e.owner_id, "recorded")
        await wait_for(client, e.ref, lambda st: st.awaiting_approval == "assessment")
        handle = control.handle(client, e.ref)
        await control.reject(client, app_pool, e.ref, "assessment", e.owner_id, "recheck")
        await wait_for(client, e.ref, lambda st: st.awaiting_approval == "assessment")
        await control.approve(client, app_pool, e.ref, "assessment", e.owner_id, "recorded")
        await asyncio.wait_for(handle.result(), 300)
    ids = {
        "MasterFlowWorkflow": handle.id,
        **{f"{phase.capitalize()}FlowWorkflow": phase_workflow_id(e.ref.id, phase)
           for phase in ("discovery", "assessment", "planning", "execution")},
        "WaveRunbookWorkflow": wave_workflow_id(e.ref.id, 1),
    }
    for old in _history_files():
        if not old.stem.startswith("Maintenance"):  # tests/test_maintenance.py records those
            old.unlink()
    for workflow_type, workflow_id in ids.items():
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        (HISTORIES / f"{workflow_type}.json").write_text(json.dumps(
            {"workflow_type": workflow_type, "workflow_id": workflow_id, "history": json.loads(history.to_json())},
            indent=1,
        ))
