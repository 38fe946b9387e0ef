"""The mapping review loop on a real Temporal dev server and PostgreSQL, and what it teaches.

A file whose identifying column the platform cannot place makes discovery wait; a person's
correction (the same update the CLI sends) lets it go on, is applied by cleansing, and is learned:
the next engagement of the client gets the corrected target suggested with high confidence and
does not wait. Bad review requests are refused with a clear message and change nothing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError

from db import import_review
from db.people import record_request
from domain.flow_contracts import MappingCorrection, MappingReviewRequest
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.discovery_harness import stage_and_map
from tests.flow_helpers import activity_worker, fetchval, running_worker, wait_for, workflow_only_worker
from workflows.ids import phase_workflow_id
from workflows.phase_flows import DiscoveryFlowWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")

# "Kennung" (German for identifier) names no asset field in any table the platform knows.
UNPLACEABLE = (
    "Kennung,Betriebssystem,CPU Cores,RAM (GB)\n"
    "app-01,Windows Server 2019,4,16\n"
    "app-02,Red Hat Enterprise Linux 8,8,32\n"
    "db-01,Windows Server 2016,16,128\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def _mapping(pool, ref, column: str) -> dict:
    imports = await import_review.latest_imports(pool, ref)
    rows = await import_review.mapping_rows(pool, ref, [d["id"] for d in imports])
    return next(r for r in rows if r["source_field"] == column)


async def test_review_correction_is_applied_and_learned(dev_env, app_pool, tmp_path: Path) -> None:
    first = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, first.ref, [_write(tmp_path, "servers.csv", UNPLACEABLE)],
                             queue, auto_approve=PHASES)
        st = await wait_for(dev_env.client, first.ref, lambda st: st.waiting_for is not None)
        assert st.phase == "discovery" and "mapping review" in st.waiting_for
        assert await fetchval(app_pool, first.ref, "SELECT count(*) FROM migration.assets") == 0
        for decide in (control.approve(dev_env.client, app_pool, first.ref, "discovery", first.owner_id),
                       control.reject(dev_env.client, app_pool, first.ref, "discovery", first.owner_id, "not yet")):
            with pytest.raises(control.ControlError, match=r"discovery waits for a mapping review.*\(see `mappings "
                                                           r"show`, then `mappings set` or `mappings approve`\)"):
                await decide

        with pytest.raises(control.ControlError, match="who asked to review mappings has role viewer in this engagement, which may not"):
            await control.review_mappings(dev_env.client, app_pool, first.ref, first.viewer_id,
                                          [MappingCorrection(source_field="Kennung", target_field="name")])
        with pytest.raises(control.ControlError, match="'server_label' is not an asset column"):
            await control.review_mappings(dev_env.client, app_pool, first.ref, first.owner_id,
                                          [MappingCorrection(source_field="Kennung", target_field="server_label")])
        with pytest.raises(control.ControlError, match="no column 'Nope'"):
            await control.review_mappings(dev_env.client, app_pool, first.ref, first.owner_id,
                                          [MappingCorrection(source_field="Nope", target_field="name")])
        assert (await _mapping(app_pool, first.ref, "Kennung"))["source"] != "user"

        review = await control.review_mappings(dev_env.client, app_pool, first.ref, first.owner_id,
                                               [MappingCorrection(source_field="Kennung", target_field="name")],
                                               accept_remaining=True)
        assert review.complete and review.learned >= 1
        result = await asyncio.wait_for(control.handle(dev_env.client, first.ref).result(), 300)
        assert result.status == "completed"
        names = await fetchval(app_pool, first.ref, "SELECT array_agg(name ORDER BY name) FROM migration.assets")
        assert names == ["app-01", "app-02", "db-01"]
        corrected = await _mapping(app_pool, first.ref, "Kennung")
        assert (corrected["target_field"], corrected["source"], corrected["status"]) == ("name", "user", "approved")

        # The same client's next engagement: a similar header is suggested from what was learned.
        second = await make_engagement(app_pool, client_id=first.ref.client_account_id)
        similar = UNPLACEABLE.replace("Kennung", "kennung ").replace("app-", "web-")
        await control.launch(dev_env.client, app_pool, second.ref, [_write(tmp_path, "more.csv", similar)], queue,
                             auto_approve=PHASES)
        result = await asyncio.wait_for(control.handle(dev_env.client, second.ref).result(), 300)
        assert result.status == "completed"  # never waited for a review
        learned = await _mapping(app_pool, second.ref, "kennung")
        assert learned["target_field"] == "name" and learned["source"] == "learned"
        assert learned["confidence"] >= 0.9 and learned["status"] == "approved"
        assert "Kennung" in learned["reason"]


async def test_a_mistyped_correction_is_refused_and_leaves_no_traceback_in_the_worker_log(
    dev_env, app_pool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A person's typing error is answered to the person; the worker logs no failure for it (at its
    default level, INFO), so bad input cannot flood its log with tracebacks."""
    caplog.set_level(logging.INFO)
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [_write(tmp_path, "servers.csv", UNPLACEABLE)], queue)
        await wait_for(dev_env.client, e.ref, lambda st: st.waiting_for is not None)
        caplog.clear()
        mistakes = {
            ("Kennung", "nmae", None): "'nmae' is not an asset column (did you mean 'name'?); see `mappings targets`",
            ("Kenung", "name", None): "no column 'Kenung' in this engagement's import (did you mean 'Kennung'?)",
            ("Kennung", "name", "server.csv"): "no file 'server.csv' in this engagement's import (did you mean "
                                               "'servers.csv'?); its files: servers.csv",
        }
        for (column, target, file_name), message in mistakes.items():
            with pytest.raises(control.ControlError) as refused:
                await control.review_mappings(dev_env.client, app_pool, e.ref, e.owner_id, [MappingCorrection(
                    source_field=column, target_field=target, file_name=file_name)])
            assert message in str(refused.value)
        with pytest.raises(control.ControlError, match="who asked to review mappings has role viewer in this engagement, which may not"):
            await control.review_mappings(dev_env.client, app_pool, e.ref, e.viewer_id, accept_remaining=True)
        assert (await _mapping(app_pool, e.ref, "Kennung"))["source"] != "user"
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_review_is_refused_when_discovery_does_not_wait(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    good = "Server Name,OS,CPU Cores\nweb-01,Windows Server 2019,4\n"
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [_write(tmp_path, "good.csv", good)], queue)
        await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        with pytest.raises(control.ControlError, match="not waiting for a mapping review"):
            await control.review_mappings(dev_env.client, app_pool, e.ref, e.owner_id, accept_remaining=True)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)


