-- The business case compares like with like: the assets that have both a current and a projected cost
-- (monthly_savings is set exactly then), their summed costs, and how many assets lack either figure.
SELECT count(*) FILTER (WHERE monthly_savings IS NOT NULL) AS assets,
       count(*) FILTER (WHERE monthly_savings IS NULL) AS assets_left_out,
       coalesce(sum(coalesce(current_monthly_cost, modelled_monthly_cost)) FILTER (WHERE monthly_savings IS NOT NULL),
                0) AS current_monthly,
       coalesce(sum(projected_monthly_cost) FILTER (WHERE monthly_savings IS NOT NULL), 0) AS projected_monthly
FROM migration.assets
