"""Placeholders of step parameters: filled from the allowed names only, nested, never evaluated."""

from __future__ import annotations

import pytest

from domain.execution.parameters import MissingValue, UnknownPlaceholder, fill, placeholders

ALLOWED = {"asset.name", "asset.hostname", "asset.ip_address", "wave.number", "wave.name", "idempotency_key"}
VALUES: dict[str, str | None] = {"asset.name": "web01", "asset.hostname": "web01.corp", "asset.ip_address": None,
                                 "wave.number": "3", "wave.name": "Wave ${asset.name}", "idempotency_key": "k/1"}


def test_fill_replaces_placeholders_in_nested_strings_lists_and_dicts() -> None:
    params = {"program": "replicate", "args": ["--host", "${asset.hostname}", "--wave=${wave.number}"],
              "body": {"server": {"name": "${asset.name}", "tags": ["w${wave.number}", 7, None, True]}},
              "port": 443, "${asset.name}": "keys are not placeholders"}
    assert fill(params, VALUES, ALLOWED) == {
        "program": "replicate", "args": ["--host", "web01.corp", "--wave=3"],
        "body": {"server": {"name": "web01", "tags": ["w3", 7, None, True]}},
        "port": 443, "${asset.name}": "keys are not placeholders"}


def test_fill_leaves_the_input_unchanged() -> None:
    params = {"args": ["${asset.name}"]}
    fill(params, VALUES, ALLOWED)
    assert params == {"args": ["${asset.name}"]}


def test_a_filled_value_is_inserted_as_it_is_never_filled_again() -> None:
    assert fill("${wave.name}", VALUES, ALLOWED) == "Wave ${asset.name}"


def test_a_missing_value_names_the_placeholder_and_the_workload() -> None:
    with pytest.raises(MissingValue, match=r"^asset web01 has no ip_address for \$\{asset\.ip_address\}$") as caught:
        fill({"host": "${asset.ip_address}"}, VALUES, ALLOWED)
    assert caught.value.placeholder == "asset.ip_address"
    with pytest.raises(MissingValue, match=r"^no value for \$\{wave\.name\}$"):
        fill(["${wave.name}"], {}, ALLOWED)


def test_a_placeholder_outside_the_allowed_names_is_unknown_even_with_a_value() -> None:
    with pytest.raises(UnknownPlaceholder, match=r"^unknown placeholder \$\{asset\.hostname\}$"):
        fill({"args": ["${asset.hostname}"]}, VALUES, {"wave.number"})


@pytest.mark.parametrize("text", [
    "${__import__('os').system('touch /tmp/pwned')}",
    "${asset.name.__class__}",
    "${ asset.name }",
    "${env:HOME}",
    "${}",
])
def test_text_that_is_not_an_allowed_name_is_never_evaluated(text: str) -> None:
    with pytest.raises(UnknownPlaceholder) as caught:
        fill({"x": [text]}, VALUES, ALLOWED)
    assert caught.value.placeholder == text[2:-1]


def test_placeholders_lists_every_name_in_nested_params_as_written() -> None:
    params = {"a": "${asset.hostname}:${wave.number}", "b": ["x", {"c": "${__import__('os')}"}], "d": 3,
              "e": "$asset.name and ${unclosed"}
    assert placeholders(params) == {"asset.hostname", "wave.number", "__import__('os')"}
    assert placeholders({"plain": "text"}) == set()


def test_text_without_placeholders_is_kept_with_its_dollars() -> None:
    assert fill({"a": "cost $5 {x} $"}, {}, set()) == {"a": "cost $5 {x} $"}
