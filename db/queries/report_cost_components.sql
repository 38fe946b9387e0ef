-- Each cost component's monthly sum over the assets that have both figures, on each side (current: the
-- modelled total cost of ownership; projected: the cloud), for the business case's sensitivity.
SELECT c.side, c.component, round(sum(c.value), 2) AS monthly
FROM migration.assets a
CROSS JOIN LATERAL (
    SELECT 'current' AS side, e.key AS component, e.value::numeric AS value
    FROM jsonb_each_text(coalesce(a.scoring_details -> 'cost' -> 'current_components', '{}')) e
    UNION ALL
    SELECT 'projected', e.key, e.value::numeric
    FROM jsonb_each_text(coalesce(a.scoring_details -> 'cost' -> 'components', '{}')) e
) c
WHERE a.monthly_savings IS NOT NULL
GROUP BY c.side, c.component
