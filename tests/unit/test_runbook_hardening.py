"""What an attacker's inventory, template or endpoint cannot do to a runbook (findings of the review of issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_INPUT
from activities.runbooks import Act, filled_params, plan_action
from domain.execution.contracts import ActionPayload
from domain.execution.executor_specs import ExecutorOutcome
from domain.execution.parameters import PlaceholderError
from domain.execution.scheduler import MAX_DELAY_SECONDS, StepDef, allowed_operations
from domain.execution.steps import after_outcome, checks_outcome
from domain.execution.templates import check_template

ASSET_STEP = StepDef(id=uuid4(), strategy="rehost", key="sync", step_type="automated", group_index=0, scope="asset",
                     position=0, needs=())


def test_a_huge_retry_after_is_a_bounded_wait() -> None:
    now = datetime.now(UTC)
    move = after_outcome("automated", {}, 1, ExecutorOutcome(status="retry_later", retry_after_seconds=1e12), now)
    assert move.status == "waiting"
    assert (move.next_attempt_at - now).total_seconds() == MAX_DELAY_SECONDS


def test_a_wait_until_beyond_what_is_stored_is_refused_by_the_checks() -> None:
    template = {"name": "t", "strategy": "retire", "groups": [{"name": "g", "scope": "wave", "steps": [
        {"key": "hold", "title": "Hold", "type": "wait", "until": "9999-12-31T23:00:00-12:00"}]}]}
    assert any("beyond the year" in problem for problem in check_template(template))


@pytest.mark.parametrize("hostname", ["-oProxyCommand=sh -c 'id'", "web01\r\nX-Injected: 1", "169.254.169.254/latest?"])
def test_an_inventory_value_unsafe_where_it_goes_fails_the_run(hostname: str) -> None:
    with pytest.raises(PlaceholderError, match="asset.hostname"):
        filled_params({"program": "sync", "args": ["--host", "${asset.hostname}"]},
                      {"asset.hostname": hostname, "asset.name": "web01"}, ASSET_STEP)


def test_values_filled_into_a_url_or_path_cannot_add_a_path_or_query() -> None:
    params = filled_params({"endpoint": "api", "path": "servers/${asset.name}", "body": {"n": "${asset.name}"}},
                           {"asset.name": "web01?force=true&delete=all/.."}, ASSET_STEP)
    assert params["path"] == "servers/web01%3Fforce%3Dtrue%26delete%3Dall%2F.."
    assert params["body"] == {"n": "web01?force=true&delete=all/.."}  # a JSON body carries the text as it is


def test_a_passed_check_keeps_nothing_its_target_answered() -> None:
    outcome, findings = checks_outcome("validation", {}, [
        ({"executor": "http_probe", "params": {"url": "http://x/"}},
         ExecutorOutcome(status="completed", output="AWS_SECRET=abc"))])
    assert outcome.status == "completed" and "AWS_SECRET" not in str(findings)


def _approval_row(roles: list[str]) -> dict:
    return {"id": uuid4(), "status": "pending_approval", "step_type": "approval", "direction": "forward",
            "spec": {"approving_roles": roles}, "approvals": [], "attempts": 0, "generation": 1,
            "idempotency_key": "k/1", "step_key": "go_no_go", "scope": "wave"}


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_steps_approving_roles_decide_it(action: str) -> None:
    act = Act(action, uuid4(), "approver", {"note": "no"}, datetime.now(UTC))
    with pytest.raises(ApplicationError) as refused:
        plan_action(act, [_approval_row(["owner"])])
    assert refused.value.type == BAD_INPUT and "decided by owner" in refused.value.message


def test_completed_runs_are_not_abandoned_and_approvals_not_asked_again() -> None:
    assert "abandon" not in allowed_operations("completed", "automated")
    assert allowed_operations("completed", "approval") == ()


@pytest.mark.parametrize("payload", [
    {"action": "approve", "wave": 1, "selection": {"all": True}},  # no step: it would approve every approval
    {"action": "skip", "wave": 1, "step": "x", "selection": {"where": {"colour": ""}}},
    {"action": "complete", "wave": 1, "step": "x", "selection": {"all": True}, "note": "n" * 2001},
    {"action": "complete", "wave": 1, "step": "x", "selection": {"all": True}, "evidence": "a text"},
    {"action": "complete", "wave": 1, "step": "x", "selection": {"asset": "a", "all": True}},
])
def test_a_malformed_request_is_refused_before_it_acts(payload: dict) -> None:
    with pytest.raises(ValidationError):
        ActionPayload.model_validate(payload)
