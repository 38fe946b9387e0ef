-- The current client's engagements.
SELECT id, name, status, start_date, approval_policy FROM migration.engagements ORDER BY name