# ----------------------------------------------------------------------------- review rules, without a server
async def test_accepting_the_rest_never_gives_two_columns_one_field(app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, e.ref, [_write(tmp_path, "s.csv", "Kennung,Srv Nm,OS\na1,b1,RHEL 9\n"
                                                                             "a2,b2,RHEL 8\na3,b3,RHEL 7\n")])
    assert any(line.startswith("s.csv: Srv Nm (suggested name") for line in stage.summary["needs_review"])
    status = await stage.review(MappingReviewRequest(
        client_account_id=e.ref.client_account_id, user=e.owner_id, accept_remaining=True,
        corrections=(MappingCorrection(source_field="Kennung", target_field="name"),)))
    assert not status.complete  # "Srv Nm" keeps its suggestion open: name is taken by Kennung
    assert any(line.startswith("s.csv: Srv Nm") for line in status.needs_review)
    with pytest.raises(ApplicationError, match="another column already fills name"):
        await stage.review(MappingReviewRequest(client_account_id=e.ref.client_account_id, user=e.owner_id,
                                                corrections=(MappingCorrection(source_field="Srv Nm",
                                                                               target_field="name"),)))
    done = await stage.review(MappingReviewRequest(
        client_account_id=e.ref.client_account_id, user=e.owner_id,
        corrections=(MappingCorrection(source_field="Srv Nm", target_field="hostname"),)))
    assert done.complete


async def test_an_address_identifies_a_row_and_symbol_headers_do_not_break_mapping(app_pool, tmp_path) -> None:
    e = await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, e.ref, [_write(tmp_path, "ips.csv", "#,IPAddress,OS\n1,10.0.0.1,RHEL 9\n"
                                                                               "2,10.0.0.2,RHEL 8\n")])
    assert stage.summary["blocking"] == [] and stage.summary["needs_review"] == []


