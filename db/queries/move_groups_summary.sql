-- Every move group as people know it: its wave (NULL: in none), its assets, the first $1 asset names (in byte
-- order, the same on every server), its environments, and its first two applications by assets with how many
-- it has.
SELECT g.move_group, g.wave, g.assets, g.members, g.environments,
       coalesce(a.applications, '{}') AS applications, coalesce(a.application_count, 0) AS application_count
FROM (SELECT move_group, min(wave_number) AS wave, count(*) AS assets,
             (array_agg(name ORDER BY name COLLATE "C"))[1:$1] AS members,
             coalesce(array_agg(DISTINCT environment ORDER BY environment) FILTER (WHERE environment IS NOT NULL),
                      '{}') AS environments
      FROM migration.assets
      WHERE move_group IS NOT NULL
      GROUP BY move_group) g
LEFT JOIN (SELECT move_group, (array_agg(application_name ORDER BY assets DESC, application_name COLLATE "C"))[1:2]
                      AS applications, count(*) AS application_count
           FROM (SELECT move_group, application_name, count(*) AS assets
                 FROM migration.assets
                 WHERE move_group IS NOT NULL AND application_name IS NOT NULL
                 GROUP BY move_group, application_name) per_application
           GROUP BY move_group) a USING (move_group)
