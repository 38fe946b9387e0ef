"""The crews through the real crewai package against an OpenAI-compatible server on loopback, on real PostgreSQL:
what each crew writes (source `llm`, beside the rules and people), that every model call is one usage row
matching what the server reported, that a budget stops a crew, that a malformed or refused answer fails the
task with its reason, and that an instruction planted in an inventory value changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("crewai", reason="the agents extra (crewai) is not installed: make setup AGENTS=1")

from activities.agents import AgentActivities  # noqa: E402
from agents.config import AgentSettings  # noqa: E402
from db.pool import tenant_transaction  # noqa: E402
from domain.discovery.header_embedding import HashedNgramEmbedder  # noqa: E402
from tests.conftest import make_engagement  # noqa: E402
from tests.discovery_harness import stage_and_map  # noqa: E402
from tests.openai_compatible_server import Answer, Server, data_block, running_server  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="session")

MODEL = "qwen2.5-7b-instruct"
# What a model answered for these headers (recorded answers, by header).
MAPPING_ANSWERS = {
    "Kennung": ("name", 0.8, "holds short server names like app-01"),
    "Betriebssystem": ("operating_system", 0.9, "German for operating system; values are OS names"),
    "Standort": ("location", 0.7, "German for site; values are data-centre names"),
}
INVENTORY = (
    "Kennung,Betriebssystem,Standort,CPU Cores,RAM (GB)\n"
    "app-01,Windows Server 2019,Frankfurt DC1,4,16\n"
    "app-02,Red Hat Enterprise Linux 8,Frankfurt DC1,8,32\n"
    "db-01,Windows Server 2016,Berlin DC2,16,128\n"
)


def settings(server: Server, **overrides: Any) -> AgentSettings:
    values = {"MIGRATION_LLM_BASE_URL": server.url, "MIGRATION_LLM_MODEL": MODEL,
              "MIGRATION_LLM_PRICE_INPUT_PER_MTOK": 0.15, "MIGRATION_LLM_PRICE_OUTPUT_PER_MTOK": 0.60,
              "MIGRATION_LLM_TIMEOUT_SECONDS": 30, **overrides}
    return AgentSettings(**values)


def mapping_model(request: dict[str, Any]) -> Answer:
    """Answers a mapping request from the recorded answers, by the headers in its data block."""
    proposals = []
    for column in data_block(request)["columns"]:
        target, confidence, reason = MAPPING_ANSWERS.get(column["header"], (None, 0.3, "no asset column fits"))
        proposals.append({"column": column["handle"], "target": target, "confidence": confidence, "reason": reason})
    return Answer(content={"proposals": proposals})


async def _rows(pool, ref, query: str, *args: Any) -> list[dict[str, Any]]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "servers.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def test_mapping_crew_suggests_for_review_and_accounts_every_call(app_pool, tmp_path: Path) -> None:
    fixture = await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, fixture.ref, [_write(tmp_path, INVENTORY)])
    before = {r["source_field"]: r for r in await _rows(
        app_pool, fixture.ref, "SELECT source_field, target_field, source, status FROM migration.import_field_mappings")}
    with running_server() as server:
        server.responder = mapping_model
        agents = AgentActivities(app_pool, HashedNgramEmbedder(), lambda: settings(server))
        result = await stage.env.run(agents.suggest_mappings, stage.step)
    summary = result.summary["agents"]
    assert summary["crew"] == "mapping" and summary["status"] == "completed", summary
    rows = {r["source_field"]: r for r in await _rows(
        app_pool, fixture.ref,
        "SELECT source_field, target_field, source, status, confidence, reason FROM migration.import_field_mappings")}
    llm = {k: r for k, r in rows.items() if r["source"] == "llm"}
    assert llm, rows
    for header, row in llm.items():
        assert before[header]["status"] != "approved" and before[header]["source"] != "user"
        assert row["status"] == "suggested" and row["target_field"] == MAPPING_ANSWERS[header][0]
        assert row["reason"].startswith(f"agent ({MODEL}): ")
    assert summary["suggestions"] == len(llm)
    for header, row in rows.items():  # what the rules approved stays as it was
        if before[header]["status"] == "approved":
            assert (row["target_field"], row["source"]) == (before[header]["target_field"], before[header]["source"])

    usage = await _rows(app_pool, fixture.ref,
                        "SELECT agent_name, task_name, phase, model, provider, prompt_tokens, completion_tokens,"
                        " cached_tokens, cost_usd, success, agent_task_id FROM migration.llm_usage_log")
    assert len(usage) == len(server.calls) == summary["calls"] >= 1
    assert sorted((u["prompt_tokens"], u["completion_tokens"]) for u in usage) == sorted(
        (c.usage["prompt_tokens"], c.usage["completion_tokens"]) for c in server.calls)
    assert {(u["agent_name"], u["task_name"], u["phase"], u["model"], u["success"]) for u in usage} == {
        ("mapping", "map_columns", "discovery", MODEL, True)}
    expected_cost = sum(c.usage["prompt_tokens"] * 0.15 + c.usage["completion_tokens"] * 0.60
                        for c in server.calls) / 1e6
    assert float(sum(u["cost_usd"] for u in usage)) == pytest.approx(expected_cost, abs=1e-5)
    tasks = await _rows(app_pool, fixture.ref, "SELECT id, agent_name, status, phase, model, output_summary,"
                                               " duration_ms FROM migration.agent_task_history")
    assert [(t["agent_name"], t["status"], t["phase"]) for t in tasks] == [("mapping", "completed", "discovery")]
    assert {u["agent_task_id"] for u in usage} == {tasks[0]["id"]}
    assert "crewai" not in str(server.calls[0].request.get("model"))
