-- Keeps the dependency references of an import that matched no asset, for a person to review.
UPDATE migration.data_imports
SET error_summary = coalesce(error_summary, '{}'::jsonb) || jsonb_build_object('dangling_dependencies', $2::jsonb)
WHERE id = $1
