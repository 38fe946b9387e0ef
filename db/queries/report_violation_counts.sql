-- How many violations the current plan has per rule, most first.
SELECT rule, count(*) AS violations
FROM migration.plan_violations
GROUP BY rule
ORDER BY violations DESC, rule
