-- A person's agent budget of the engagement (`agents budget`): the limits in $2 are set and the keys in $3 dropped
-- (back to the environment's defaults) within the settings' `agents` object, in one statement, so other settings
-- (and other keys of `agents`) changed meanwhile are kept. No row updated: row-level security refused it.
UPDATE migration.engagements
SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{agents}',
                         (CASE WHEN jsonb_typeof(settings -> 'agents') = 'object' THEN settings -> 'agents'
                               ELSE '{}'::jsonb END - $3::text[]) || $2::jsonb)
WHERE id = $1
