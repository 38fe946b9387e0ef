"""`agents usage|budget|config` against the real PostgreSQL, run as people do (`starter.py` under their own login):
model calls and crew tasks written by the worker role (the application pool in the engagement's tenant context)
counted per agent and phase, another client's never; the budget shown, set by owners and approvers only, back to
the defaults; every refusal (a role, a bad number, an unknown engagement) one line; the machine's configuration
read without the stack and without ever showing the key."""

from __future__ import annotations

import json
import os
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from db import tenancy
from db.pool import tenant_transaction
from tests.conftest import TestDatabase, give_login, make_engagement
from tests.flow_helpers import rows, run_starter

SETTINGS_QUERY = "SELECT settings FROM migration.engagements"
CALL = ("INSERT INTO migration.llm_usage_log (client_account_id, engagement_id, agent_name, phase, task_name, model, "
        "provider, prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms, success, error) "
        "VALUES ($1, $2, $3, $4, 'batch 1', 'qwen2.5:7b-instruct', 'openai_compatible', $5, $6, $7, $8, 900, $9, $10)")
TASK = ("INSERT INTO migration.agent_task_history (client_account_id, engagement_id, agent_name, phase, task_name, "
        "status, input_summary, output_summary, error_message, duration_ms, model) "
        "VALUES ($1, $2, $3, $4, 'batch 1', $5, '{\"subjects\": 3}', NULL, $6, 1200, 'qwen2.5:7b-instruct')")
# (agent, phase, prompt, completion, cached, cost, success)
CALLS = [
    ("mapping", "discovery", 1200, 300, 0, Decimal("0.000360"), True),
    ("mapping", "discovery", 800, 0, 0, Decimal("0.000120"), False),
    ("strategy", "assessment", 5000, 700, 4000, Decimal("0.000795"), True),
    ("plan_critic", "planning", 2500, 400, 0, Decimal("0.000615"), True),
]
# (agent, phase, status)
TASKS = [("mapping", "discovery", "completed"), ("mapping", "discovery", "failed"),
         ("strategy", "assessment", "budget_exceeded"), ("plan_critic", "planning", "completed")]


@pytest.fixture
async def engagement(app_pool: asyncpg.Pool, migrated_db: TestDatabase, tmp_path: Path):
    made = await make_engagement(app_pool)
    members = {}
    for role in ("approver", "contributor"):
        members[role] = await tenancy.ensure_user(app_pool, f"{role}-{uuid.uuid4().hex[:8]}@example.com")
        await tenancy.add_member(app_pool, made.ref, members[role], role)
    logins = {"owner": await give_login(migrated_db, made.owner_id),
              "approver": await give_login(migrated_db, members["approver"]),
              "contributor": await give_login(migrated_db, members["contributor"]),
              "viewer": await give_login(migrated_db, made.viewer_id)}
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=migrated_db.app_url, MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING",
               MIGRATION_AGENT_BUDGET_TOKENS="100000", MIGRATION_AGENT_BUDGET_CALLS="50")

    async def run(who: str, *argv: str) -> tuple[int, str, str]:
        return await run_starter(env | logins[who], "agents", *argv)

    return made, run


