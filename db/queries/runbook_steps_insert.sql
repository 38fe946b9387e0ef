-- The steps of a wave runbook, copied from its templates (one row per forward step and per compensation).
INSERT INTO migration.runbook_steps (client_account_id, engagement_id, runbook_id, strategy, direction, step_key,
                                     title, step_type, group_index, group_name, scope, position, needs, spec)
SELECT migration.current_client_id(), migration.current_engagement_id(), $1, s.strategy, s.direction, s.step_key,
       s.title, s.step_type, s.group_index, s.group_name, s.scope, s.position,
       ARRAY(SELECT jsonb_array_elements_text(s.needs)), s.spec
  FROM jsonb_to_recordset($2::jsonb) AS s(strategy text, direction text, step_key text, title text, step_type text,
                                          group_index int, group_name text, scope text, position int, needs jsonb,
                                          spec jsonb)
ON CONFLICT (runbook_id, strategy, step_key, direction) DO NOTHING
