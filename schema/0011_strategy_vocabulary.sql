-- 0011_strategy_vocabulary: the canonical strategy list gains relocate (AWS's seventh R: move a
-- VMware estate at hypervisor level, e.g. onto a cloud VMware service, without touching guests)
-- and rewrite (rebuild the application from scratch), by replacing the CHECK as the seed shows.
-- Inputs spelled otherwise (rearchitect, replace, lift and shift, TBC ...) are mapped onto this list
-- by domain.strategy_synonyms before they reach the table.
ALTER TABLE migration.assets DROP CONSTRAINT assets_six_r_strategy_check;
-- vocabulary: SIX_R_STRATEGIES
ALTER TABLE migration.assets ADD CONSTRAINT assets_six_r_strategy_check CHECK (six_r_strategy IN
    ('rehost', 'replatform', 'refactor', 'repurchase', 'retire', 'retain', 'relocate', 'rewrite'));
