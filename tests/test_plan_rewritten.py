"""A plan re-planned while planning awaits approval: the running engagement reads its planning summaries again
(signal `plan_rewritten`), on a real Temporal dev server with real activities and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from db import plan_settings
from db.pool import tenant_transaction
from runtime import engagement_control as control
from tests.conftest import make_engagement
from tests.flow_helpers import inventory_file, running_worker, wait_for


async def test_a_replan_refreshes_the_awaiting_planning_summary(dev_env, app_pool, tmp_path: Path) -> None:
    e = await make_engagement(app_pool)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 40)], queue,
                             auto_approve=("discovery", "assessment"), launched_by=e.owner_id)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "planning", timeout=300)
        before = st.phase_summaries["planning"]
        assert before["timeline"]["wave_length_days"] == 14 and "foundation" in before["wave_planning"]["waves_by_kind"]

        async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:
            await conn.execute("UPDATE migration.engagements SET settings = settings || $2 WHERE id = $1", e.ref.id,
                               {"wave_length_days": 7, "shared_services": "with_dependents"})
        await plan_settings.replan(app_pool, e.ref, e.owner_id)
        await control.signal(dev_env.client, e.ref, "plan_rewritten")
        st = await wait_for(dev_env.client, e.ref,
                            lambda st: st.phase_summaries["planning"]["timeline"]["wave_length_days"] == 7)
        after = st.phase_summaries["planning"]
        assert st.awaiting_approval == "planning"
        assert "foundation" not in after["wave_planning"]["waves_by_kind"]
        assert after["wave_planning"]["violations_by_rule"].get("shared_service_order", 0) > 0
        assert after["timeline"]["end"] < before["timeline"]["end"]
        assert after["timeline"]["waves"] == after["wave_planning"]["waves"]
        assert after["move_groups"] == before["move_groups"]  # a step that describes the input, not the plan
        assert after["cost_estimate"]["effort_person_days"] == before["cost_estimate"]["effort_person_days"]
        # the plan critic's summary (here: not configured) stays, said to be about the plan before the rewrite
        assert before["cost_estimate"]["agents"] == {"crew": "plan_critic", "status": "not configured"}
        assert after["cost_estimate"]["agents"] == {**before["cost_estimate"]["agents"],
                                                    "note": "about the plan before a person rewrote it"}
