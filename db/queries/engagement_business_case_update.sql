-- A person's business-case assumptions of the engagement (`costs assumptions set`): only the
-- settings' `business_case` object is replaced, so other settings changed meanwhile are kept.
UPDATE migration.engagements
SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{business_case}', $2::jsonb)
WHERE id = $1
