"""What the agents advised, as people see it, against the real PostgreSQL: the rows the crews write (strategy
alternatives, plan critic findings, llm mappings, model calls, the `agents` summaries in crew_ai_state) seeded
with plain SQL as the worker role writes them, then read back by `status`'s table, `strategy show` (run as a
person runs it) and the report. The advice is shown beside the decisions, never instead of them; a model's text
is escaped; an engagement without agents says so in one sentence."""

from __future__ import annotations

import io
import json
import os
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cli.common import SafeConsole
from cli.flows import _status_table
from db.agent_advice import plan_critic_findings
from db.pool import tenant_transaction
from db.report_data import load_report
from db.strategy_overrides import override_strategy
from domain.agent_advice import NOTHING_ADVISED, agents_line, findings_heading
from domain.discovery.header_embedding import HashedNgramEmbedder
from domain.flow_contracts import MasterStatus
from reports.model import ReportLimits
from reports.render import render_html
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement
from tests.flow_helpers import run_starter
from tests.test_assessment_phase import insert_assets
from tests.test_planning_phase import phase_step

EVIL = "<script>alert(1)</script>"
MAPPING = {"crew": "mapping", "status": "completed", "tasks": 2, "failed_tasks": 0, "calls": 3, "tokens": 4210,
           "cost_usd": 0.0021, "suggestions": 12}
STRATEGY_FAILED = {"crew": "strategy", "status": "failed", "tasks": 1, "failed_tasks": 1, "calls": 1, "tokens": 900,
                   "cost_usd": 0.0004, "suggestions": 0, "reason": "the answer was not valid JSON"}
CRITIC = {"crew": "plan_critic", "status": "completed", "tasks": 1, "failed_tasks": 0, "calls": 1, "tokens": 2900,
          "cost_usd": 0.0006, "findings": 7}
# insight type, title, confidence, waves
FINDINGS = [
    ("risk_pattern", "Wave 2 moves every database at once", 0.91, [2]),
    ("optimization_opportunity", "Waves 3 and 4 could merge", 0.55, [3, 4]),
    ("anomaly_detection", EVIL, 0.80, []),
    ("risk_pattern", "No pilot wave", 0.30, [1]),
    ("risk_pattern", "dns-01 is reached by every wave", 0.70, [1, 2, 3]),
    ("anomaly_detection", "A wave without owners", 0.40, [5]),
    ("optimization_opportunity", "Wave 1 is small", 0.20, [1]),
]


async def add_findings(pool: asyncpg.Pool, ref: Any, master: uuid.UUID, findings: list[tuple]) -> None:
    """Plan critic findings as the worker writes them: engagement-scoped learning patterns of the master flow."""
    embedder = HashedNgramEmbedder()
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        for insight, title, confidence, waves in findings:
            value = {"title": title, "detail": f"detail of {title}", "waves": waves, "assets": ["db-01"],
                     "model": "qwen2.5:7b-instruct"}
            await conn.execute(
                "INSERT INTO migration.agent_learning_patterns (client_account_id, engagement_id, master_flow_id,"
                " insight_type, scope, pattern_key, pattern_value, embedding, embedding_model, raw_evidence,"
                " confidence_score, discovered_by) VALUES ($1, $2, $3, $4, 'engagement', $5, $6, $7, $8, $9, $10,"
                " 'plan_critic')", ref.client_account_id, ref.id, master, insight, f"plan_critic:{uuid.uuid4()}",
                value, embedder.embed([title])[0], embedder.model, {"plan": "summary"}, confidence)


