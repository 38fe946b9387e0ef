-- The current plan's violations and cycles, each with its assets' count and first names (assets
-- found by primary key from the violation's id list, not by scanning assets per violation).
SELECT v.rule, v.detail, v.move_groups, cardinality(v.asset_ids) AS asset_count,
       ARRAY(SELECT a.name FROM unnest(v.asset_ids) AS u(id) JOIN migration.assets a ON a.id = u.id
             ORDER BY a.name LIMIT $1) AS asset_names
FROM migration.plan_violations v
ORDER BY v.rule, v.detail
