-- Writes complexity scores; scoring_details.complexity keeps each component's points.
UPDATE migration.assets a
SET complexity_score = (s.v ->> 'score')::numeric,
    complexity_level = s.v ->> 'level',
    scoring_details = a.scoring_details || jsonb_build_object('complexity', s.v -> 'components')
FROM staging_asset_values s
WHERE a.id = s.asset_id
