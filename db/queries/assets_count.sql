SELECT count(*) FROM migration.assets
