"""Runbook templates: the steps a strategy's workloads go through, as data a person exports, edits and imports.

A template is YAML (or JSON) validated by the pydantic model below; `check_template` lists every problem of a
template at once, one line each naming the step, so a person fixes a file in one pass. Loading is bounded (size,
nesting, expanded nodes, steps) and YAML is read with the safe loader only. Bundled defaults, one per strategy
but retain, live in `domain/execution/templates/<strategy>.yaml`.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.execution.executor_specs import EXECUTORS
from domain.execution.parameters import placeholders
from domain.vocabulary import APPROVING_ROLES, RUNBOOK_STRATEGIES, SIX_R_STRATEGIES, STEP_SCOPES, STEP_TYPES

MAX_TEMPLATE_BYTES = 256 * 1024
MAX_DEPTH = 16  # nesting of mappings and lists, the template itself included
MAX_NODES = 50_000  # values after YAML aliases are expanded (a template is stored and sent as expanded JSON)
MAX_STEPS = 200  # forward steps of one template
MAX_QUORUM = 10  # distinct people approving one workload: more is not a go/no-go anyone can gather
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600

PERSON_STEP_TYPES = frozenset({"manual", "approval"})  # steps that wait for a person to act
SCOPES = STEP_SCOPES
TEMPLATE_STRATEGIES = RUNBOOK_STRATEGIES  # retained workloads do not move

# The values a placeholder may name, by the scope of the step it appears in. Placeholders are filled in the
# parameters of automated steps, checks and wait conditions, a wait's `until`, and a notification's `message`.
_WAVE_PLACEHOLDERS = frozenset({
    "wave.number", "wave.name", "wave.planned_start", "wave.planned_end", "engagement.name", "engagement.id",
    "step.key", "idempotency_key",
})
_APPLICATION_PLACEHOLDERS = _WAVE_PLACEHOLDERS | {"application.name"}
_ASSET_PLACEHOLDERS = _APPLICATION_PLACEHOLDERS | {
    "asset.name", "asset.hostname", "asset.ip_address", "asset.fqdn", "asset.os", "asset.environment",
    "asset.target_platform", "asset.id",
}
PLACEHOLDERS_BY_SCOPE: dict[str, frozenset[str]] = {
    "wave": _WAVE_PLACEHOLDERS, "application": _APPLICATION_PLACEHOLDERS, "asset": _ASSET_PLACEHOLDERS,
}

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Params = Annotated[dict[str, Any], Field(default_factory=dict)]
Timeout = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_SECONDS)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetryPolicy(_Strict):
    """How an automated step is tried again after a failure (exponential back-off, capped)."""

    max_attempts: int = Field(3, ge=1, le=20)
    initial_interval_seconds: float = Field(30, gt=0, le=MAX_TIMEOUT_SECONDS)
    backoff: float = Field(2, ge=1, le=10)
    max_interval_seconds: float = Field(3600, gt=0, le=MAX_TIMEOUT_SECONDS)


class Check(_Strict):
    """One probe of a validation or smoke-test step, and how much its failure matters."""

    executor: str
    params: Params
    severity: Literal["blocker", "warning", "info"] = "blocker"


class WaitCondition(_Strict):
    """A probe a wait step runs every few minutes until it passes."""

    executor: str
    params: Params
    every_minutes: int = Field(15, ge=1, le=24 * 60)


class _Step(_Strict):
    key: Key
    title: Text
    type: str


class _ForwardStep(_Step):
    needs: list[Key] = Field(default_factory=list, max_length=MAX_STEPS)


class _Owned(BaseModel):
    owner: str = Field(min_length=1, max_length=200)
    instructions: LongText = ""

    @field_validator("owner")
    @classmethod
    def _owner_not_blank(cls, owner: str) -> str:
        if not owner.strip():
            raise ValueError("must name who does it, e.g. \"application owner\"")
        return owner


class AutomatedRollback(_Step):
    """The compensating step of a forward step, run by an executor when the wave is aborted."""

    type: Literal["automated"]
    executor: str
    params: Params
    retry: RetryPolicy = RetryPolicy()
    timeout_seconds: Timeout = 3600


class ManualRollback(_Owned, _Step):
    """The compensating step of a forward step, done by a person when the wave is aborted."""

    type: Literal["manual"]


Rollback = Annotated[AutomatedRollback | ManualRollback, Field(discriminator="type")]


class AutomatedStep(_ForwardStep):
    """An executor acts on another system (replicate, launch, cut over), retried with back-off."""

    type: Literal["automated"]
    executor: str
    params: Params
    retry: RetryPolicy = RetryPolicy()
    timeout_seconds: Timeout = 3600
    rollback: Rollback | None = None


class ManualStep(_Owned, _ForwardStep):
    """A person does it and completes it with evidence (a note, a link, a ticket)."""

    type: Literal["manual"]
    rollback: Rollback | None = None


class ApprovalStep(_ForwardStep):
    """A go/no-go: people of the approving roles approve all or some workloads, or reject."""

    type: Literal["approval"]
    approving_roles: list[Literal["owner", "approver"]] = Field(
        default_factory=lambda: list(APPROVING_ROLES), min_length=1, max_length=len(APPROVING_ROLES))
    quorum: int = Field(1, ge=1)
    change_reference_required: bool = False
    expires_after_hours: float | None = Field(None, gt=0, le=365 * 24)
    escalate_to: Text | None = None

    @field_validator("approving_roles")
    @classmethod
    def _roles_once(cls, roles: list[str]) -> list[str]:
        if len(set(roles)) != len(roles):
            raise ValueError("names a role twice")
        return roles


class ValidationStep(_ForwardStep):
    """Pre-flight checks: a failed blocker fails the step; warning and info failures are findings."""

    type: Literal["validation"]
    checks: list[Check] = Field(min_length=1, max_length=50)
    timeout_seconds: Timeout = 3600


class SmokeTestStep(_ForwardStep):
    """Post-launch probes; when they must succeed for cutover, any failed check fails the step."""

    type: Literal["smoke_test"]
    checks: list[Check] = Field(min_length=1, max_length=50)
    must_succeed_for_cutover: bool = True
    timeout_seconds: Timeout = 3600


class WaitStep(_ForwardStep):
    """Waits, durably: until the wave's cutover window or a date-time, for some hours, or for a probe to pass."""

    type: Literal["wait"]
    until: str | None = Field(None, min_length=1, max_length=200)
    delay_hours: float | None = Field(None, gt=0, le=365 * 24)
    condition: WaitCondition | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> WaitStep:
        given = [name for name in ("until", "delay_hours", "condition") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"needs exactly one of until, delay_hours, condition (has {', '.join(given) or 'none'})")
        return self