async def add_alternative(pool: asyncpg.Pool, ref: Any, strategy: str, confidence: float, rationale: str, *,
                          asset_id: uuid.UUID | None = None, application: str | None = None) -> None:
    """The strategy crew's alternative for an asset or an application, as the worker writes it."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(
            "INSERT INTO migration.agent_recommendations (client_account_id, engagement_id, subject_type, asset_id,"
            " application_name, strategy, confidence, rationale, model, input_digest) VALUES ($1, $2, $3, $4, $5,"
            " $6, $7, $8, 'qwen2.5:7b-instruct', $9)", ref.client_account_id, ref.id,
            "asset" if asset_id else "application", asset_id, application, strategy, confidence, rationale,
            uuid.uuid4().hex)


async def set_agents_summary(pool: asyncpg.Pool, ref: Any, phase: str, flow_id: uuid.UUID, step: str,
                             agents: dict[str, Any]) -> None:
    """A phase row's crew_ai_state carrying the step's `agents` summary."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(
            f"UPDATE migration.{phase}_flows SET crew_ai_state = crew_ai_state || jsonb_build_object($2::text,"
            " jsonb_build_object('agents', $3::jsonb)) WHERE flow_id = $1", flow_id, step, agents)


def status_text(st: MasterStatus, findings: tuple[list, int]) -> str:
    """The status table as the CLI's escaping console prints it."""
    console = SafeConsole(width=240, record=True, file=io.StringIO())
    console.print(_status_table(st, findings))
    return console.export_text()


def master_status(ref: Any, master: uuid.UUID, summaries: dict[str, dict[str, Any]],
                  awaiting: str | None = "planning") -> MasterStatus:
    return MasterStatus(engagement_id=ref.id, master_flow_id=master, status="awaiting_approval", phase="planning",
                        step="cost_estimate", progress=75.0, awaiting_approval=awaiting, paused=False,
                        phases_completed=("discovery", "assessment"), phase_flow_ids={}, asset_count=6,
                        phase_summaries=summaries)


# ------------------------------------------------------------------------------------------------ status


def test_agents_lines_say_what_each_crew_did() -> None:
    assert agents_line({"crew": "mapping", "status": "not configured"}) == "agents: not configured"
    assert agents_line(MAPPING) == "agents (mapping): 12 suggestions, 3 calls, 4,210 tokens, 0.0021 USD"
    assert agents_line(STRATEGY_FAILED) == ("agents (strategy): failed — the answer was not valid JSON; "
                                            "0 suggestions, 1 of 1 task failed, 1 call, 900 tokens, 0.0004 USD")
    assert agents_line({"crew": "strategy", "status": "budget_exceeded", "reason": "50,000 tokens used of 50,000",
                        "calls": 0}) == "agents (strategy): budget exceeded — 50,000 tokens used of 50,000"
    assert agents_line({"crew": "plan_critic", "status": "nothing to review", "calls": 0}) == (
        "agents (plan critic): nothing to review")
    assert agents_line({"crew": "mapping", "status": "configured, but crewai is not installed (pip install "
                        "'migration-platform[agents]')"}) == (
        "agents (mapping): configured, but crewai is not installed (pip install 'migration-platform[agents]')")
    assert agents_line(CRITIC) == "agents (plan critic): 7 findings, 1 call, 2,900 tokens, 0.0006 USD"
    rewritten = {**CRITIC, "note": "about the plan before a person rewrote it"}  # kept through `plan import`
    assert agents_line(rewritten) == ("agents (plan critic): 7 findings, 1 call, 2,900 tokens, 0.0006 USD "
                                      "(about the plan before a person rewrote it)")
    assert agents_line({"crew": "plan_critic", "status": "not configured", "note": "about the plan before a person "
                        "rewrote it"}) == "agents: not configured"
    assert findings_heading(7, 5, {"cost_estimate": {"agents": rewritten}}) == (
        "plan critic: 7 findings (the 5 most confident below; about the plan before a person rewrote it); advice "
        "only, the plan is approved by a person")
    assert findings_heading(2, 2, {"cost_estimate": {"agents": CRITIC}}) == (
        "plan critic: 2 findings; advice only, the plan is approved by a person")


