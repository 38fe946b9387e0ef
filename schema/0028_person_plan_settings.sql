-- 0028_person_plan_settings: people with the edit right (owner, approver, contributor: REVIEWING_ROLES) change
-- their engagement's planning settings (`plan settings set`): its start date and settings object only. The
-- audit trigger of engagements records the change with the proven person as actor.

GRANT UPDATE (start_date, settings) ON migration.engagements TO migration_person;
CREATE POLICY person_plan_settings ON migration.engagements FOR UPDATE TO migration_person
    USING (client_account_id = migration.current_client_id() AND id = migration.current_engagement_id()
           AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(), 'edit')))
    WITH CHECK (client_account_id = migration.current_client_id() AND id = migration.current_engagement_id()
                AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                                 'edit')));
