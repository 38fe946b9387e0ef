-- Assets per type, environment, OS family and criticality: one row per dimension and value (value
-- NULL: not recorded), largest first; dimension 'total' counts every asset.
SELECT CASE WHEN grouping(asset_type) = 0 THEN 'asset_type'
            WHEN grouping(environment) = 0 THEN 'environment'
            WHEN grouping(os_family) = 0 THEN 'os_family'
            WHEN grouping(business_criticality) = 0 THEN 'business_criticality'
            ELSE 'total' END AS dimension,
       coalesce(asset_type, environment, os_family, business_criticality) AS value,
       count(*) AS assets
FROM migration.assets
GROUP BY GROUPING SETS ((asset_type), (environment), (os_family), (business_criticality), ())
ORDER BY dimension, assets DESC, value NULLS LAST
