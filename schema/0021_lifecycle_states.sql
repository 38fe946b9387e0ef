-- 0021_lifecycle_states: where an asset is in its life (ADR-0015).
-- A CMDB's install status (ServiceNow install_status: Installed, In stock, Retired, Stolen, Absent ...)
-- is kept as lifecycle_state, its operational status (Operational, Non-Operational, Repair in Progress,
-- Retired ...) as operational_state, both in the canonical LIFECYCLE_STATES. A retired, absent,
-- non-operational or in-stock asset is recommended retire and planned into no wave. power_state and
-- is_template (0003) keep the hypervisor's view.
ALTER TABLE migration.assets ADD COLUMN lifecycle_state text, ADD COLUMN operational_state text;
-- vocabulary: LIFECYCLE_STATES
ALTER TABLE migration.assets ADD CONSTRAINT assets_lifecycle_state_check CHECK (lifecycle_state IN
    ('in_service', 'planned', 'in_maintenance', 'in_stock', 'non_operational', 'retired', 'absent'));
-- vocabulary: LIFECYCLE_STATES
ALTER TABLE migration.assets ADD CONSTRAINT assets_operational_state_check CHECK (operational_state IN
    ('in_service', 'planned', 'in_maintenance', 'in_stock', 'non_operational', 'retired', 'absent'));
