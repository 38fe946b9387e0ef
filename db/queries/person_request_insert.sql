-- A person's request to a workflow, recorded under their login: a person's own id is always the requester
-- (the person_request policy refuses any other, and checks their right to ask it); a service connection names
-- the person it acts for ($5).
INSERT INTO migration.person_requests (client_account_id, engagement_id, kind, phase, requested_by)
VALUES ($1, $2, $3, $4, coalesce(migration.person_id(), $5))
RETURNING id