async def test_status_lists_agents_summaries_and_the_plan_critics_findings(app_pool: asyncpg.Pool) -> None:
    ref = (await make_engagement(app_pool)).ref
    earlier = await phase_step(app_pool, ref, "planning")  # an earlier launch: its findings are not this run's
    await add_findings(app_pool, ref, earlier.master_flow_id, [("risk_pattern", "an older plan's finding", 1.0, [])])
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.crewai_flow_state_extensions SET status = 'cancelled' WHERE flow_id = $1",
                           earlier.master_flow_id)
    step = await phase_step(app_pool, ref, "planning")
    await add_findings(app_pool, ref, step.master_flow_id, FINDINGS)
    other = (await make_engagement(app_pool, ref.client_account_id)).ref
    other_step = await phase_step(app_pool, other, "planning")
    await add_findings(app_pool, other, other_step.master_flow_id, [("risk_pattern", "another engagement", 1.0, [])])

    findings = await plan_critic_findings(app_pool, ref, step.master_flow_id)
    assert findings[1] == 7 and [f.confidence for f in findings[0]] == [0.91, 0.80, 0.70, 0.55, 0.40]
    every = await plan_critic_findings(app_pool, ref, limit=None)  # the engagement's, whichever master flow
    assert every[1] == 8 and every[0][0].title == "an older plan's finding"
    summaries = {
        "discovery": {"inventory": {"assets": 6}, "attribute_mapping": {"columns": 10, "mapped": 9, "agents": MAPPING}},
        "assessment": {"strategy_recommendation": {"strategy_mix": {"rehost": 6}, "agents": STRATEGY_FAILED}},
        "planning": {"wave_planning": {"waves": 5}, "cost_estimate": {"effort_person_days": 40.0, "agents": CRITIC}},
    }
    text = status_text(master_status(ref, step.master_flow_id, summaries), findings)
    lines = [line.strip(" │┃|") for line in text.splitlines()]
    assert any("awaiting approval" in line and "planning (the plan critic made 7 findings: see planning below)"
               in line for line in lines), text
    expected = [
        "agents (mapping): 12 suggestions, 3 calls, 4,210 tokens, 0.0021 USD",
        "agents (strategy): failed — the answer was not valid JSON; 0 suggestions, 1 of 1 task failed, 1 call, "
        "900 tokens, 0.0004 USD",
        "agents (plan critic): 7 findings, 1 call, 2,900 tokens, 0.0006 USD",
        "plan critic: 7 findings (the 5 most confident below); advice only, the plan is approved by a person",
        "risk pattern (0.91): Wave 2 moves every database at once — wave 2",
        f"anomaly detection (0.80): {EVIL}",
        "risk pattern (0.70): dns-01 is reached by every wave — waves 1, 2, 3",
        "optimization opportunity (0.55): Waves 3 and 4 could merge — waves 3, 4",
        "anomaly detection (0.40): A wave without owners — wave 5",
    ]
    shown = [line.strip() for line in lines]
    positions = [next(i for i, line in enumerate(shown) if line.endswith(want)) for want in expected]
    assert positions == sorted(positions), text  # in order: each phase's agents line under it, findings after
    assert "older plan" not in text and "another engagement" not in text and "No pilot wave" not in text

    not_configured = {phase: {"step": {"agents": {"crew": crew, "status": "not configured"}}}
                      for phase, crew in (("discovery", "mapping"), ("assessment", "strategy"),
                                          ("planning", "plan_critic"))}
    quiet = status_text(master_status(ref, step.master_flow_id, not_configured, awaiting=None), ([], 0))
    assert quiet.count("agents: not configured") == 3 and "plan critic" not in quiet


# ------------------------------------------------------------------------------------------------ strategy show


