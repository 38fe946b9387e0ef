-- A person's change of the engagement's planning settings (start date and the settings object).
UPDATE migration.engagements SET start_date = $2, settings = $3 WHERE id = $1
