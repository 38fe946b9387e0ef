-- The nearest validated field-mapping decisions to each header's embedding made by the same
-- embedder: the tenant's own patterns (its engagement's and its client's; RLS decides) and the
-- global pool. $1 headers, $2 embeddings as vector text (same order), $3 embedding model, $4
-- neighbours per header.
SELECT h.header, n.id, n.pattern_key, n.source_field, n.target_field, n.scope, n.similarity
FROM (SELECT u.header, u.embedding::public.vector AS embedding
      FROM unnest($1::text[], $2::text[]) AS u(header, embedding)) AS h
CROSS JOIN LATERAL (
    (SELECT p.id::text AS id, p.pattern_key, p.pattern_value ->> 'source_field' AS source_field,
            p.pattern_value ->> 'target_field' AS target_field, p.scope,
            1 - (p.embedding OPERATOR(public.<=>) h.embedding) AS similarity, NULL::integer AS votes
     FROM migration.agent_learning_patterns p
     WHERE p.insight_type = 'field_mapping_suggestion' AND p.validated AND p.embedding_model = $3
     ORDER BY p.embedding OPERATOR(public.<=>) h.embedding
     LIMIT $4)
    UNION ALL
    (SELECT NULL, g.pattern_key, g.pattern_key, g.target_field, 'global',
            1 - (g.embedding OPERATOR(public.<=>) h.embedding), g.votes
     FROM migration.shared_mapping_patterns g
     WHERE g.embedding_model = $3
     ORDER BY g.embedding OPERATOR(public.<=>) h.embedding
     LIMIT $4)
) n
WHERE n.target_field IS NOT NULL
-- the tenant's own decisions before the pool's; in the pool, the pair most engagements chose
ORDER BY h.header, n.similarity DESC, n.id NULLS LAST, n.votes DESC, n.target_field
