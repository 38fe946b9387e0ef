-- The transaction's HNSW search (pgvector >= 0.8): $1 candidates per scan step (hnsw.ef_search) and $2 the
-- iterative scan mode (hnsw.iterative_scan), so row-level security filtering the candidates cannot leave a
-- tenant short of its own nearest rows. Transaction-local, like the tenant context.
SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true);
