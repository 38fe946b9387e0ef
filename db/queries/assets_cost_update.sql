-- Keeps a cost the input gave; fills a modelled one only where the input had none.
UPDATE migration.assets a
SET current_monthly_cost = coalesce(a.current_monthly_cost, (s.v ->> 'current_monthly')::numeric),
    projected_monthly_cost = (s.v ->> 'projected_monthly')::numeric,
    scoring_details = a.scoring_details || jsonb_build_object('cost_source', s.v ->> 'current_source')
FROM staging_asset_values s
WHERE a.id = s.asset_id
