-- What a selection matches assets $1 on. Apart from their runs' query: row-level security hides row counts from
-- the planner, which joined the engagement's assets to each run by scanning them all (15,000 runs: 2.7 s).
SELECT id, name, hostname, environment, os_family, business_criticality
  FROM migration.assets WHERE id = ANY($1::uuid[])
