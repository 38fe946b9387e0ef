"""Placeholders of a runbook step's parameters: `${asset.hostname}` filled from a flat dict of allowed names.

A placeholder is text between `${` and `}`; its content is only ever looked up as a key of the dict given, never
evaluated, and a filled value is inserted as it is (never scanned again for placeholders). A placeholder outside
the allowed names is a template problem; an allowed one without a value (an asset with no IP address) fails the
step honestly rather than filling an empty string.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")


class PlaceholderError(ValueError):
    """A placeholder that cannot be filled; the message is one line naming it."""

    def __init__(self, placeholder: str, message: str) -> None:
        super().__init__(message)
        self.placeholder = placeholder


class UnknownPlaceholder(PlaceholderError):
    """A placeholder that is not among the names allowed where it stands."""


class MissingValue(PlaceholderError):
    """An allowed placeholder whose value the workload does not have."""


def placeholders(params: Any) -> set[str]:
    """The content of every `${...}` in the strings of `params` (nested lists and dicts included), for template
    checks: a malformed one such as `${__import__('os')}` is returned as written, so it is reported as unknown."""
    found: set[str] = set()

    def collect(text: str) -> str:
        found.update(_PLACEHOLDER.findall(text))
        return text

    _walk(params, collect)
    return found


def fill(params: Any, values: Mapping[str, str | None], allowed: set[str] | frozenset[str]) -> Any:
    """`params` with every placeholder of its strings replaced by its value; raises `UnknownPlaceholder` for a
    name outside `allowed` and `MissingValue` for an allowed name with no (or a None) value. Keys of dicts and
    values that are not strings are kept as they are."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in allowed:
            raise UnknownPlaceholder(name, f"unknown placeholder ${{{name}}}")
        value = values.get(name)
        if value is None:
            raise MissingValue(name, _missing(name, values))
        return value

    return _walk(params, lambda text: _PLACEHOLDER.sub(replace, text))


def _missing(name: str, values: Mapping[str, str | None]) -> str:
    """'asset web01 has no ip_address for ${asset.ip_address}' when the subject is named, else a plainer line."""
    subject, _, field = name.partition(".")
    owner = values.get(f"{subject}.name") if field and field != "name" else None
    if owner:
        return f"{subject} {owner} has no {field} for ${{{name}}}"
    return f"no value for ${{{name}}}"


def _walk(value: Any, on_text: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return on_text(value)
    if isinstance(value, list | tuple):
        return [_walk(item, on_text) for item in value]
    if isinstance(value, dict):
        return {key: _walk(item, on_text) for key, item in value.items()}
    return value


_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$")
HOST_PLACEHOLDERS = frozenset({"asset.hostname", "asset.fqdn"})


def unsafe_values(values: Mapping[str, str | None], names: set[str]) -> dict[str, str]:
    """Why some of the values `names` would fill are unsafe where placeholders go (a program's arguments, a host,
    a URL): control characters, a leading '-' (read as an option), a host name or IP address that is not one.
    Inventory text is untrusted; a run whose placeholders would carry such a value fails, naming it."""
    found: dict[str, str] = {}
    for name in names:
        value = values.get(name)
        if value is None:
            continue
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            found[name] = "holds control characters"
        elif value.startswith("-"):
            found[name] = "starts with '-' (a program would read it as an option)"
        elif name in HOST_PLACEHOLDERS and not _HOST.match(value):
            found[name] = "is not a host name"
        elif name == "asset.ip_address":
            try:
                ipaddress.ip_address(value)
            except ValueError:
                found[name] = "is not an IP address"
    return found
