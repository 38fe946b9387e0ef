SELECT to_regtype('public.vector') IS NOT NULL
