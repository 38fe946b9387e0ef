-- Adds one engagement's decision (header -> column) to the global pool; no client data is kept.
-- $1 embedding model, $2 pattern key (normalised header), $3 target, $4 embedding.
INSERT INTO migration.shared_mapping_patterns AS s (embedding_model, pattern_key, target_field, embedding)
VALUES ($1, $2, $3, $4)
ON CONFLICT (embedding_model, md5(pattern_key), target_field) DO UPDATE SET votes = s.votes + 1
