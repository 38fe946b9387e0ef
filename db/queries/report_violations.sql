-- The current plan's violations by rule and detail, $1 of them; total: how many there are.
SELECT rule, detail, cardinality(asset_ids) AS assets, count(*) OVER () AS total
FROM migration.plan_violations
ORDER BY rule, detail
LIMIT $1
