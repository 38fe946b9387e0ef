-- Writes risk and readiness; scoring_details keeps the risk components and the readiness blockers
-- with their points. v: domain.risk.RiskAssessment.
UPDATE migration.assets a
SET risk_score = (s.v ->> 'risk_score')::numeric,
    risk_level = s.v ->> 'risk_level',
    readiness_score = (s.v ->> 'readiness_score')::numeric,
    scoring_details = a.scoring_details || jsonb_build_object(
        'risk', s.v -> 'risk_components',
        'readiness', jsonb_build_object('components', s.v -> 'readiness_components', 'blockers', s.v -> 'blockers'))
FROM staging_asset_values s
WHERE a.id = s.asset_id