async def seed(pool: asyncpg.Pool, ref: tenancy.EngagementRef, calls=CALLS, tasks=TASKS) -> None:
    """Model calls and crew tasks as the worker writes them: the application role in the tenant context."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        for agent, phase, prompt, completion, cached, cost, success in calls:
            await conn.execute(CALL, ref.client_account_id, ref.id, agent, phase, prompt, completion, cached, cost,
                               success, None if success else "HTTP 500 from the endpoint")
        for agent, phase, status in tasks:
            await conn.execute(TASK, ref.client_account_id, ref.id, agent, phase, status,
                               None if status == "completed" else f"{status}: see the task")


def one_line_error(result: tuple[int, str, str], code: int = 1) -> str:
    got, out, err = result
    assert got == code and out == "" and err.count("\n") == 1, result
    return err.removeprefix("error: ").rstrip("\n")


def table_rows(out: str) -> list[list[str]]:
    """The cells of the body of a rich table printed to a pipe (one line per row)."""
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in out.splitlines() if line.startswith("│")]


async def settings_of(pool: asyncpg.Pool, made) -> dict:
    return (await rows(pool, made.ref, SETTINGS_QUERY))[0]["settings"]


async def test_usage_per_agent_and_phase_with_totals_and_budget(app_pool: asyncpg.Pool, engagement) -> None:
    made, run = engagement
    await seed(app_pool, made.ref)
    other = await make_engagement(app_pool)  # another client's engagement: its rows never count
    await seed(app_pool, other.ref, calls=[("mapping", "discovery", 99_000, 9_000, 0, Decimal("9.5"), True)] * 3,
               tasks=[("mapping", "discovery", "completed")] * 3)

    code, out, err = await run("viewer", "usage", str(made.ref.id), "--json")  # a viewer reads it
    assert code == 0, err
    report = json.loads(out)
    assert report["engagement"] == made.ref.name and report["agents_on_this_machine"] == "not configured"
    no_tasks = {"completed": 0, "failed": 0, "budget_exceeded": 0}
    assert report["usage"] == [
        {"agent": "mapping", "phase": "discovery", "calls": 2, "failed_calls": 1, "prompt_tokens": 2000,
         "completion_tokens": 300, "cached_tokens": 0, "cost_usd": 0.00048,
         "tasks": no_tasks | {"completed": 1, "failed": 1}},
        {"agent": "strategy", "phase": "assessment", "calls": 1, "failed_calls": 0, "prompt_tokens": 5000,
         "completion_tokens": 700, "cached_tokens": 4000, "cost_usd": 0.000795,
         "tasks": no_tasks | {"budget_exceeded": 1}},
        {"agent": "plan_critic", "phase": "planning", "calls": 1, "failed_calls": 0, "prompt_tokens": 2500,
         "completion_tokens": 400, "cached_tokens": 0, "cost_usd": 0.000615, "tasks": no_tasks | {"completed": 1}}]
    assert report["total"] == {"agent": None, "phase": None, "calls": 4, "failed_calls": 1, "prompt_tokens": 9500,
                               "completion_tokens": 1400, "cached_tokens": 4000, "cost_usd": 0.00189,
                               "tasks": {"completed": 2, "failed": 1, "budget_exceeded": 1}}
    assert report["budget"] == {"tokens": {"limit": 100000, "from": "default", "used": 10900, "left": 89100},
                                "calls": {"limit": 50, "from": "default", "used": 4, "left": 46}}

    code, out, err = await run("owner", "usage", f"{made.ref.client_account_id}/{made.ref.name}")
    assert code == 0, err
    assert table_rows(out) == [
        ["mapping", "discovery", "2", "1", "2,000", "300", "0", "0.00048", "1", "1", "0"],
        ["strategy", "assessment", "1", "0", "5,000", "700", "4,000", "0.000795", "0", "0", "1"],
        ["plan_critic", "planning", "1", "0", "2,500", "400", "0", "0.000615", "1", "0", "0"],
        ["total", "", "4", "1", "9,500", "1,400", "4,000", "0.00189", "2", "1", "1"]]
    assert out.splitlines()[-1] == ("budget: 89,100 of 100,000 tokens and 46 of 50 calls left "
                                    "(tokens: the default, calls: the default)")


async def test_no_agent_has_run_is_one_line(engagement) -> None:
    made, run = engagement
    code, out, err = await run("viewer", "usage", str(made.ref.id))
    assert (code, err) == (0, "")
    assert out == f"no agent has run for {made.ref.name!r} (on this machine agents are not configured)\n"
    code, out, _ = await run("viewer", "usage", str(made.ref.id), "--json")
    report = json.loads(out)
    assert report["usage"] == [] and report["total"]["calls"] == 0 and report["total"]["cost_usd"] == 0


async def test_budget_set_show_and_back_to_defaults(app_pool: asyncpg.Pool, engagement) -> None:
    made, run = engagement
    await seed(app_pool, made.ref)
    ident = str(made.ref.id)
    async with tenant_transaction(app_pool, made.ref.client_account_id, made.ref.id) as conn:  # a key of the crews'
        await conn.execute("UPDATE migration.engagements SET settings = settings || '{\"agents\": {\"note\": 1}}'")
    others = await settings_of(app_pool, made)
    others.pop("agents")

    code, out, err = await run("owner", "budget", ident, "--tokens", "500000", "--json")
    assert code == 0, err
    assert json.loads(out) == {"tokens": {"limit": 500000, "from": "engagement", "used": 10900, "left": 489100},
                               "calls": {"limit": 50, "from": "default", "used": 4, "left": 46}}
    settings = await settings_of(app_pool, made)
    assert settings["agents"] == {"note": 1, "budget_tokens": 500000}
    assert {key: value for key, value in settings.items() if key != "agents"} == others  # the others are kept

    code, out, err = await run("approver", "budget", ident, "--calls", "3")
    assert code == 0, err
    assert out.splitlines()[0] == f"{made.ref.name}: the agent budget is set"
    assert table_rows(out) == [["500,000", "tokens", "the engagement's own", "10,900", "489,100"],
                                   ["3", "calls", "the engagement's own", "4", "0"]]
    assert (await settings_of(app_pool, made))["agents"] == {"note": 1, "budget_tokens": 500000, "budget_calls": 3}

    code, out, err = await run("viewer", "budget", ident)  # a viewer reads it
    assert code == 0, err
    assert table_rows(out)[1] == ["3", "calls", "the engagement's own", "4", "0"]

    code, out, err = await run("owner", "budget", ident, "--default")
    assert code == 0, err
    assert out.splitlines()[0] == f"{made.ref.name}: the agent budget is the defaults again"
    assert table_rows(out) == [["100,000", "tokens", "the default", "10,900", "89,100"],
                                   ["50", "calls", "the default", "4", "46"]]
    assert (await settings_of(app_pool, made))["agents"] == {"note": 1}


@pytest.mark.parametrize("who", ["viewer", "contributor"])
async def test_only_owners_and_approvers_change_the_budget(app_pool: asyncpg.Pool, engagement, who: str) -> None:
    made, run = engagement
    before = await settings_of(app_pool, made)
    assert one_line_error(await run(who, "budget", str(made.ref.id), "--tokens", "10")) == (
        f"you may not change the agent budget of {made.ref.name!r} (role: {who}; allowed: owner, approver)")
    assert one_line_error(await run(who, "budget", str(made.ref.id), "--default")).startswith("you may not change")
    assert await settings_of(app_pool, made) == before


@pytest.mark.parametrize(("argv", "message"), [
    (("--tokens", "-1"), "Invalid value for '--tokens': Input should be greater than or equal to 0"),
    (("--tokens", "1000000000001"),
     "Invalid value for '--tokens': Input should be less than or equal to 1000000000000"),
    (("--calls", "1000000001"), "Invalid value for '--calls': Input should be less than or equal to 1000000000"),
    (("--calls", "2.5"), "Invalid value for '--calls': Input should be a valid integer"),
    (("--tokens", "lots"), "Invalid value for '--tokens': Input should be a valid integer"),
    (("--default", "--calls", "5"), "--default drops the engagement's own limits; give it without --tokens and "
                                    "--calls"),
])
async def test_a_bad_number_is_one_line_and_changes_nothing(app_pool: asyncpg.Pool, engagement, argv,
                                                           message) -> None:
    made, run = engagement
    before = await settings_of(app_pool, made)
    error = one_line_error(await run("owner", "budget", str(made.ref.id), *argv), code=2)
    assert error.startswith(message) and "agents budget --help" in error
    assert await settings_of(app_pool, made) == before


@pytest.mark.parametrize("command", [("usage",), ("budget",), ("budget", "--tokens", "5")])
async def test_an_unknown_engagement_is_one_line(app_pool: asyncpg.Pool, engagement, command) -> None:
    made, run = engagement
    unknown = str(uuid.uuid4())
    assert one_line_error(await run("owner", command[0], unknown, *command[1:])) == f"no engagement {unknown!r}"
    other = await make_engagement(app_pool)  # another client's: the owner here is no member there
    await seed(app_pool, other.ref)
    assert one_line_error(await run("owner", command[0], str(other.ref.id), *command[1:])) == (
        f"no engagement {str(other.ref.id)!r}")
    assert "agents" not in await settings_of(app_pool, other)


async def test_config_without_the_stack(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING")

    assert await run_starter(env, "agents", "config") == (
        0, "agents: not configured (set MIGRATION_LLM_BASE_URL and MIGRATION_LLM_MODEL; docs/agents.md)\n", "")

    configured = env | {"MIGRATION_LLM_BASE_URL": "https://llm.example.net/v1",
                        "MIGRATION_LLM_MODEL": "gpt-4o-mini", "MIGRATION_LLM_API_KEY": "sk-do-not-show",
                        "MIGRATION_LLM_PRICE_INPUT_PER_MTOK": "0.15", "MIGRATION_LLM_PRICE_OUTPUT_PER_MTOK": "0.6",
                        "MIGRATION_AGENT_BUDGET_CALLS": "300"}
    code, out, err = await run_starter(configured, "agents", "config", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "configured": True, "agents_on_this_machine": json.loads(out)["agents_on_this_machine"],
        "model": "gpt-4o-mini", "endpoint": "https://llm.example.net:443", "api_key": "set",
        "usd_per_million_tokens": {"input": 0.15, "cached": 0.15, "output": 0.6}, "timeout_seconds": 120.0,
        "max_output_tokens": 2000, "default_budget": {"tokens": 2_000_000, "calls": 300}, "max_subjects": 200}
    code, out, err = await run_starter(configured, "agents", "config")
    assert code == 0 and "https://llm.example.net:443" in out and "2,000,000 tokens and 300 calls" in out
    assert "sk-do-not-show" not in out + err and "/v1" not in out

    for variable, value in (("MIGRATION_LLM_PRICE_INPUT_PER_MTOK", "-1"), ("MIGRATION_LLM_BASE_URL", "ftp://x"),
                            ("MIGRATION_LLM_BASE_URL", "http://llm.example.net:99999/v1"),
                            ("MIGRATION_LLM_BASE_URL", "https://llm.example.net/v1?api-key=sk-do-not-show")):
        error = one_line_error(await run_starter(configured | {variable: value}, "agents", "config"))
        assert error.startswith(f"agent settings are not valid: {variable}: ") and "sk-do-not-show" not in error, error
    assert not data_dir.exists(), "agents config started or prepared the embedded stack"