class NotifyStep(_ForwardStep):
    """Sends the webhook notification with its message, then completes."""

    type: Literal["notify"]
    message: str = Field(min_length=1, max_length=4000)


Step = Annotated[
    AutomatedStep | ManualStep | ApprovalStep | ValidationStep | SmokeTestStep | WaitStep | NotifyStep,
    Field(discriminator="type"),
]
_STEP_CLASSES: dict[str, type[BaseModel]] = {
    get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in get_args(get_args(Step)[0])
}


class StepGroup(_Strict):
    """Steps that run for each wave, application or asset; a group starts when the previous one is done."""

    name: Key
    scope: Literal["wave", "application", "asset"]
    steps: list[Step] = Field(min_length=1)


class RunbookTemplate(_Strict):
    """The runbook of one strategy: its step groups, in order."""

    name: Text
    strategy: Literal[TEMPLATE_STRATEGIES]  # type: ignore[valid-type]
    version: int = Field(1, ge=1)
    description: LongText = ""
    groups: list[StepGroup] = Field(min_length=1, max_length=20)

    @field_validator("strategy", mode="before")
    @classmethod
    def _not_retain(cls, strategy: Any) -> Any:
        if strategy == "retain":
            raise ValueError("retain has no runbook: retained workloads stay where they are")
        return strategy


