-- Transaction-local tenant context read by the row-level security policies (fail closed when unset).
SELECT set_config('app.client_id', coalesce($1::text, ''), true),
       set_config('app.engagement_id', coalesce($2::text, ''), true),
       set_config('app.user_id', coalesce($3::text, ''), true)
