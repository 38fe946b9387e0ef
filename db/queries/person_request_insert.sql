-- A person's request to a workflow, recorded under their login: a person's own id is always the requester
-- (the person_request policy refuses any other, and checks their right to ask it); a service connection names
-- the person it acts for ($6), or none when it launches itself.
INSERT INTO migration.person_requests (client_account_id, engagement_id, kind, phase, payload, requested_by)
VALUES ($1, $2, $3, $4, $5, coalesce(migration.person_id(), $6))
RETURNING id