@pytest.fixture
async def advised(app_pool: asyncpg.Pool) -> tuple[EngagementFixture, dict[str, uuid.UUID]]:
    """Assets decided by the rules and by a person, an application, and the strategy crew's alternatives."""
    made = await make_engagement(app_pool)
    ref = made.ref
    ids = await insert_assets(app_pool, ref, [
        {"name": "web-01", "asset_type": "server", "application_name": "shop", "six_r_strategy": "rehost",
         "strategy_source": "rule", "strategy_confidence": 0.55, "strategy_rationale": {"rule": "standard_vm"}},
        {"name": "db-01", "asset_type": "database", "application_name": "shop", "six_r_strategy": "replatform",
         "strategy_source": "rule", "strategy_confidence": 0.75, "strategy_rationale": {"rule": "managed_database"}},
        {"name": "dns-01", "asset_type": "server", "six_r_strategy": "rehost", "strategy_source": "rule",
         "strategy_confidence": 0.9, "strategy_rationale": {"rule": "standard_vm"}},
    ])
    await override_strategy(app_pool, ref, "db-01", "rehost", made.owner_id, "an extension is missing")
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(
            "INSERT INTO migration.application_assessments (client_account_id, engagement_id, application_name,"
            " asset_count, six_r_strategy, strategy_confidence, strategy_rationale) VALUES ($1, $2, 'shop', 2,"
            " 'rehost', 0.6, '{}')", ref.client_account_id, ref.id)
    await add_alternative(app_pool, ref, "replatform", 0.62, "Tomcat on RHEL 7: a managed app platform fits",
                          asset_id=ids["web-01"])
    await add_alternative(app_pool, ref, "replatform", 0.7, f"{EVIL} \x1b[31mred\x1b[0m the database suits RDS",
                          asset_id=ids["db-01"])
    await add_alternative(app_pool, ref, "refactor", 0.4, "the shop is being rewritten anyway", application="shop")
    return made, ids


@pytest.fixture
async def viewer_cli(migrated_db: TestDatabase, advised, tmp_path: Path):
    """Runs a command on the engagement as its viewer (reading needs no right to decide), or as its owner."""
    made, _ = advised
    logins = {"viewer": await give_login(migrated_db, made.viewer_id),
              "owner": await give_login(migrated_db, made.owner_id)}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=migrated_db.app_url, MIGRATION_DATA_DIR=str(tmp_path), LOG_LEVEL="WARNING")

    async def run(*argv: str, command: tuple[str, ...] = ("strategy", "show"),
                  who: str = "viewer") -> tuple[int, str, str]:
        return await run_starter(env | logins[who], *command, str(made.ref.id), *argv)

    return run


async def test_strategy_show_puts_the_agents_alternative_beside_the_rules_and_the_persons(advised, viewer_cli):
    made, ids = advised
    code, out, err = await viewer_cli("web-01")
    assert code == 0, err
    assert out.splitlines() == [
        f"web-01 (asset {ids['web-01']})",
        "  decided: rehost (rule, 0.55) by rule standard_vm",
        "  agent (llm, qwen2.5:7b-instruct): replatform 0.62 — Tomcat on RHEL 7: a managed app platform fits "
        "[an alternative only: it decides nothing]",
    ]
    code, out, err = await viewer_cli("DB-01")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].startswith("  decided: rehost (a person, by owner-") and lines[1].endswith(
        ": an extension is missing")
    assert lines[2] == "  rules recommended: replatform 0.75 by rule managed_database"
    assert lines[3] == (f"  agent (llm, qwen2.5:7b-instruct): replatform 0.70 — {EVIL} \\x1b[31mred\\x1b[0m the "
                        "database suits RDS [an alternative only: it decides nothing]")  # no terminal escape sent
    code, out, err = await viewer_cli("dns-01")
    assert code == 0 and out.splitlines()[1:] == ["  decided: rehost (rule, 0.90) by rule standard_vm",
                                                  "  agent: no alternative"], err

    code, out, err = await viewer_cli()  # every subject with an alternative: assets, then applications
    assert code == 0, err
    assert [line for line in out.splitlines() if not line.startswith(" ")] == [
        f"db-01 (asset {ids['db-01']})", f"web-01 (asset {ids['web-01']})", "shop (application)"]
    assert "  agent (llm, qwen2.5:7b-instruct): refactor 0.40 — the shop is being rewritten anyway" in out

    code, out, err = await viewer_cli(str(ids["db-01"]), "--json")
    assert code == 0, err
    [shown] = json.loads(out)
    assert shown["decided"]["strategy"] == "rehost" and shown["decided"]["source"] == "user"
    assert shown["decided"]["reason"] == "an extension is missing"
    assert shown["rule_recommendation"] == {"strategy": "replatform", "source": "rule", "confidence": 0.75,
                                            "rule": "managed_database"}
    assert shown["agent_alternative"] == {
        "strategy": "replatform", "confidence": 0.7, "model": "qwen2.5:7b-instruct", "source": "llm",
        "role": "alternative", "rationale": f"{EVIL} \x1b[31mred\x1b[0m the database suits RDS"}


