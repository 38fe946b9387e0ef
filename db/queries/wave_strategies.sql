-- The strategies of wave $1's assets still to migrate (each has a runbook template), and how many assets each.
SELECT six_r_strategy AS strategy, count(*) AS assets
  FROM migration.assets
 WHERE wave_number = $1 AND six_r_strategy IS NOT NULL AND migration_status <> 'migrated'
 GROUP BY six_r_strategy ORDER BY six_r_strategy
