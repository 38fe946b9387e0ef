-- Assets per technical-debt flag, most first; the row with total = true counts the assets with any flag.
SELECT f.flag, grouping(f.flag) = 1 AS total, count(DISTINCT a.id) AS assets
FROM migration.assets a
CROSS JOIN LATERAL jsonb_array_elements_text(a.tech_debt_flags) AS f(flag)
GROUP BY GROUPING SETS ((f.flag), ())
ORDER BY total DESC, assets DESC, f.flag
