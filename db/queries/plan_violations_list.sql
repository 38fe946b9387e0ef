-- The current plan's violations and cycles by rule and detail, the first $2 (NULL: all), each with its move groups,
-- its assets' count and first $1 names (assets found by primary key from the violation's id list, not by scanning
-- assets per violation), and the names of the assets its detail mentions by id (details stored before plans named
-- their assets); total: how many there are.
SELECT v.rule, v.detail, v.move_groups, cardinality(v.asset_ids) AS asset_count,
       ARRAY(SELECT a.name FROM unnest(v.asset_ids) AS u(id) JOIN migration.assets a ON a.id = u.id
             ORDER BY a.name COLLATE "C" LIMIT $1) AS asset_names,
       (SELECT jsonb_object_agg(a.id, a.name) FROM unnest(v.asset_ids) AS u(id)
          JOIN migration.assets a ON a.id = u.id
         WHERE strpos(v.detail, u.id::text) > 0) AS names_in_detail,
       count(*) OVER () AS total
FROM migration.plan_violations v
ORDER BY v.rule, v.detail
LIMIT $2
