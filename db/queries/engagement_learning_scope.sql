-- Where the engagement's mapping decisions are learned: 'engagement', 'client' or 'global' (opt-in).
SELECT settings ->> 'learning_scope' FROM migration.engagements WHERE id = $1
