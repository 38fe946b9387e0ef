"""Runbook templates (domain.execution.templates): the bundled defaults, loading, every problem listed at once."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from domain.execution.templates import (
    MAX_STEPS,
    MAX_TEMPLATE_BYTES,
    STEP_TYPES,
    TEMPLATE_STRATEGIES,
    RunbookTemplate,
    TemplateError,
    bundled_template,
    check_template,
    dump_template,
    is_unattended,
    ordered_steps,
    parse_template,
    person_steps,
    template_json_schema,
)


def rehost() -> dict[str, Any]:
    """The rehost default as plain data, to break one thing at a time."""
    return copy.deepcopy(bundled_template("rehost").model_dump(mode="json", exclude_none=True))


def step(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for g in data["groups"] for s in g["steps"] if s["key"] == key)


def problems_of(data: dict[str, Any]) -> list[str]:
    found = check_template(data)
    with pytest.raises(TemplateError) as refused:
        parse_template(json.dumps(data), "t.json")
    assert refused.value.problems == found
    return found


@pytest.mark.parametrize("strategy", TEMPLATE_STRATEGIES)
def test_each_bundled_default_passes_the_checks_and_round_trips(strategy: str) -> None:
    template = bundled_template(strategy)
    assert template is not None and template.strategy == strategy
    data = template.model_dump(mode="json", exclude_none=True)
    assert check_template(data) == []
    for fmt in ("yaml", "json"):
        text = dump_template(template, fmt)
        again = parse_template(text, f"{strategy}.{fmt}")
        assert again == template
        assert dump_template(again, fmt) == text
    automated = [s for g in template.groups for s in g.steps if s.type == "automated"]
    assert automated and all(s.executor == "dry_run" for s in automated)


def test_retain_has_no_template_and_an_unknown_strategy_is_an_error() -> None:
    assert bundled_template("retain") is None
    with pytest.raises(ValueError, match="unknown strategy"):
        bundled_template("reheat")


def test_rehost_runs_the_steps_of_the_issue_in_order_with_rollbacks() -> None:
    template = bundled_template("rehost")
    order = ordered_steps(template)
    assert [o.key for o in order] == [
        "wave_readiness", "pre_checks", "replicate", "verify_replication", "test_launch", "smoke_test",
        "manual_acceptance", "go_no_go", "cutover_window", "final_sync_and_cutover", "post_cutover_validation",
        "finalise"]
    assert [o.position for o in order] == list(range(len(order)))
    by_key = {o.key: o for o in order}
    assert (by_key["go_no_go"].scope, by_key["go_no_go"].group_index, by_key["go_no_go"].needs) == (
        "application", 2, ("manual_acceptance",))
    assert by_key["finalise"].scope == "wave" and by_key["finalise"].step.type == "notify"
    rollbacks = {o.key: o.step.rollback.key for o in order if getattr(o.step, "rollback", None)}
    assert rollbacks == {"replicate": "stop_replication", "test_launch": "terminate_test_instance",
                         "final_sync_and_cutover": "revert_cutover"}
    go = by_key["go_no_go"].step
    assert go.change_reference_required and go.expires_after_hours == 48
    assert by_key["smoke_test"].step.must_succeed_for_cutover
    assert by_key["cutover_window"].step.until == "cutover_window"
    assert 10 <= sum(o.scope == "asset" for o in order) + len(rollbacks) <= 15


def test_steps_of_a_group_follow_their_needs_ties_in_file_order() -> None:
    data = rehost()
    group = data["groups"][1]
    # written last-first: the order still follows the needs, and independent steps keep their file order
    group["steps"] = list(reversed(group["steps"])) + [
        {"key": "late_note", "title": "Note", "type": "notify", "message": "m"}]
    keys = [o.key for o in ordered_steps(RunbookTemplate.model_validate(data)) if o.group_index == 1]
    assert keys == ["pre_checks", "replicate", "verify_replication", "test_launch", "smoke_test", "late_note"]


def test_person_steps_and_unattended() -> None:
    assert person_steps(bundled_template("rehost")) == ["manual_acceptance", "go_no_go"]
    assert person_steps(bundled_template("retire")) == ["dns_removal", "restore_dns"]
    assert is_unattended(bundled_template("relocate"))
    assert not is_unattended(bundled_template("rehost"))


def test_three_problems_are_three_lines_each_naming_its_step() -> None:
    data = rehost()
    step(data, "replicate")["executor"] = "ssh"
    del step(data, "manual_acceptance")["owner"]
    step(data, "pre_checks")["needs"] = ["smoke_test"]
    assert problems_of(data) == [
        'step manual_acceptance: owner: a manual step names its owner: who does it, e.g. "application owner"',
        "step pre_checks: its needs form a cycle: pre_checks -> smoke_test -> test_launch -> verify_replication "
        "-> replicate -> pre_checks",
        "step replicate: unknown executor 'ssh' (automated steps use one of command, dry_run, http)",
    ]


def breaks() -> dict[str, tuple[Any, str]]:
    """Each kind of bad template: how to break the rehost default, and the line that says so."""

    def cycle(d):
        step(d, "replicate")["needs"] = ["replicate"]

    def unknown_executor(d):
        step(d, "pre_checks")["checks"][0]["executor"] = "ping"

    def executor_for_other_type(d):
        step(d, "test_launch")["executor"] = "tcp_probe"

    def unknown_parameter(d):
        step(d, "replicate")["params"]["colour"] = "red"

    def missing_parameter(d):
        step(d, "replicate").update(executor="command", params={"args": ["x"]})

    def manual_without_owner(d):
        step(d, "manual_acceptance")["owner"] = "   "

    def manual_rollback_without_owner(d):
        step(d, "replicate")["rollback"] = {"key": "undo", "title": "Undo", "type": "manual"}

    def cross_group(d):
        step(d, "replicate")["needs"] = ["go_no_go"]

    def unknown_need(d):
        step(d, "replicate")["needs"] = ["pre_check"]

    def duplicate_key(d):
        step(d, "finalise")["key"] = "replicate"

    def unknown_field(d):
        step(d, "finalise")["colour"] = "red"

    def unknown_type(d):
        step(d, "finalise")["type"] = "email"

    def unknown_placeholder(d):
        step(d, "replicate")["params"]["note"] = "${asset.hostnme}"

    def asset_placeholder_in_wave_scope(d):
        step(d, "finalise")["message"] = "${asset.name} done"

    def application_placeholder_in_wave_scope(d):
        step(d, "wave_readiness")["checks"][0]["params"]["note"] = "${application.name}"

    def retain(d):
        d["strategy"] = "retain"

    def quorum(d):
        step(d, "go_no_go")["quorum"] = 50

    def duplicate_group(d):
        d["groups"][4]["name"] = "initialisation"

    def wait_twice(d):
        step(d, "cutover_window")["delay_hours"] = 3

    def naive_until(d):
        step(d, "cutover_window")["until"] = "2027-03-01T22:00:00"

    def too_many_steps(d):
        d["groups"][4]["steps"] = [{"key": f"n{i}", "title": "n", "type": "notify", "message": "m"}
                                   for i in range(MAX_STEPS)]

    return {
        "cycle": (cycle, "step replicate: its needs form a cycle: replicate -> replicate"),
        "unknown executor": (unknown_executor,
                             "step pre_checks: check 1: unknown executor 'ping' (checks use one of command, dns_probe, "
                             "dry_run, http, http_probe, tcp_probe)"),
        "executor of another kind": (executor_for_other_type,
                                     "step test_launch: executor 'tcp_probe' is not for automated steps (use one of "
                                     "command, dry_run, http)"),
        "unknown parameter": (unknown_parameter, "step replicate: dry_run takes no parameter colour (it takes: note)"),
        "missing parameter": (missing_parameter, "step replicate: command needs the parameter program"),
        "manual without owner": (manual_without_owner,
                                 'step manual_acceptance: owner: must name who does it, e.g. "application owner"'),
        "manual rollback without owner": (manual_rollback_without_owner,
                                          'step replicate: rollback.owner: a manual step names its owner: who does '
                                          'it, e.g. "application owner"'),
        "cross-group needs": (cross_group, "step replicate: needs 'go_no_go' of group 3; a step needs steps of its "
                                           "own group (the groups already run in order)"),
        "unknown needs": (unknown_need, "step replicate: needs 'pre_check', which is no step of this template"),
        "duplicate key": (duplicate_key, "step replicate: the key is used 2 times (group 2 step 2, group 5 step 1)"),
        "unknown field": (unknown_field, "step finalise: unknown field 'colour' (a notify step has: key, title, type, "
                                         "needs, message)"),
        "unknown type": (unknown_type, "step finalise: unknown type 'email' (one of automated, manual, approval, "
                                       "validation, smoke_test, wait, notify)"),
        "unknown placeholder": (unknown_placeholder, "step replicate: params: unknown placeholder ${asset.hostnme}"),
        "asset placeholder in a wave step": (asset_placeholder_in_wave_scope,
                                             "step finalise: message: ${asset.name} has no value in a wave-scope "
                                             "step (only in asset scopes)"),
        "application placeholder in a wave step": (
            application_placeholder_in_wave_scope,
            "step wave_readiness: check 1: ${application.name} has no value in a wave-scope step (only in "
            "application and asset scopes)"),
        "retain": (retain, "template: strategy: retain has no runbook: retained workloads stay where they are"),
        "quorum": (quorum, "step go_no_go: quorum 50 is more people than a go/no-go can gather (at most 10)"),
        "duplicate group": (duplicate_group, "group initialisation: the name is used by 2 groups"),
        "wait of two kinds": (wait_twice,
                              "step cutover_window: needs exactly one of until, delay_hours, condition (has until, "
                              "delay_hours)"),
        "until without a time zone": (naive_until,
                                      "step cutover_window: until '2027-03-01T22:00:00' is neither cutover_window nor "
                                      "an ISO date-time with a time zone (e.g. 2027-03-01T22:00:00+00:00)"),
        "too many steps": (too_many_steps, f"template: {MAX_STEPS + 11} steps, more than a template may hold "
                                           f"({MAX_STEPS})"),
    }


@pytest.mark.parametrize("kind", list(breaks()))
def test_each_kind_of_bad_template_is_refused_naming_the_problem(kind: str) -> None:
    data = rehost()
    spoil, line = breaks()[kind]
    spoil(data)
    assert problems_of(data) == [line]


def test_every_kind_at_once_is_listed_in_one_refusal() -> None:
    data = rehost()
    spoils = breaks()
    for kind in ("cycle", "unknown executor", "missing parameter", "manual without owner", "unknown field",
                 "asset placeholder in a wave step", "retain", "quorum"):
        spoils[kind][0](data)
    found = problems_of(data)
    assert len(found) == 8
    assert {spoils[kind][1] for kind in ("unknown executor", "manual without owner", "retain", "quorum")} <= set(
        found)


def test_a_malformed_step_still_has_its_executor_checked() -> None:
    data = rehost()
    step(data, "replicate").update(executor="ssh", retry={"max_attempts": 99})
    assert problems_of(data) == [
        "step replicate: retry.max_attempts: should be less than or equal to 20",
        "step replicate: unknown executor 'ssh' (automated steps use one of command, dry_run, http)",
    ]


def test_not_a_template_at_all() -> None:
    assert check_template([1, 2]) == ["template: a template is a mapping (name, strategy, groups), not a list"]
    assert check_template({}) == ["template: name: required", "template: strategy: required",
                                  "template: groups: required"]


@pytest.mark.parametrize(("text", "name", "problem"), [
    ("name: [", "t.yaml", "t.yaml: not valid YAML at line 2 column 1: did not find expected node content"),
    ('{"name": ', "t.json", "t.json: not valid JSON at line 1 column 10: Expecting value"),
    ("name: !!python/object/apply:os.system ['touch /tmp/owned']\n", "t.yaml",
     "t.yaml: not valid YAML at line 1 column 7: the tag tag:yaml.org,2002:python/object/apply:os.system is not "
     "allowed (plain YAML only)"),
    ("name: a\nstrategy: rehost\nname: b\n", "t.yaml", "t.yaml: line 3: the key 'name' appears twice in the same "
                                                       "mapping"),
    ('{"name": "a", "name": "b"}', "t.json", "t.json: the key 'name' appears twice in the same object"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 40)), "t.yaml",
     "t.yaml: line 17: nested more than 16 levels deep"),
    ("[" * 100_000 + "]" * 100_000, "t.json", "t.json: nested more than 16 levels deep"),
    ("[" * 100_000, "t.yaml", "t.yaml: not valid YAML at line 1 column 1001: exceeded maximum nesting depth"),
    ("x: " + "y" * MAX_TEMPLATE_BYTES, "t.yaml", f"t.yaml: {MAX_TEMPLATE_BYTES + 3:,} bytes, more than a template "
                                                 f"may hold ({MAX_TEMPLATE_BYTES:,})"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "t.yaml",
     "t.yaml: more than 50,000 values once anchors are expanded"),
    ("name: !!binary aGVsbG8=\n", "t.yaml", "t.yaml: holds a bytes value; a template holds text, numbers, true/false, "
                                            "lists and mappings"),
    ('{"name": NaN}', "t.json", "t.json: holds the number nan; numbers of a template are finite"),
    ("name: x\nparams: {port: .inf}\n", "t.yaml", "t.yaml: holds the number inf; numbers of a template are finite"),
    ('{"name": "a\\u0000b"}', "t.json", "t.json: holds a NUL character, which a template cannot store"),
    ("name: x\n1: y\n", "t.yaml", "t.yaml: a mapping key is not text"),
    ("- a\n- b\n", "t.yaml", "template: a template is a mapping (name, strategy, groups), not a list"),
])
def test_unreadable_files_are_refused_in_one_line(text: str, name: str, problem: str) -> None:
    with pytest.raises(TemplateError) as refused:
        parse_template(text, name)
    assert refused.value.problems == [problem]


def test_an_unquoted_yaml_date_time_is_read_as_written() -> None:
    data = rehost()
    text = yaml.safe_dump(data, sort_keys=False).replace("until: cutover_window", "until: 2027-03-01T22:00:00Z")
    template = parse_template(text, "t.yml")
    assert next(o.step for o in ordered_steps(template) if o.key == "cutover_window").until == "2027-03-01T22:00:00Z"


def test_json_is_recognised_without_a_name() -> None:
    template = bundled_template("retire")
    assert parse_template(dump_template(template, "json")) == template


def test_the_json_schema_describes_every_step_type_and_the_defaults_fit_it() -> None:
    schema = template_json_schema()
    definitions = schema["$defs"]
    step_union = definitions["StepGroup"]["properties"]["steps"]["items"]
    mapping = step_union["discriminator"]["mapping"]
    assert set(mapping) == set(STEP_TYPES)
    assert set(schema["properties"]["strategy"]["enum"]) == set(TEMPLATE_STRATEGIES)
    assert "owner" in definitions["ManualStep"]["required"]
    assert definitions["ManualStep"]["additionalProperties"] is False
    for strategy in TEMPLATE_STRATEGIES:
        dumped = json.loads(dump_template(bundled_template(strategy), "json"))
        assert set(dumped) <= set(schema["properties"]) and set(schema["required"]) <= set(dumped)
        for group in dumped["groups"]:
            for raw in group["steps"]:
                definition = definitions[mapping[raw["type"]].removeprefix("#/$defs/")]
                assert set(raw) <= set(definition["properties"]), (strategy, raw["key"])
                assert set(definition.get("required", [])) <= set(raw), (strategy, raw["key"])


def test_steps_without_a_readable_key_are_named_by_their_place() -> None:
    data = bundled_template("retire").model_dump(mode="json", exclude_none=True)
    data["groups"][1]["steps"] = [None, {"title": "Tell", "type": "notify", "message": "m", "needs": ["backup"]}]
    assert problems_of(data) == [
        "group 2 step 1: should be a mapping, not empty",
        "group 2 step 2: key: required",
        "group 2 step 2: needs 'backup' of group 1; a step needs steps of its own group (the groups already run in "
        "order)",
    ]
