"""Canonical vocabularies: defined once here, enforced in the database by CHECK constraints.

`tests/test_schema_vocabulary.py` compares every tuple below with the CHECK constraint it names, so
Python and the schema cannot drift apart. Input is normalised onto these values on the way in.
"""

from __future__ import annotations

# The one list of phases, in the order an engagement runs them.
PHASES: tuple[str, ...] = ("discovery", "assessment", "planning", "execution")

# Ordered steps of each phase; each step has a boolean flag column `<step>_completed` on the
# phase's flow table (the seed's hybrid state: flags plus JSONB `phases_completed`).
PHASE_STEPS: dict[str, tuple[str, ...]] = {
    "discovery": (
        "data_import",
        "attribute_mapping",
        "data_cleansing",
        "inventory",
        "dependency_analysis",
        "tech_debt_analysis",
    ),
    "assessment": (
        "strategy_recommendation",
        "complexity_scoring",
        "risk_scoring",
        "cost_projection",
    ),
    "planning": ("move_groups", "wave_planning", "timeline", "cost_estimate"),
    "execution": ("runbook_preparation", "wave_execution", "validation"),
}

FLOW_STATUSES: tuple[str, ...] = (
    "initialized",
    "running",
    "awaiting_approval",
    "paused",
    "completed",
    "failed",
    "cancelled",
)

ENGAGEMENT_STATUSES: tuple[str, ...] = ("planned", "active", "on_hold", "completed", "archived")

CLIENT_ACCOUNT_STATUSES: tuple[str, ...] = ("active", "suspended", "archived")

MEMBER_ROLES: tuple[str, ...] = ("owner", "approver", "contributor", "viewer")
APPROVING_ROLES: tuple[str, ...] = ("owner", "approver")
REVIEWING_ROLES: tuple[str, ...] = ("owner", "approver", "contributor")  # may correct field mappings

# What each kind of person request (schema 0024: person_requests) needs: the roles that may ask it. Mirrors
# migration.person_may / migration.request_right, which check it when the request is written; the worker
# checks it again, against the memberships of the moment, before acting.
# Execution requests (schema 0026): completing a manual step and retrying one need the edit right, the rest decide.
REQUEST_KINDS: tuple[str, ...] = ("launch", "approve", "reject", "rollback", "pause", "resume", "cancel",
                                  "mapping_review", "step_complete", "step_retry", "step_approve", "step_reject",
                                  "step_skip", "workload_abandon", "wave_abort", "wave_pause", "wave_resume",
                                  "wave_start")
EDIT_REQUEST_KINDS: tuple[str, ...] = ("mapping_review", "step_complete", "step_retry")
REQUEST_ROLES: dict[str, tuple[str, ...]] = {
    kind: REVIEWING_ROLES if kind in EDIT_REQUEST_KINDS else APPROVING_ROLES for kind in REQUEST_KINDS
}

# What an asset is. A virtual machine is a server (is_virtual says so); `service` is a business,
# application or technical service, `cluster` a grouping of servers; `service` and `cluster` were added
# by schema/0020 (ADR-0014). The type is read from a type or class spelling by domain.asset_classes.
ASSET_TYPES: tuple[str, ...] = (
    "server",
    "application",
    "database",
    "network",
    "storage",
    "load_balancer",
    "container",
    "service",
    "cluster",
    "other",
)

ENVIRONMENTS: tuple[str, ...] = (
    "production",
    "disaster_recovery",
    "staging",
    "uat",
    "test",
    "development",
)

CRITICALITIES: tuple[str, ...] = ("critical", "high", "medium", "low")

# Where an asset is in its life (schema/0021, ADR-0015): a CMDB's install status is read into
# `lifecycle_state`, its operational status into `operational_state`, both onto this one list.
# Retired, absent (stolen, missing), non-operational and in-stock assets are out of service: nothing
# runs on them to migrate. Planned assets (on order, pending install, pipeline) do not exist yet.
LIFECYCLE_STATES: tuple[str, ...] = (
    "in_service",
    "planned",
    "in_maintenance",
    "in_stock",
    "non_operational",
    "retired",
    "absent",
)

COMPLEXITY_LEVELS: tuple[str, ...] = ("low", "medium", "high")

# Where a learned pattern applies: one engagement, every engagement of a client, or (opt-in) all.
LEARNING_SCOPES: tuple[str, ...] = ("engagement", "client", "global")

# The canonical migration strategies: the seed's six, then relocate (AWS's seventh R) and rewrite
# (the seed's example), added by schema/0011. The name stays for the CHECK marker it is compared with.
SIX_R_STRATEGIES: tuple[str, ...] = (
    "rehost",
    "replatform",
    "refactor",
    "repurchase",
    "retire",
    "retain",
    "relocate",
    "rewrite",
)

# Where a recommendation or value came from (DESIGN contract 9).
DECISION_SOURCES: tuple[str, ...] = ("rule", "learned", "llm", "user")

