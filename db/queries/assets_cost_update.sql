-- Writes cost projections. current_monthly_cost stays the input's figure; a modelled current cost
-- goes to modelled_monthly_cost. v: {modelled_monthly, projected_monthly, savings_monthly,
-- instance_type, region, prices_as_of, details}; details (sizing, price table, reasons) go to
-- scoring_details.cost. A target region an import set (an intake's aws_region: field_lineage names it) is the
-- person's and is kept; the priced region stays in the details.
UPDATE migration.assets a
SET modelled_monthly_cost = (s.v ->> 'modelled_monthly')::numeric,
    projected_monthly_cost = (s.v ->> 'projected_monthly')::numeric,
    monthly_savings = (s.v ->> 'savings_monthly')::numeric,
    target_instance_type = s.v ->> 'instance_type',
    target_region = CASE WHEN a.field_lineage ? 'target_region' THEN a.target_region ELSE s.v ->> 'region' END,
    prices_as_of = (s.v ->> 'prices_as_of')::date,
    scoring_details = a.scoring_details || jsonb_build_object('cost', s.v -> 'details')
FROM staging_asset_values s
WHERE a.id = s.asset_id
