"""The import field table: kinds, size and percentage fields, identifiers."""

from __future__ import annotations

from typing import get_args

from domain.asset_fields import (
    ASSET_IMPORT_FIELDS,
    GB_SIZE_FIELDS,
    IDENTIFYING_FIELDS,
    PERCENT_FIELDS,
    FieldKind,
)


def test_every_field_has_a_known_kind() -> None:
    assert set(ASSET_IMPORT_FIELDS.values()) <= set(get_args(FieldKind))


def test_sizes_and_percentages_are_numbers() -> None:
    for name in GB_SIZE_FIELDS | PERCENT_FIELDS:
        assert ASSET_IMPORT_FIELDS[name] == "number"


def test_identifiers_and_dependencies_are_importable() -> None:
    assert set(IDENTIFYING_FIELDS) <= set(ASSET_IMPORT_FIELDS)
    assert ASSET_IMPORT_FIELDS["depends_on"] == "list"