# Where a field-mapping suggestion came from.
MAPPING_SOURCES: tuple[str, ...] = ("exact", "synonym", "profile", "learned", "llm", "user")
MAPPING_STATUSES: tuple[str, ...] = ("suggested", "approved", "rejected")

# What a migration wave is for: the pilot first, then non-production, then production.
WAVE_KINDS: tuple[str, ...] = ("foundation", "pilot", "non_production", "production")

# Review state of a value an import disagreed with (asset_merge_conflicts).
CONFLICT_STATUSES: tuple[str, ...] = ("open", "resolved")

# What a file of a (multi-file) import is for: assets, details joined to assets, or edges.
IMPORT_ROLES: tuple[str, ...] = ("inventory", "supplement", "dependencies")

IMPORT_STATUSES: tuple[str, ...] = (
    "received",
    "staging",
    "mapping_review",
    "processing",
    "completed",
    "failed",
)

RAW_RECORD_STATUSES: tuple[str, ...] = ("pending", "valid", "quarantined", "processed")

DEPENDENCY_TYPES: tuple[str, ...] = (
    "depends_on",
    "runs_on",
    "hosts",
    "consumes",
    "communicates_with",
    "member_of",
)
DEPENDENCY_STRENGTHS: tuple[str, ...] = ("hard", "soft")

MIGRATION_STATUSES: tuple[str, ...] = (
    "not_started",
    "assessed",
    "planned",
    "in_progress",
    "migrated",
    "failed",
    "skipped",
    "rolled_back",
)

WAVE_STATUSES: tuple[str, ...] = (
    "planned",
    "scheduled",
    "in_progress",
    "completed",
    "failed",
    "cancelled",
    "rolled_back",
)

# Execution runbooks (schema 0026, ADR-0018). A step runs once per workload of its scope: the wave itself, each
# application of the wave, or each asset; rollback steps compensate completed forward steps.
RUNBOOK_STRATEGIES: tuple[str, ...] = tuple(s for s in SIX_R_STRATEGIES if s != "retain")  # retain moves nothing
STEP_TYPES: tuple[str, ...] = ("automated", "manual", "approval", "validation", "smoke_test", "wait", "notify")
STEP_SCOPES: tuple[str, ...] = ("wave", "application", "asset")
STEP_DIRECTIONS: tuple[str, ...] = ("forward", "rollback")
STEP_RUN_STATUSES: tuple[str, ...] = (
    "not_started",
    "in_progress",
    "waiting",  # a timer: a cutover window, a grace period, a retry's back-off, a condition checked again
    "awaiting_person",  # a manual step
    "pending_approval",
    "completed",
    "failed",
    "skipped",
    "abandoned",
)
RUNBOOK_STATUSES: tuple[str, ...] = (
    "running", "paused", "aborting", "rolling_back", "completed", "rolled_back", "cancelled",
)
NOTIFICATION_KINDS: tuple[str, ...] = (
    "waiting_for_person", "step_failed", "approval_escalated", "wave_completed", "wave_rolled_back", "notify_step",
)

INSIGHT_TYPES: tuple[str, ...] = (
    "field_mapping_suggestion",
    "risk_pattern",
    "optimization_opportunity",
    "anomaly_detection",
    "workflow_improvement",
)

AUDIT_OPERATIONS: tuple[str, ...] = ("insert", "update", "delete")

# The CrewAI crews (agents/) and how one of their tasks ended: an invalid or refused answer is `failed` with its
# reason, a task stopped by the engagement's budget `budget_exceeded`; the rules' results stand either way.
AGENT_CREWS: tuple[str, ...] = ("mapping", "strategy", "plan_critic")
AGENT_TASK_STATUSES: tuple[str, ...] = ("completed", "failed", "budget_exceeded")
# What the strategy crew gives an alternative for.
RECOMMENDATION_SUBJECTS: tuple[str, ...] = ("asset", "application")
# What an erasure (`privacy erase-user|erase-client`, schema 0032) was of.
ERASURE_SUBJECTS: tuple[str, ...] = ("user", "client")

# Fixed test tenants (the seed's replacement for `is_mock` flags).
TEST_TENANT_1 = "11111111-1111-1111-1111-111111111111"
TEST_TENANT_2 = "22222222-2222-2222-2222-222222222222"

# Flow-state changes journaled in flow_transitions (one row per flow id and sequence number).
TRANSITION_EVENTS: tuple[str, ...] = (
    "flow_started",
    "phase_started",
    "step_completed",
    "phase_completed",
    "awaiting_approval",
    "approved",
    "rejected",
    "rolled_back",
    "paused",
    "resumed",
    "cancelled",
    "failed",
    "flow_completed",
)

APPROVAL_DECISIONS: tuple[str, ...] = ("approved", "rejected", "auto_approved", "rolled_back")
