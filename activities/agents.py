"""The crews' activities: each reads what its crew reviews, runs the crew task by task in a worker thread, and
writes what it kept, every model call (`llm_usage_log`, at once) and every task (`agent_task_history`).

- `agents.suggest_mappings` (discovery, after attribute mapping): columns the rules left without a target or
  below the review threshold get the mapping crew's proposal, source `llm`, status `suggested` (a person
  reviews it like any guess; values that do not fit the target withdraw it, as for the rules' guesses).
- `agents.review_strategies` (assessment, after the strategy step): close calls and low-confidence rule
  decisions get the strategy crew's alternative in `agent_recommendations`, beside the rule's result and any
  person's decision, never instead of them.
- `agents.critique_plan` (planning, after the cost estimate): the plan critic's findings replace its earlier
  ones as engagement-scoped insights in `agent_learning_patterns`, with embeddings.

An agent never fails a phase: an endpoint that is down, an answer that does not validate or a spent budget ends
the crew with a summary saying so (`status`, `reason`), and the rules' results stand. Only a database failure
raises, and Temporal retries: calls already made stay in the budget, and subjects already answered for the same
facts are skipped.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from pydantic import BaseModel
from temporalio import activity

from activities.heartbeat import heartbeating
from activities.mapping import AUTO_APPROVE_CONFIDENCE, PROFILE_SAMPLE_ROWS
from agents.accounting import CallUsage, Ledger, cost_usd
from agents.answers import (
    MappingAnswer,
    PlanCritique,
    StrategyAnswer,
    check_findings,
    check_mapping,
    check_strategies,
)
from agents.briefs import Brief, cut, mapping_brief, plan_critic_brief, strategy_brief
from agents.config import AgentSettings, AgentSettingsError, agent_settings, prices_of, unavailable_reason
from db.agents import engagement_budget
from db.pool import tenant_transaction
from db.queries import sql
from domain.discovery.field_mapping import MappingSuggestion
from domain.discovery.header_embedding import Embedder
from domain.discovery.mapping_checks import check_guesses
from domain.flow_contracts import StepInput, StepResult

PROVIDER = "openai_compatible"
# Subjects per crew task (one model call when the answer validates).
COLUMNS_PER_TASK = 25
SUBJECTS_PER_TASK = 10
# A crew stops after this many failed tasks in a row (an endpoint that is down costs nothing more).
FAILURES_IN_A_ROW = 3
# A rule decision the strategy crew reviews: confidence below this, or the runner-up this close in score.
LOW_CONFIDENCE = 0.5
CLOSE_CALL = 0.1
# Waves the plan critic sees in detail (about 120 tokens each); a larger plan shows it those most worth a look.
CRITIC_WAVES = 40
DROPPED_KEPT = 20  # reasons for dropped proposals kept in a task's output summary
# Crews wait on model servers in threads of their own, so slow endpoints never take the threads the phases'
# steps use (asyncio.to_thread's default pool); at most this many crews of this worker call models at once.
CREW_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="agent-crew")
# How long a model call's thread waits for its usage row to be written.
LOG_WAIT_SECONDS = 60


@dataclass
class CrewTask:
    """One crew task: its brief and answer model, a summary of its input, and how to write a valid answer."""

    name: str
    brief: Brief
    answer_model: type[BaseModel]
    input_summary: dict[str, Any]
    apply: Callable[[asyncpg.Connection, Any, UUID, str], Awaitable[dict[str, Any]]]


@dataclass
class CrewRun:
    """What one crew did in this activity."""

    crew: str
    tasks: int = 0
    failed_tasks: int = 0
    kept: int = 0
    cost_usd: float = 0.0
    stop: str | None = None  # budget_exceeded / failed, with `reason`
    reason: str | None = None
    ledger: Ledger | None = None
    db_errors: list[BaseException] = field(default_factory=list)

    def summary(self, kept_label: str) -> dict[str, Any]:
        ledger = self.ledger
        status = self.stop or ("failed" if self.tasks and self.failed_tasks == self.tasks else "completed")
        summary = {"crew": self.crew, "status": status, "tasks": self.tasks, "failed_tasks": self.failed_tasks,
                   "calls": ledger.calls if ledger else 0, "tokens": ledger.tokens if ledger else 0,
                   "cost_usd": round(self.cost_usd, 6), kept_label: self.kept}
        if self.reason and status != "completed":
            summary["reason"] = self.reason
        return summary


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _number(value: Any) -> float | int | None:
    return None if value is None else (value if isinstance(value, int) else round(float(value), 2))


class AgentActivities:
    def __init__(self, pool: asyncpg.Pool, embedder: Embedder,
                 settings: Callable[[], AgentSettings] = agent_settings) -> None:
        self._pool = pool
        self._embedder = embedder
        self._settings = settings

    def _tx(self, inp: StepInput):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id)

    @activity.defn(name="agents.suggest_mappings")
    @heartbeating
    async def suggest_mappings(self, inp: StepInput) -> StepResult:
        """The mapping crew's proposals for the columns the rules could not map with confidence."""
        return await self._crew("mapping", "discovery", "suggestions", inp, self._mapping_tasks)

    @activity.defn(name="agents.review_strategies")
    @heartbeating
    async def review_strategies(self, inp: StepInput) -> StepResult:
        """The strategy crew's alternatives for the rules' close calls."""
        return await self._crew("strategy", "assessment", "suggestions", inp, self._strategy_tasks)

    @activity.defn(name="agents.critique_plan")
    @heartbeating
    async def critique_plan(self, inp: StepInput) -> StepResult:
        """The plan critic's findings on the written wave plan."""
        return await self._crew("plan_critic", "planning", "findings", inp, self._critic_tasks)

    async def _crew(self, crew: str, phase: str, kept_label: str, inp: StepInput,
                    plan: Callable[[StepInput, AgentSettings], Awaitable[list[CrewTask]]]) -> StepResult:
        try:
            settings = self._settings()
        except AgentSettingsError as error:
            return StepResult(summary={"agents": {"crew": crew, "status": "failed", "reason": str(error)}})
        unavailable = unavailable_reason(settings)
        if unavailable is not None:
            return StepResult(summary={"agents": {"crew": crew, "status": unavailable}})
        tasks = await plan(inp, settings)
        if not tasks:
            return StepResult(summary={"agents": {"crew": crew, "status": "nothing to review"}})
        # The crew's lock lives in a transaction held open on its own connection while the crew runs: a session
        # lock would be taken and released on different server connections behind pgbouncer's transaction pooling.
        async with self._pool.acquire() as lock, lock.transaction():
            await lock.execute(sql("agent_crew_lock"), inp.tenant.engagement_id)
            async with self._tx(inp) as conn:
                budget = await engagement_budget(conn, inp.tenant.engagement_id, settings)
            run = CrewRun(crew=crew, ledger=Ledger(budget))
            failures_in_a_row = 0
            for task in tasks:
                ok = await self._run_task(run, phase, inp, settings, task)
                failures_in_a_row = 0 if ok else failures_in_a_row + 1
                if run.stop is not None:
                    break
                if failures_in_a_row == FAILURES_IN_A_ROW and len(tasks) > run.tasks:
                    run.stop = "failed"
                    run.reason = f"stopped after {FAILURES_IN_A_ROW} failed tasks in a row: {run.reason}"
                    break
        return StepResult(summary={"agents": run.summary(kept_label)})

    async def _run_task(self, run: CrewRun, phase: str, inp: StepInput, settings: AgentSettings,
                        task: CrewTask) -> bool:
        """Run one task; write its calls as they happen and its outcome. False when it failed."""
        from agents.crew import AccountingTransport, AgentRole, describe_failure, run_task  # the `agents` extra

        assert run.ledger is not None
        task_id = uuid4()
        loop = asyncio.get_running_loop()
        prices = prices_of(settings)

        def on_call(usage: CallUsage) -> None:  # in the crew's thread: the row is written before it goes on
            cost = cost_usd(usage, prices)
            run.cost_usd += cost
            future = asyncio.run_coroutine_threadsafe(
                self._log_call(inp, run.crew, task.name, phase, task_id, settings.model or "", usage, cost), loop)
            try:
                future.result(timeout=LOG_WAIT_SECONDS)
            except Exception as error:  # the row could not be written: no further call, the activity retries
                run.ledger.stop()
                run.db_errors.append(error)
                raise

        secrets = (settings.api_key.get_secret_value(),) if settings.api_key else ()
        transport = AccountingTransport(run.ledger, on_call, settings.timeout_seconds, secrets)
        brief = task.brief
        role = AgentRole(brief.role, brief.goal, brief.backstory)
        run.tasks += 1
        started = time.monotonic()
        try:
            answer = await loop.run_in_executor(CREW_THREADS, run_task, settings, transport, role, brief.instructions,
                                                brief.data, brief.expected_output, task.answer_model)
        except asyncio.CancelledError:
            run.ledger.stop()
            raise
        except Exception as error:
            if run.db_errors:
                raise run.db_errors[0] from None
            run.failed_tasks += 1
            status = "budget_exceeded" if run.ledger.refused else "failed"
            reason = run.ledger.refusal or describe_failure(error, settings)
            run.reason = reason
            if status == "budget_exceeded":
                run.stop = status
            async with self._tx(inp) as conn:
                await self._log_task(conn, inp, run.crew, task, phase, settings, task_id, status, None, reason,
                                     started)
            return False
        finally:
            transport.close()
        async with self._tx(inp) as conn:
            output = await task.apply(conn, answer, task_id, settings.model or "")
            await self._log_task(conn, inp, run.crew, task, phase, settings, task_id, "completed", output, None,
                                 started)
        run.kept += output["kept"]
        return True

    async def _log_call(self, inp: StepInput, crew: str, task_name: str, phase: str, task_id: UUID, model: str,
                        usage: CallUsage, cost: float) -> None:
        async with self._tx(inp) as conn:
            await conn.execute(sql("llm_call_insert"), inp.tenant.client_account_id, inp.tenant.engagement_id,
                               inp.master_flow_id, crew, task_name, phase, task_id, model, PROVIDER,
                               usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.estimated, cost,
                               usage.latency_ms, usage.success, usage.error)

    @staticmethod
    async def _log_task(conn: asyncpg.Connection, inp: StepInput, crew: str, task: CrewTask, phase: str,
                        settings: AgentSettings, task_id: UUID, status: str, output: dict[str, Any] | None,
                        error: str | None, started: float) -> None:
        await conn.execute(sql("agent_task_insert"), task_id, inp.tenant.client_account_id, inp.tenant.engagement_id,
                           inp.master_flow_id, crew, task.name, phase, settings.model, status, task.input_summary,
                           output, error, max(0, int((time.monotonic() - started) * 1000)))

    # -- mapping --------------------------------------------------------------------------------------------

    async def _mapping_tasks(self, inp: StepInput, settings: AgentSettings) -> list[CrewTask]:
        async with self._tx(inp) as conn:
            rows = await conn.fetch(sql("agent_mapping_candidates"), list(inp.data_import_ids),
                                    AUTO_APPROVE_CONFIDENCE, settings.max_subjects)
            taken_rows = await conn.fetch(sql("agent_mapping_taken_targets"), list(inp.data_import_ids))
            samples: dict[UUID, dict[str, list[str]]] = {}
            for import_id in {r["data_import_id"] for r in rows}:
                records = await conn.fetch(sql("raw_records_sample"), import_id, PROFILE_SAMPLE_ROWS)
                samples[import_id] = _column_values([r["raw_data"] for r in records])
        taken = {(r["data_import_id"], r["target_field"]): r["source_field"] for r in taken_rows}
        tasks = []
        for start in range(0, len(rows), COLUMNS_PER_TASK):
            batch = rows[start:start + COLUMNS_PER_TASK]
            columns = {f"C{i}": row for i, row in enumerate(batch, start=1)}
            brief = mapping_brief([
                {"handle": handle, "header": row["source_field"],
                 "samples": _distinct(samples[row["data_import_id"]].get(row["source_field"], [])),
                 "rules_guess": None if row["target_field"] is None else
                 {"target": row["target_field"], "confidence": round(row["confidence"], 2)}}
                for handle, row in columns.items()])
            tasks.append(CrewTask(
                name="map_columns", brief=brief, answer_model=MappingAnswer,
                input_summary={"columns": len(columns), "files": sorted({r["file_name"] for r in batch})[:10]},
                apply=self._mapping_writer(columns, samples, taken)))
        return tasks

    @staticmethod
    def _mapping_writer(columns: dict[str, asyncpg.Record], samples: dict[UUID, dict[str, list[str]]],
                        taken: dict[tuple[UUID, str], str]):
        async def apply(conn: asyncpg.Connection, answer: MappingAnswer, task_id: UUID, model: str) -> dict[str, Any]:
            checked = check_mapping(answer, list(columns))
            dropped = list(checked.dropped)
            chosen: dict[tuple[UUID, str], tuple[str, Any]] = {}
            unmapped = 0
            for handle, proposal in checked.kept.items():
                row = columns[handle]
                if proposal.target is None:
                    unmapped += 1
                    continue
                key = (row["data_import_id"], proposal.target)
                if taken.get(key, row["source_field"]) != row["source_field"]:
                    dropped.append(f"{handle}: {proposal.target} is already filled by column {cut(taken[key], 40)!r}")
                    continue
                guess = MappingSuggestion(source_field=row["source_field"], target_field=proposal.target,
                                          confidence=proposal.confidence, source="llm", reason=proposal.reason)
                values = samples[row["data_import_id"]].get(row["source_field"], [])
                if check_guesses([guess], {row["source_field"]: values})[0].target_field is None:
                    dropped.append(f"{handle}: its sampled values do not read as {proposal.target}")
                    continue
                earlier = chosen.get(key)
                if earlier is not None and columns[earlier[0]] is not row:
                    if earlier[1].confidence >= proposal.confidence:
                        dropped.append(f"{handle}: {proposal.target} is proposed for {earlier[0]} with more confidence")
                        continue
                    dropped.append(f"{earlier[0]}: {proposal.target} is proposed for {handle} with more confidence")
                chosen[key] = (handle, proposal)
            for handle, proposal in chosen.values():
                row = columns[handle]
                taken[(row["data_import_id"], proposal.target)] = row["source_field"]  # for the crew's next tasks
                rules = "" if row["target_field"] is None else (
                    f"; the rules guessed {row['target_field']} ({row['confidence']:.2f})")
                await conn.execute(sql("agent_mapping_suggest"), row["data_import_id"], row["source_field"],
                                   proposal.target, round(proposal.confidence, 3),
                                   f"agent ({cut(model, 60)}): {proposal.reason}{rules}")
            for import_id in {row["data_import_id"] for row in columns.values()}:
                await conn.execute(sql("agent_mapping_reviewed"), import_id,
                                   [r["source_field"] for r in columns.values() if r["data_import_id"] == import_id])
            return {"kept": len(chosen), "left_unmapped": unmapped, "dropped": len(dropped),
                    "dropped_reasons": dropped[:DROPPED_KEPT]}
        return apply

    # -- strategy -------------------------------------------------------------------------------------------

    async def _strategy_tasks(self, inp: StepInput, settings: AgentSettings) -> list[CrewTask]:
        fresh: list[tuple[str, dict[str, Any], dict[str, Any], str]] = []  # (kind, key, payload, digest)
        async with self._tx(inp) as conn:
            answered = {r["subject"]: r["input_digest"] for r in await conn.fetch(sql("agent_recommendation_digests"))}
            # applications first: fewer, and each decides for many assets; then assets, the least sure first
            for query, kind, bounds in (("agent_strategy_applications", "application", (LOW_CONFIDENCE,)),
                                        ("agent_strategy_assets", "asset", (LOW_CONFIDENCE, CLOSE_CALL))):
                offset = 0
                while len(fresh) < settings.max_subjects:  # page past the subjects answered for the same facts
                    rows = await conn.fetch(sql(query), *bounds, settings.max_subjects, offset)
                    for row in rows:
                        if kind == "asset":
                            key, payload = {"asset_id": row["id"]}, _asset_subject(row)
                            subject = str(row["id"])
                        else:
                            key, payload = {"application_name": row["application_name"]}, _application_subject(row)
                            subject = f"application:{row['application_name']}"
                        digest = _digest(payload)
                        if answered.get(subject) != digest and len(fresh) < settings.max_subjects:
                            fresh.append((kind, key, payload, digest))
                    if len(rows) < settings.max_subjects:
                        break
                    offset += len(rows)
        tasks = []
        for start in range(0, len(fresh), SUBJECTS_PER_TASK):
            batch = fresh[start:start + SUBJECTS_PER_TASK]
            handles: dict[str, tuple[str, dict[str, Any], str]] = {}
            shown = []
            counters = {"asset": 0, "application": 0}
            for kind, key, payload, digest in batch:
                counters[kind] += 1
                handle = f"{'A' if kind == 'asset' else 'P'}{counters[kind]}"
                handles[handle] = (kind, key, digest)
                shown.append({"handle": handle, "kind": kind, **payload})
            tasks.append(CrewTask(
                name="review_strategies", brief=strategy_brief(shown), answer_model=StrategyAnswer,
                input_summary={"assets": counters["asset"], "applications": counters["application"]},
                apply=self._strategy_writer(inp, handles)))
        return tasks

    @staticmethod
    def _strategy_writer(inp: StepInput, handles: dict[str, tuple[str, dict[str, Any], str]]):
        async def apply(conn: asyncpg.Connection, answer: StrategyAnswer, task_id: UUID, model: str) -> dict[str, Any]:
            checked = check_strategies(answer, list(handles))
            for handle, proposal in checked.kept.items():
                kind, key, digest = handles[handle]
                asset_id, application = key.get("asset_id"), key.get("application_name")
                await conn.execute(sql("agent_recommendation_delete"), asset_id, application)
                await conn.execute(sql("agent_recommendation_upsert"), inp.tenant.client_account_id,
                                   inp.tenant.engagement_id, inp.master_flow_id, kind, asset_id, application,
                                   proposal.strategy, round(proposal.confidence, 3), proposal.rationale,
                                   cut(model, 200), digest, task_id)
            return {"kept": len(checked.kept), "dropped": len(checked.dropped),
                    "dropped_reasons": checked.dropped[:DROPPED_KEPT],
                    "unanswered": sorted(set(handles) - set(checked.kept))[:DROPPED_KEPT]}
        return apply

    # -- plan critic ----------------------------------------------------------------------------------------

    async def _critic_tasks(self, inp: StepInput, settings: AgentSettings) -> list[CrewTask]:
        async with self._tx(inp) as conn:
            waves = await conn.fetch(sql("agent_plan_waves"))
            violations = await conn.fetch(sql("plan_violations_list"), 5, 30)
            summary = await conn.fetchrow(sql("plan_summary"))
            row = await conn.fetchrow(sql("engagement_planning_settings"), inp.tenant.engagement_id)
        if not waves:
            return []
        shown = waves_worth_a_look(waves)
        names: dict[str, str] = {}
        for wave in shown:
            for name in [*(wave["critical_names"] or []), *(wave["high_risk_names"] or [])]:
                names[name.casefold()] = name
        for violation in violations:
            for name in violation["asset_names"] or []:
                names[name.casefold()] = name
        plan = {
            "settings": {k: v for k, v in (row["settings"] or {}).items()
                         if k not in ("business_case", "agents") and not isinstance(v, (dict, list))},
            "totals": {"waves": summary["waves"], "move_groups": summary["move_groups"],
                       "assets_planned": summary["assets_planned"],
                       "assets_not_migrated": summary["assets_not_migrated"],
                       "ordering_cycles": summary["ordering_cycles"]},
            "violations_by_rule": dict(sorted(summary["violations_by_rule"].items())),
            "violation_examples": [{"rule": v["rule"], "detail": cut(v["detail"], 300),
                                    "assets": [cut(n) for n in v["asset_names"] or []]} for v in violations],
            "waves_not_listed": max(0, len(waves) - len(shown)),
            "waves": [{"wave": w["wave_number"], "kind": w["kind"], "start": w["planned_start"],
                       "end": w["planned_end"], "assets": w["asset_count"], "applications": w["applications"],
                       "storage_gb": _number(w["total_storage_gb"]), "effort_days": _number(w["estimated_effort_days"]),
                       "undecided_assets": w["undecided_assets"], "critical_assets": w["critical_assets"],
                       "critical_names": [cut(n) for n in w["critical_names"] or []],
                       "high_risk_assets": w["high_risk_assets"],
                       "high_risk_names": [cut(n) for n in w["high_risk_names"] or []]} for w in shown],
        }
        plan = json.loads(json.dumps(plan, default=str))
        names = {cut(n).casefold(): cut(n) for n in names.values()}
        wave_numbers = [w["wave_number"] for w in waves]
        return [CrewTask(name="critique_plan", brief=plan_critic_brief(plan), answer_model=PlanCritique,
                         input_summary={"waves": len(waves), "violations": sum(summary["violations_by_rule"].values())},
                         apply=self._critic_writer(inp, wave_numbers, names, plan["totals"]))]

    def _critic_writer(self, inp: StepInput, waves: Sequence[int], names: dict[str, str], totals: dict[str, Any]):
        async def apply(conn: asyncpg.Connection, answer: PlanCritique, task_id: UUID, model: str) -> dict[str, Any]:
            checked = check_findings(answer, waves, names)
            findings = list(checked.kept.values())
            vectors = await asyncio.to_thread(self._embedder.embed, [f"{f.title}. {f.detail}" for f in findings]) \
                if findings else []
            await conn.execute(sql("agent_findings_replace"), inp.tenant.engagement_id)
            for finding, vector in zip(findings, vectors):
                key = "plan_critic:" + _digest([finding.insight_type, finding.title.casefold()])[:16]
                value = {"title": finding.title, "detail": finding.detail, "waves": finding.waves,
                         "assets": finding.assets, "model": cut(model, 200)}
                await conn.execute(sql("agent_finding_insert"), inp.tenant.client_account_id,
                                   inp.tenant.engagement_id, inp.master_flow_id, finding.insight_type, key, value,
                                   vector, self._embedder.model, {"plan": totals, "agent_task_id": str(task_id)},
                                   round(finding.confidence, 3))
            return {"kept": len(findings), "dropped": len(checked.dropped),
                    "dropped_reasons": checked.dropped[:DROPPED_KEPT]}
        return apply


