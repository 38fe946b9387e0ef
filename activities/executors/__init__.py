"""Executors of runbook steps: what an automated step, a check or a wait condition runs against other systems.

`run_executor(call, config)` is the one entry (`registry`); `ExecutorConfig.from_environment()` reads the
operator's configuration (`config`).
"""