async def test_a_persons_decision_is_shown_with_the_agents_alternative_beside_it(advised, viewer_cli) -> None:
    code, out, err = await viewer_cli("web-01", "retain", "--reason", "the licence runs to 2028",
                                      command=("strategy", "set"), who="owner")
    assert code == 0, err
    assert out.splitlines()[0].startswith("web-01: rehost -> retain (decided by owner-")
    assert out.splitlines()[1] == ("  agent (llm, qwen2.5:7b-instruct): replatform 0.62 — Tomcat on RHEL 7: a managed "
                                   "app platform fits [an alternative only: it decides nothing]")
    code, out, err = await viewer_cli("dns-01", "retire", "--reason", "replaced by cloud DNS", "--json",
                                      command=("strategy", "set"), who="owner")
    assert code == 0 and json.loads(out)["agent_alternative"] is None, err
    code, out, err = await viewer_cli("web-01")
    lines = out.splitlines()
    assert code == 0 and lines[1].startswith("  decided: retain (a person, by owner-"), (out, err)
    assert lines[1].endswith("): the licence runs to 2028")
    assert lines[2] == "  rules recommended: rehost 0.55 by rule standard_vm"


async def test_strategy_show_of_nothing_known_is_one_line(viewer_cli) -> None:
    code, out, err = await viewer_cli("nope-99")
    assert code == 1 and out == "" and err.count("\n") == 1, (code, out, err)
    assert "no asset or application 'nope-99'" in err and "`assets list` lists them" in err


# ------------------------------------------------------------------------------------------------ report


