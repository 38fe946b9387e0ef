-- The engagement's start date and settings, locked until the end of the transaction that changes them
-- (`plan settings set`), so two changes of different keys never overwrite each other.
SELECT start_date, settings FROM migration.engagements WHERE id = $1 FOR UPDATE
