-- A person by e-mail (case-insensitive), created on first use without a login; an existing identity is not
-- changed. A person calling it must manage the engagement of the context (or administer the platform).
SELECT migration.person_by_email($1, $2)
