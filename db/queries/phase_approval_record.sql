-- Records who decided what about a phase, tied to the transition that applied the decision.
INSERT INTO migration.phase_approvals
    (client_account_id, engagement_id, master_flow_id, phase, phase_flow_id, decision, decided_by,
     comment, transition_id, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
