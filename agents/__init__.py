"""CrewAI crews that advise, never decide: mapping, strategy and plan-critique agents (ADR 0021).

Only `agents.crew` imports crewai (the optional `agents` extra); everything else here is pure and testable
without it or a model endpoint.
"""
