"""Business ids of workflows (DESIGN contract 7): one master per engagement, one child per phase."""

from __future__ import annotations

from uuid import UUID


def master_workflow_id(engagement_id: UUID | str) -> str:
    return f"engagement-{engagement_id}"


def phase_workflow_id(engagement_id: UUID | str, phase: str) -> str:
    return f"{master_workflow_id(engagement_id)}/{phase}"


def wave_workflow_id(engagement_id: UUID | str, wave_number: int) -> str:
    return f"{phase_workflow_id(engagement_id, 'execution')}/wave-{wave_number}"