async def _decide_kennung(app_pool, tmp_path: Path, ref, owner) -> None:
    stage = await stage_and_map(app_pool, ref, [_write(tmp_path, f"{ref.id}.csv", UNPLACEABLE)])
    status = await stage.review(MappingReviewRequest(
        client_account_id=ref.client_account_id, user=owner, accept_remaining=True,
        corrections=(MappingCorrection(source_field="Kennung", target_field="name"),)))
    assert status.complete and status.learned >= 1


async def _kennung(app_pool, tmp_path: Path, ref) -> dict:
    stage = await stage_and_map(app_pool, ref, [_write(tmp_path, f"{ref.id}-next.csv", UNPLACEABLE)])
    return await _mapping(app_pool, ref, "Kennung") | {"summary": stage.summary}


async def test_learning_scopes(app_pool, tmp_path: Path) -> None:
    """engagement: only that engagement learns; client: the client's engagements; global: other clients
    are offered the decision as a suggestion to confirm, never applied unseen."""
    narrow = await make_engagement(app_pool, learning_scope="engagement")
    await _decide_kennung(app_pool, tmp_path, narrow.ref, narrow.owner_id)
    sibling = await make_engagement(app_pool, client_id=narrow.ref.client_account_id)
    assert (await _kennung(app_pool, tmp_path, sibling.ref))["source"] != "learned"
    again = await _kennung(app_pool, tmp_path, narrow.ref)
    assert (again["source"], again["status"]) == ("learned", "approved")

    sharing = await make_engagement(app_pool, learning_scope="global")
    await _decide_kennung(app_pool, tmp_path, sharing.ref, sharing.owner_id)
    stranger = await make_engagement(app_pool)  # another client
    offered = await _kennung(app_pool, tmp_path, stranger.ref)
    assert (offered["target_field"], offered["source"], offered["status"]) == ("name", "learned", "suggested")
    assert offered["confidence"] < 0.9
    assert any("Kennung (suggested name" in line for line in offered["summary"]["needs_review"])


async def test_a_review_that_waited_for_one_that_completed_the_review_is_refused(
    dev_env, app_pool, tmp_path: Path
) -> None:
    """Two reviews accepted together: the first completes the review, the second (waiting for the lock) is
    refused and applies nothing, since discovery may already be cleansing with the first one's mappings."""
    e = await make_engagement(app_pool)
    client = dev_env.client
    async with running_worker(client, app_pool) as queue:
        await control.launch(client, app_pool, e.ref, [_write(tmp_path, "servers.csv", UNPLACEABLE)], queue)
        await wait_for(client, e.ref, lambda st: st.waiting_for is not None)
    discovery = client.get_workflow_handle(phase_workflow_id(e.ref.id, "discovery"))
    reviews = [MappingReviewRequest(
        client_account_id=e.ref.client_account_id, user=e.owner_id, accept_remaining=True,
        corrections=(MappingCorrection(source_field="Kennung", target_field="name"),),
        request_id=await record_request(app_pool, e.ref, "mapping_review", on_behalf_of=e.owner_id, payload={
            "corrections": [{"source_field": "Kennung", "target_field": "name"}], "accept_remaining": True}))
        for _ in range(2)]
    async with workflow_only_worker(client, queue):
        first, second = [await discovery.start_update(DiscoveryFlowWorkflow.review_mappings, review,
                                                      wait_for_stage=WorkflowUpdateStage.ACCEPTED) for review in reviews]
        async with activity_worker(client, app_pool, queue):
            assert (await first.result()).complete
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await second.result()
            await control.cancel(client, app_pool, e.ref, e.owner_id)
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == "NotAwaiting"
    assert refused.value.cause.message.startswith("discovery is no longer waiting for a mapping review")
    history = await discovery.fetch_history()
    applied = [ev for ev in history.events if ev.activity_task_scheduled_event_attributes.activity_type.name
               == "discovery.apply_mapping_review"]
    assert len(applied) == 1