async def test_the_report_and_the_mapping_review_say_what_the_agents_advised(app_pool: asyncpg.Pool, advised,
                                                                             viewer_cli, tmp_path: Path) -> None:
    made, ids = advised
    ref = made.ref
    master = (await phase_step(app_pool, ref, "discovery")).master_flow_id
    for phase, step, agents in (("discovery", "attribute_mapping", MAPPING),
                                ("assessment", "strategy_recommendation", STRATEGY_FAILED),
                                ("planning", "cost_estimate", CRITIC)):
        async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
            flow = await conn.fetchval(f"SELECT flow_id FROM migration.{phase}_flows WHERE master_flow_id = $1",
                                       master)
            if flow is None:  # a phase row of the same master flow, written directly
                flow = uuid.uuid4()
                await conn.execute(
                    f"INSERT INTO migration.{phase}_flows (client_account_id, engagement_id, flow_id, master_flow_id)"
                    " VALUES ($1, $2, $3, $4)", ref.client_account_id, ref.id, flow, master)
        await set_agents_summary(app_pool, ref, phase, flow, step, agents)
    await add_findings(app_pool, ref, master, FINDINGS)
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        upload = await conn.fetchval(
            "INSERT INTO migration.data_imports (client_account_id, engagement_id, master_flow_id, file_name,"
            " source_format, status) VALUES ($1, $2, $3, 'cmdb.csv', 'generic_csv', 'completed') RETURNING id",
            ref.client_account_id, ref.id, master)
        for column, target, status in (("Srv", "name", "approved"), ("Owner", "owner", "suggested"),
                                       ("Tier", "business_criticality", "approved")):
            await conn.execute(
                "INSERT INTO migration.import_field_mappings (client_account_id, engagement_id, data_import_id,"
                " source_field, target_field, confidence, source, status, reason) VALUES ($1, $2, $3, $4, $5, 0.7,"
                " 'llm', $6, 'read from the values')", ref.client_account_id, ref.id, upload, column, target, status)
        for agent, tokens, cost, success in (("mapping", 4210, 0.0021, True), ("strategy", 900, 0.0004, False)):
            await conn.execute(
                "INSERT INTO migration.llm_usage_log (client_account_id, engagement_id, master_flow_id, agent_name,"
                " model, provider, prompt_tokens, completion_tokens, cost_usd, success) VALUES ($1, $2, $3, $4,"
                " 'qwen2.5:7b-instruct', 'openai_compatible', $5, 0, $6, $7)", ref.client_account_id, ref.id,
                master, agent, tokens, cost, success)

    report = await load_report(app_pool, ref, ReportLimits(rows=3, alternatives=1))
    a = report.agents
    assert a.configured and (a.mappings_suggested, a.mappings_approved, a.alternatives_total) == (3, 2, 3)
    assert [(c.phase, c.summary) for c in a.crews] == [
        ("discovery", agents_line(MAPPING)), ("assessment", agents_line(STRATEGY_FAILED)),
        ("planning", agents_line(CRITIC))]
    # web-01 (rehost by the rules, replatform offered) and shop (rehost, refactor offered) differ; db-01 was
    # decided as rehost by a person and the agent offered replatform: differs too. One shown, two more.
    assert [x.name for x in a.alternatives.rows] == ["db-01"] and a.alternatives.rest == 2
    assert [f.title for f in a.findings.rows] == ["Wave 2 moves every database at once", EVIL,
                                                  "dns-01 is reached by every wave"] and a.findings.rest == 4
    assert (a.calls, a.failed_calls, a.tokens, a.cost_usd, a.models) == (2, 1, 5110, 0.0025, ("qwen2.5:7b-instruct",))

    page = render_html(report)
    section = page[page.index('<section id="agents">'):]
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "The mapping crew suggested 3 column mappings; a person approved 2 of them as suggested." in section
    assert "The strategy crew gave 3 alternatives; 3 differ from the decided strategy:" in section
    assert "<td>db-01 (asset)</td><td>rehost</td><td>a person (owner-" in section
    assert "<td>replatform</td><td class=\"n\">0.70</td>" in section
    assert "… and 2 more alternatives not listed." in section and "… and 4 more findings not listed." in section
    assert "<td>risk pattern</td><td>Wave 2 moves every database at once</td>" in section
    assert "2 calls (1 failed), 5,110 tokens, estimated cost 0.0025 USD; model qwen2.5:7b-instruct." in section
    assert "agents (strategy): failed — the answer was not valid JSON" in section
    assert NOTHING_ADVISED not in page

    out_dir = tmp_path / "report"  # a person's own reads give the same section as the worker role's
    code, out, err = await viewer_cli("--out", str(out_dir), command=("report",))
    assert code == 0, err
    html = (out_dir / "index.html").read_text()
    worker_view = render_html(await load_report(app_pool, ref))
    assert html.split('<section id="agents">')[1].split("</section>")[0] == \
        worker_view.split('<section id="agents">')[1].split("</section>")[0]

    code, out, err = await viewer_cli("--all", command=("mappings", "show"))
    assert code == 0, err
    assert out.count(" llm ") == 3 and "1 column(s) wait for review; 2 approved" in out
    assert out.rstrip().endswith(
        "by llm: an agent's suggestion; like every suggestion it applies only once a person approves it")


async def test_a_report_without_agents_says_so_in_one_sentence(app_pool: asyncpg.Pool) -> None:
    ref = (await make_engagement(app_pool)).ref
    await insert_assets(app_pool, ref, [{"name": "web-01", "asset_type": "server"}])
    step = await phase_step(app_pool, ref, "discovery")
    await set_agents_summary(app_pool, ref, "discovery", step.phase_flow_id, "attribute_mapping",
                             {"crew": "mapping", "status": "not configured"})
    report = await load_report(app_pool, ref)
    assert not report.agents.configured
    assert [c.summary for c in report.agents.crews] == ["agents: not configured"]
    section = render_html(report).split('<section id="agents">')[1]
    assert f"<p>{NOTHING_ADVISED}</p>" in section and "<table>" not in section