def waves_worth_a_look(waves: Sequence[asyncpg.Record]) -> list[asyncpg.Record]:
    """The waves the critic sees in detail, in their order: all of a plan of up to CRITIC_WAVES, else the first and
    last few and those with the most critical, high-risk and undecided assets and the most assets (a prompt of a
    few thousand tokens whatever the plan's size; the totals cover the rest)."""
    if len(waves) <= CRITIC_WAVES:
        return list(waves)
    ends = {w["wave_number"] for w in (*waves[:5], *waves[-5:])}
    ranked = sorted(waves, key=lambda w: (-(w["critical_assets"] + w["high_risk_assets"] + w["undecided_assets"]),
                                          -w["asset_count"], w["wave_number"]))
    chosen = set(ends)
    for wave in ranked:
        if len(chosen) == CRITIC_WAVES:
            break
        chosen.add(wave["wave_number"])
    return [w for w in waves if w["wave_number"] in chosen]


def _column_values(records: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for record in records:
        for column, value in (record or {}).items():
            values.setdefault(column, []).append("" if value is None else str(value))
    return values


def _distinct(values: Sequence[str], limit: int = 8) -> list[str]:
    return list(dict.fromkeys(v for v in values if v.strip()))[:limit]


def _asset_subject(row: asyncpg.Record) -> dict[str, Any]:
    """An asset's facts and the rule's decision as the strategy crew sees them (no ids, values cut)."""
    facts = {k: row[k] for k in ("asset_type", "operating_system", "os_version", "environment",
                                 "business_criticality", "cpu_cores", "database_engine", "lifecycle_state",
                                 "application_name") if row[k] is not None}
    facts.update({k: _number(row[k]) for k in ("memory_gb", "storage_gb", "cpu_utilization_avg") if row[k] is not None})
    facts = {k: cut(v) if isinstance(v, str) else v for k, v in facts.items()}
    rationale = row["strategy_rationale"] or {}
    return {"name": cut(row["name"]), "facts": facts, "rules": {
        "strategy": row["six_r_strategy"], "confidence": _number(row["strategy_confidence"]),
        "rule": cut(rationale.get("rule", "")), "score": rationale.get("score"),
        "reasons": [cut(r, 200) for r in (rationale.get("reasons") or [])[:4]],
        "runner_ups": [{"strategy": c.get("strategy"), "score": c.get("score")}
                       for c in (rationale.get("runner_ups") or [])[:3] if isinstance(c, dict)]}}


def _application_subject(row: asyncpg.Record) -> dict[str, Any]:
    rationale = row["strategy_rationale"] or {}
    return {"name": cut(row["application_name"]), "facts": {"assets": row["asset_count"]}, "rules": {
        "strategy": row["six_r_strategy"], "confidence": _number(row["strategy_confidence"]),
        "votes": rationale.get("votes"),
        "reasons": [cut(r, 200) for r in (rationale.get("reasons") or [])[:4]]}}
