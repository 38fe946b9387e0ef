-- 0030_pgvector_iterative_scans: nearest-neighbour searches under row-level security scan their HNSW index
-- iteratively (ADR-0022), which pgvector 0.8 brought. `db bootstrap` (every start of the embedded default)
-- updates the extension to what the server has installed; refuse to go on when that is still older, saying
-- what to do.
DO $$
DECLARE
    installed text := (SELECT extversion FROM pg_extension WHERE extname = 'vector');
BEGIN
    IF string_to_array(installed, '.')::int[] < ARRAY[0, 8] THEN
        RAISE EXCEPTION 'pgvector % is installed in this database; the platform needs 0.8 or later: on the embedded '
            'default the server still runs older binaries (`starter.py dev down`, then start again); elsewhere install '
            'pgvector 0.8 or later on the server and run `starter.py db bootstrap`', installed;
    END IF;
END
$$;
