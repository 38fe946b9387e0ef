-- 0027_foundation_wave: wave 0, of kind 'foundation', holds the shared services, the assets tagged landing
-- zone and everything they depend on, planned before the pilot so that no dependent moves before what it
-- depends on (ADR-0020). wave_number >= 0 already allowed it (0004); only the kind is new.

ALTER TABLE migration.migration_waves
    DROP CONSTRAINT migration_waves_kind_check,
    -- vocabulary: WAVE_KINDS
    ADD CONSTRAINT migration_waves_kind_check CHECK (kind IN ('foundation', 'pilot', 'non_production', 'production'));
