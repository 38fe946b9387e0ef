-- 0023_requested_wave: the wave an intake form or a person asked for (the AWS Cloud Migration Factory
-- `wave_name`/`wave_id`, the AWS import's `ApplicationWave`), as written there. It is an input, kept apart
-- from wave_number, which only the wave plan sets; target_region (0003) likewise takes an imported region.

ALTER TABLE migration.assets ADD COLUMN requested_wave text;
