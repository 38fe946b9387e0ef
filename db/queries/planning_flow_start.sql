-- The day (UTC) the planning flow $1 started: a plan without an engagement start date counts from it.
SELECT (started_at AT TIME ZONE 'UTC')::date FROM migration.planning_flows WHERE flow_id = $1