class TemplateError(ValueError):
    """A template that cannot be used, with every problem found (one line each)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class OrderedStep:
    """A step with where it runs: its group, the group's scope, and its position in the template's total order."""

    position: int  # groups in order, steps of a group in dependency order, ties in file order
    group_index: int
    group: str
    scope: str
    step: AutomatedStep | ManualStep | ApprovalStep | ValidationStep | SmokeTestStep | WaitStep | NotifyStep

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(self.step.needs)


# --- loading ----------------------------------------------------------------------------------------------------

def parse_template(text: str, filename_hint: str | None = None) -> RunbookTemplate:
    """Read a template from YAML or JSON text (JSON when the name ends in .json or the text starts with `{`)
    and check it; raises TemplateError listing every problem."""
    return validate_template(load_data(text, filename_hint))


def load_data(text: str, filename_hint: str | None = None) -> Any:
    """The plain data of a template file, bounded in size, nesting and expanded values; raises TemplateError."""
    where = filename_hint or "template"
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateError([f"{where}: {size:,} bytes, more than a template may hold ({MAX_TEMPLATE_BYTES:,})"])
    as_json = (filename_hint or "").lower().endswith(".json") or (
        not (filename_hint or "").lower().endswith((".yaml", ".yml")) and text.lstrip().startswith("{"))
    data = _load_json(text, where) if as_json else _load_yaml(text, where)
    _check_bounds(data, where)
    return data


def _load_json(text: str, where: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in items:
            if name in seen:
                raise TemplateError([f"{where}: the key {name!r} appears twice in the same object"])
            seen[name] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise TemplateError([f"{where}: nested more than {MAX_DEPTH} levels deep"]) from None
    except json.JSONDecodeError as exc:
        raise TemplateError([f"{where}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]) from None


def _load_yaml(text: str, where: str) -> Any:
    """Safe YAML only; the event stream is read first so deep nesting and repeated keys are refused before any
    object is built (the composer recurses per level)."""
    try:
        _scan_yaml_events(text, where)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "unreadable"
        tag = re.search(r"for the tag '([^']*)'", problem)
        if tag:
            problem = f"the tag {tag.group(1)} is not allowed (plain YAML only)"
        raise TemplateError([f"{where}: not valid YAML{at}: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise TemplateError([f"{where}: not valid YAML: {str(exc).splitlines()[0]}"]) from None


# libyaml's parser when PyYAML was built with it (twenty times faster on a large file), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, reading date-times as the text written (a wait's `until` is checked as ISO text)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _scan_yaml_events(text: str, where: str) -> None:
    # One frame per open collection: [is_mapping, scalars seen so far in it, keys of a mapping]
    frames: list[list[Any]] = []
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.NodeEvent) and frames and frames[-1][0]:
            frame = frames[-1]
            is_key = frame[1] % 2 == 0
            frame[1] += 1
            if is_key and isinstance(event, yaml.ScalarEvent):
                if event.value in frame[2]:
                    raise TemplateError([f"{where}: line {event.start_mark.line + 1}: the key {event.value!r} "
                                         "appears twice in the same mapping"])
                frame[2].add(event.value)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(frames) >= MAX_DEPTH:
                raise TemplateError([f"{where}: line {event.start_mark.line + 1}: nested more than {MAX_DEPTH} "
                                     "levels deep"])
            frames.append([isinstance(event, yaml.MappingStartEvent), 0, set()])
        elif isinstance(event, yaml.CollectionEndEvent):
            frames.pop()


def _check_bounds(data: Any, where: str) -> None:
    """Depth and node count of the loaded value, aliases expanded (as the JSON stored from it would be), and only
    values JSON (and PostgreSQL's jsonb) holds: text without NUL, finite numbers, text keys."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise TemplateError([f"{where}: more than {MAX_NODES:,} values once anchors are expanded"])
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise TemplateError([f"{where}: a mapping key is not text"])
            stack.extend((key, depth) for key in value)
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise TemplateError([f"{where}: nested more than {MAX_DEPTH} levels deep"])
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
        elif isinstance(value, str):
            if "\x00" in value:
                raise TemplateError([f"{where}: holds a NUL character, which a template cannot store"])
        elif isinstance(value, float) and not math.isfinite(value):
            raise TemplateError([f"{where}: holds the number {value}; numbers of a template are finite"])
        elif not isinstance(value, int | float | bool | type(None)):
            raise TemplateError([f"{where}: holds a {type(value).__name__} value; a template holds text, numbers, "
                                 "true/false, lists and mappings"])


def validate_template(data: Any) -> RunbookTemplate:
    """The template of checked data (from a file, or a stored body); raises TemplateError listing every problem."""
    problems = check_template(data)
    if problems:
        raise TemplateError(problems)
    return RunbookTemplate.model_validate(data)


@cache
def bundled_template(strategy: str) -> RunbookTemplate | None:
    """The default template of a strategy shipped with the platform; None for retain (nothing moves)."""
    if strategy not in SIX_R_STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    if strategy == "retain":
        return None
    path = resources.files("domain.execution") / "templates" / f"{strategy}.yaml"
    return parse_template(path.read_text(encoding="utf-8"), f"{strategy}.yaml")


def dump_template(template: RunbookTemplate, fmt: Literal["yaml", "json"] = "yaml") -> str:
    """The template as a file a person edits: every setting shown, unset options left out."""
    data = template.model_dump(mode="json", exclude_none=True)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    raise ValueError(f"unknown format {fmt!r} (yaml or json)")


def template_json_schema() -> dict[str, Any]:
    """The JSON Schema of a template, for editors."""
    schema = RunbookTemplate.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Runbook template"
    return schema


# --- order ------------------------------------------------------------------------------------------------------

def ordered_steps(template: RunbookTemplate) -> list[OrderedStep]:
    """Every forward step in a stable total order: groups in order, a group's steps after those they need,
    ties in file order. The template must be checked (no cycles)."""
    ordered: list[OrderedStep] = []
    for group_index, group in enumerate(template.groups):
        for index in _topological(group.steps):
            ordered.append(OrderedStep(len(ordered), group_index, group.name, group.scope, group.steps[index]))
    return ordered


def _topological(steps: list[Any]) -> list[int]:
    index_of = {step.key: i for i, step in enumerate(steps)}
    waiting = [len(step.needs) for step in steps]
    successors: list[list[int]] = [[] for _ in steps]
    for i, step in enumerate(steps):
        for need in step.needs:
            successors[index_of[need]].append(i)
    ready = [i for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for successor in successors[i]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(ready, successor)
    if len(order) != len(steps):
        raise ValueError("the steps' needs form a cycle (check the template first)")
    return order


def person_steps(template: RunbookTemplate) -> list[str]:
    """The keys of the steps (rollbacks included) that wait for a person: manual steps and approvals."""
    found = []
    for group in template.groups:
        for step in group.steps:
            if step.type in PERSON_STEP_TYPES:
                found.append(step.key)
            rollback = getattr(step, "rollback", None)
            if rollback is not None and rollback.type in PERSON_STEP_TYPES:
                found.append(rollback.key)
    return found


def is_unattended(template: RunbookTemplate) -> bool:
    """Whether the template runs to the end (and rolls back) without anyone acting."""
    return not person_steps(template)


# --- checks -----------------------------------------------------------------------------------------------------

def check_template(data: Any) -> list[str]:
    """Every problem of a template's data, one line each naming the step (empty: the template is usable).

    The model's own errors come first, then what only the whole template shows: keys and needs, cycles,
    executors and their parameters, owners, quorums and placeholders."""
    if not isinstance(data, dict):
        return [f"template: a template is a mapping (name, strategy, groups), not {_kind(data)}"]
    steps = list(_raw_steps(data))
    problems: list[str] = []
    try:
        RunbookTemplate.model_validate(data)
    except ValidationError as exc:
        problems += [_describe(error, data) for error in exc.errors()]
    if len(steps) > MAX_STEPS:
        problems.append(f"template: {len(steps)} steps, more than a template may hold ({MAX_STEPS})")
    problems += _check_groups(data)
    problems += _check_keys(steps)
    problems += _check_needs(steps)
    for raw in steps:
        problems += [f"{raw.label}: {problem}" for problem in _check_step(raw.data, raw.scope)]
    return problems


@dataclass(frozen=True)
class _RawStep:
    group_index: int
    step_index: int
    scope: str | None  # the group's, when valid
    data: Any  # whatever the file holds in the step's place
    label: str  # "step KEY", or "group G step S" for a step without a readable key


def _raw_steps(data: dict[str, Any]) -> Iterator[_RawStep]:
    """Whatever stands in the place of a step, with where it stands."""
    groups = data.get("groups")
    for gi, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict) or not isinstance(group.get("steps"), list):
            continue
        scope = group.get("scope") if group.get("scope") in SCOPES else None
        for si, raw in enumerate(group["steps"]):
            yield _RawStep(gi, si, scope, raw, _step_label(raw, gi, si))


def _key_of(raw: Any) -> str | None:
    return raw.get("key") if isinstance(raw, dict) and isinstance(raw.get("key"), str) else None


def _step_label(raw: Any, group_index: int, step_index: int) -> str:
    key = _key_of(raw)
    return f"step {key}" if key else f"group {group_index + 1} step {step_index + 1}"


def _check_groups(data: dict[str, Any]) -> list[str]:
    names = [g.get("name") for g in data.get("groups") or [] if isinstance(g, dict) and isinstance(g.get("name"), str)]
    return [f"group {name}: the name is used by {names.count(name)} groups" for name in sorted(set(names))
            if names.count(name) > 1]


def _check_keys(steps: list[_RawStep]) -> list[str]:
    """Step keys (rollbacks included) are unique in the template: step runs and idempotency keys use them."""
    where: dict[str, list[str]] = {}
    for raw in steps:
        key = _key_of(raw.data)
        if key:
            where.setdefault(key, []).append(f"group {raw.group_index + 1} step {raw.step_index + 1}")
        rollback_key = _key_of(raw.data.get("rollback")) if isinstance(raw.data, dict) else None
        if rollback_key:
            where.setdefault(rollback_key, []).append(f"the rollback of {raw.label}")
    return [f"step {key}: the key is used {len(places)} times ({', '.join(places)})"
            for key, places in where.items() if len(places) > 1]


def _check_needs(steps: list[_RawStep]) -> list[str]:
    """Needs name steps of the same group, and a group's needs form no cycle (each cycle named once)."""
    group_of: dict[str, int] = {}
    for raw in steps:
        key = _key_of(raw.data)
        if key:
            group_of.setdefault(key, raw.group_index)
    problems = []
    edges: dict[int, dict[str, list[str]]] = {}  # group -> key -> needs within the group
    for raw in steps:
        key = _key_of(raw.data)
        needs = raw.data.get("needs") if isinstance(raw.data, dict) else None
        if not isinstance(needs, list):
            continue
        group_edges = edges.setdefault(raw.group_index, {})
        for need in needs:
            if not isinstance(need, str):
                continue
            if need not in group_of:
                problems.append(f"{raw.label}: needs {need!r}, which is no step of this template")
            elif group_of[need] != raw.group_index:
                problems.append(f"{raw.label}: needs {need!r} of group {group_of[need] + 1}; a step needs "
                                "steps of its own group (the groups already run in order)")
            elif key:
                group_edges.setdefault(key, []).append(need)
    for group_edges in edges.values():
        problems += [f"step {cycle[0]}: its needs form a cycle: {' -> '.join([*cycle, cycle[0]])}"
                     for cycle in _cycles(group_edges)]
    return problems


def _cycles(needs: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per knot of the needs graph, found without recursion: peel off the steps that can run, walk
    back through the needs of a step left over until a step repeats, drop that cycle, repeat."""
    remaining = set(needs) | {n for ns in needs.values() for n in ns}
    order = list(dict.fromkeys([*needs, *[n for ns in needs.values() for n in ns]]))
    found = []
    while True:
        changed = True
        while changed:
            changed = False
            for key in order:
                if key in remaining and not any(n in remaining for n in needs.get(key, [])):
                    remaining.discard(key)
                    changed = True
        start = next((key for key in order if key in remaining), None)
        if start is None:
            return found
        path: list[str] = []
        key = start
        while key not in path:
            path.append(key)
            key = next(n for n in needs[key] if n in remaining)
        cycle = path[path.index(key):]
        found.append(cycle)
        remaining -= set(cycle)


def _check_step(raw: Any, scope: str | None) -> list[str]:
    """The checks of one step that its model cannot make, read from the raw data so they run even when
    another field of the step is malformed (whatever has the wrong shape is listed by the model)."""
    if not isinstance(raw, dict):
        return []
    kind = raw.get("type")
    problems = []
    if kind == "automated":
        problems += _check_call(raw, "automated steps", lambda spec: spec.automated)
    if kind in {"validation", "smoke_test"} and isinstance(raw.get("checks"), list):
        for index, check in enumerate(raw["checks"]):
            problems += [f"check {index + 1}: {p}" for p in _check_call(check, "checks", lambda spec: spec.probe)]
    if kind == "wait":
        problems += [f"condition: {p}" for p in _check_call(raw.get("condition"), "wait conditions",
                                                            lambda spec: spec.probe)]
        until = raw.get("until")
        if isinstance(until, str) and until != "cutover_window" and not placeholders(until):
            problems += _check_datetime(until)
    quorum = raw.get("quorum")
    if kind == "approval" and isinstance(quorum, int) and quorum > MAX_QUORUM:
        problems.append(f"quorum {quorum} is more people than a go/no-go can gather (at most {MAX_QUORUM})")
    if scope is not None:
        problems += _check_placeholders(raw, scope)
    rollback = raw.get("rollback")
    if isinstance(rollback, dict) and rollback.get("type") == "automated":
        problems += [f"rollback: {p}" for p in _check_call(rollback, "automated steps", lambda spec: spec.automated)]
    return problems


def _check_call(raw: Any, what: str, allowed: Any) -> list[str]:
    """The executor a step, check or condition names and its parameters, against `EXECUTORS`."""
    if not isinstance(raw, dict) or not isinstance(raw.get("executor"), str):
        return []
    executor = raw["executor"]
    usable = ", ".join(sorted(name for name, spec in EXECUTORS.items() if allowed(spec)))
    spec = EXECUTORS.get(executor)
    if spec is None:
        return [f"unknown executor {executor!r} ({what} use one of {usable})"]
    if not allowed(spec):
        return [f"executor {executor!r} is not for {what} (use one of {usable})"]
    params = raw.get("params", {})
    if not isinstance(params, dict):
        return []
    problems = []
    missing = sorted(spec.required - params.keys())
    if missing:
        problems.append(f"{executor} needs the parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    unknown = sorted(params.keys() - spec.accepted)
    if unknown:
        accepted = ", ".join(sorted(spec.accepted)) or "none"
        problems.append(f"{executor} takes no parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                        f"(it takes: {accepted})")
    return problems


def _check_datetime(text: str) -> list[str]:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return [f"until {text!r} is neither cutover_window nor an ISO date-time with a time zone "
                "(e.g. 2027-03-01T22:00:00+00:00)"]
    if not within_reach(moment):
        return [f"until {text!r} is beyond the year {LATEST_YEAR}: not a moment a migration waits for"]
    return []


LATEST_YEAR = 2200


def within_reach(moment: datetime) -> bool:
    """Whether a wait's moment is one the platform stores and waits for (in UTC, before LATEST_YEAR)."""
    try:
        return moment.astimezone(UTC).year < LATEST_YEAR
    except OverflowError:
        return False


def _placeholder_texts(raw: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, value) of the parts of a step whose text placeholders are filled in."""
    kind = raw.get("type")
    if kind == "automated":
        yield "params", raw.get("params")
    if kind in {"validation", "smoke_test"} and isinstance(raw.get("checks"), list):
        for index, check in enumerate(raw["checks"]):
            yield f"check {index + 1}", check.get("params") if isinstance(check, dict) else None
    if kind == "wait":
        yield "until", raw.get("until")
        condition = raw.get("condition")
        yield "condition", condition.get("params") if isinstance(condition, dict) else None
    if kind == "notify":
        yield "message", raw.get("message")
    rollback = raw.get("rollback")
    if isinstance(rollback, dict) and rollback.get("type") == "automated":
        yield "rollback params", rollback.get("params")


def _check_placeholders(raw: dict[str, Any], scope: str) -> list[str]:
    allowed = PLACEHOLDERS_BY_SCOPE[scope]
    known = PLACEHOLDERS_BY_SCOPE["asset"]
    problems = []
    for where, value in _placeholder_texts(raw):
        for name in sorted(placeholders(value)):
            if name not in known:
                problems.append(f"{where}: unknown placeholder ${{{name}}}")
            elif name not in allowed:
                problems.append(f"{where}: ${{{name}}} has no value in a {scope}-scope step (only in "
                                f"{'asset' if name.startswith('asset.') else 'application and asset'} scopes)")
    return problems


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", type(None): "empty"}.get(type(value), f"a {type(value).__name__}")


def _describe(error: Any, data: dict[str, Any]) -> str:
    """One line for one pydantic error: the step (or group, or template) it is in, the field, what is wrong."""
    loc = list(error["loc"])
    subject, step_type = "template", None
    if len(loc) >= 2 and loc[0] == "groups" and isinstance(loc[1], int):
        group_index, group = loc[1], data["groups"][loc[1]]
        group_name = group.get("name") if isinstance(group, dict) else None
        subject = f"group {group_name if isinstance(group_name, str) else group_index + 1}"
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            raw = group["steps"][loc[1]]
            subject = _step_label(raw, group_index, loc[1])
            step_type = raw.get("type") if isinstance(raw, dict) else None
            loc = loc[2:]
    if loc and loc[0] in STEP_TYPES:
        loc = loc[1:]  # the tag of the step's type
    if len(loc) >= 2 and loc[0] == "rollback" and loc[1] in STEP_TYPES:
        loc = [loc[0], *loc[2:]]
    field = ".".join(f"#{part + 1}" if isinstance(part, int) else str(part) for part in loc)
    line = f"{subject}: {_message(error, field, loc)}"
    if error["type"] == "extra_forbidden" and len(loc) == 1 and step_type in _STEP_CLASSES:
        line += f" (a {step_type} step has: {', '.join(_STEP_CLASSES[step_type].model_fields)})"
    return line


def _message(error: Any, field: str, loc: list[Any]) -> str:
    kind, message = error["type"], error["msg"]
    at = f"{field}: " if field else ""
    if kind == "extra_forbidden":
        return f"unknown field {str(loc[-1])!r}" + (f" (in {'.'.join(map(str, loc[:-1]))})" if len(loc) > 1 else "")
    if kind == "missing" and loc and loc[-1] == "owner":
        return f"{at}a manual step names its owner: who does it, e.g. \"application owner\""
    if kind == "missing":
        return f"{at}required"
    if kind == "union_tag_invalid":
        return f"{at}unknown type {error['input'].get('type')!r} (one of {', '.join(_tags(loc))})"
    if kind == "union_tag_not_found":
        return f"{at}type: required (one of {', '.join(_tags(loc))})"
    if kind in {"model_type", "model_attributes_type", "dict_type"} and not field:
        return f"should be a mapping, not {_kind(error['input'])}"
    message = message.removeprefix("Value error, ").removeprefix("Input ")
    if kind == "literal_error":
        message += f" (not {error['input']!r})"
    return f"{at}{message[:1].lower()}{message[1:]}"


def _tags(loc: list[Any]) -> list[str]:
    return ["automated", "manual"] if loc and loc[-1] == "rollback" else list(STEP_TYPES)
