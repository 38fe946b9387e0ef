"""Settings typed as text (`key=value`), read by the field's annotation of a pydantic model.

Driven by `Model.model_fields` (names, types, defaults, descriptions), so a field added to the model is
settable and shown without a change here. The parser turns text into JSON-ready values (numbers, booleans,
ISO dates as text, lists as lists); the model itself then validates the whole result.
"""

from __future__ import annotations

import math
import types
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

RESET = object()  # `key=` : back to the model's default
QUOTED_CHARS = 200  # of a refused value's problem, which quotes the value
_NONE_WORDS = ("none", "null")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
_BOUNDS = ((annotated_types.Ge, "≥"), (annotated_types.Gt, ">"), (annotated_types.Le, "≤"), (annotated_types.Lt, "<"))


def split_assignment(text: str, model: type[BaseModel]) -> tuple[str, Any]:
    """`key=value` as the field's name and its value parsed from text (`RESET` for `key=`); a mistake raises
    ValueError in one line naming the key and what it allows."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"{text!r}: give settings as key=value (key= resets it to its default)")
    field = model.model_fields.get(key)
    if field is None:
        raise ValueError(f"unknown setting {key!r}; settings: {', '.join(model.model_fields)}")
    raw = raw.strip()
    if not raw:
        return key, RESET
    try:
        return key, parse_value(raw, field.annotation)
    except ValueError as exc:
        problem = str(exc) if len(str(exc)) <= QUOTED_CHARS else str(exc)[:QUOTED_CHARS] + "…"
        raise ValueError(f"{key}: {problem}; allowed: {allowed(field)}") from None


def parse_value(raw: str, annotation: Any) -> Any:
    """The JSON-ready value of `raw` for a field annotated `annotation` (raises ValueError when it is not one)."""
    args = get_args(annotation)
    if _is_union(annotation):
        if type(None) in args and raw.casefold() in _NONE_WORDS:
            return None
        problems = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return parse_value(raw, arg)
            except ValueError as exc:
                problems.append(str(exc))
        raise ValueError("; ".join(problems))
    origin = get_origin(annotation)
    if origin is Literal:
        if raw not in args:
            raise ValueError(f"{raw!r} is not allowed")
        return raw
    if origin in (tuple, list, set, frozenset):
        item = args[0] if args else str
        return [parse_value(part.strip(), item) for part in raw.split(",") if part.strip()]
    if annotation is bool:
        if raw.casefold() not in _TRUE + _FALSE:
            raise ValueError(f"{raw!r} is not true or false")
        return raw.casefold() in _TRUE
    if annotation is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
    if annotation is float:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{raw!r} is not a finite number")
        return number
    if annotation is date:
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError(f"{raw!r} is not a date") from None
    return raw  # text, or a model that reads its own text form (validated with the whole settings)


_NAMES = {int: "whole number", float: "number", str: "text", bool: "true or false", date: "date (YYYY-MM-DD)"}


def type_name(annotation: Any) -> str:
    """The annotation as a person reads it: `whole number`, `date (YYYY-MM-DD) or none`, `one of a, b`."""
    if _is_union(annotation):
        return " or ".join("none" if a is type(None) else type_name(a) for a in get_args(annotation))
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(map(str, args))
    if origin in (tuple, list, set, frozenset):
        return f"comma-separated list of {type_name(args[0]) if args else 'text'}"
    return _NAMES.get(annotation) or getattr(annotation, "__name__", str(annotation))


def allowed(field: FieldInfo) -> str:
    """What a field takes: its type and bounds (`whole number ≥ 1`, `number > 0 or none`)."""
    bounds = " and ".join(f"{sign} {shown(getattr(m, kind.__name__.lower()))}" for m in field.metadata
                          for kind, sign in _BOUNDS if isinstance(m, kind))
    annotation = field.annotation
    optional = _is_union(annotation) and type(None) in get_args(annotation)
    if optional:
        annotation = Union[tuple(a for a in get_args(annotation) if a is not type(None))]  # noqa: UP007
    return type_name(annotation) + (f" {bounds}" if bounds else "") + (" or none" if optional else "")


def default_of(field: FieldInfo) -> Any:
    """The field's default (None when it has none)."""
    return field.get_default(call_default_factory=True) if not field.is_required() else None


def shown(value: Any) -> str:
    """A setting's value as text a person could type back (`key=...`)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ", ".join(map(shown, value))
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def described(field: FieldInfo, name: str) -> str:
    """The field's one-line description, or its name and type when the model gives none."""
    return " ".join((field.description or f"{name} ({type_name(field.annotation)})").split())


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)
