UPDATE migration.assets a
SET risk_score = (s.v ->> 'risk_score')::numeric,
    readiness_score = (s.v ->> 'readiness_score')::numeric,
    scoring_details = a.scoring_details
        || jsonb_build_object('risk', s.v -> 'components', 'readiness_blockers', s.v -> 'blockers')
FROM staging_asset_values s
WHERE a.id = s.asset_id
