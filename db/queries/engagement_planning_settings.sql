SELECT start_date, settings FROM migration.engagements WHERE id = $1
