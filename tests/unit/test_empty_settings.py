"""A variable set but empty (`export X=`, a compose file's `X: ${X:-}`) means unset, never "the current folder"."""

from __future__ import annotations

import pytest

from runtime.settings import Settings

EMPTY_MEANS_UNSET = {
    "DATABASE_URL": "database_url",
    "DATABASE_REPLICA_URL": "database_replica_url",
    "TEMPORAL_ADDRESS": "temporal_address",
    "MIGRATION_WORKER_BUILD_ID": "worker_build_id",
    "MIGRATION_RETENTION_EXPORT_DIR": "retention_export_dir",
}


@pytest.mark.parametrize("variable", sorted(EMPTY_MEANS_UNSET))
def test_an_empty_variable_is_unset(monkeypatch, variable: str) -> None:
    monkeypatch.setenv(variable, "")
    assert getattr(Settings(), EMPTY_MEANS_UNSET[variable]) is None
