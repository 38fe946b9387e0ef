-- The staged violations and cycles of the new plan. $1 client, $2 engagement, $3 planning flow.
INSERT INTO migration.plan_violations (client_account_id, engagement_id, planning_flow_id, rule, detail,
                                       move_groups, asset_ids)
SELECT $1, $2, $3, rule, detail, move_groups, asset_ids FROM staging_plan_violations
