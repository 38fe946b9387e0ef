-- The current plan's violations and cycles, each with its assets' count and first names.
SELECT v.rule, v.detail, v.move_groups, cardinality(v.asset_ids) AS asset_count,
       ARRAY(SELECT a.name FROM migration.assets a WHERE a.id = ANY (v.asset_ids) ORDER BY a.name LIMIT $1)
           AS asset_names
FROM migration.plan_violations v
ORDER BY v.rule, v.detail
