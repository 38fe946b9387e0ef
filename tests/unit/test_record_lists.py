"""Asset columns a layout computes from a record: lists of objects (kept as JSON by the reader) and products."""

from __future__ import annotations

import json

import pytest

from domain.discovery.readers.json_records import flatten
from domain.discovery.record_lists import Derived, DerivedValueError, derived_value

_VM = flatten({"spec": {"resources": {
    "num_sockets": 2, "num_vcpus_per_socket": 4,
    "disk_list": [{"device_properties": {"device_type": "DISK"}, "disk_size_mib": 102400},
                  {"device_properties": {"device_type": "CDROM"}, "disk_size_mib": 4096},
                  {"device_properties": {"device_type": "DISK"}, "disk_size_mib": 51200}],
    "nic_list": [{"ip_endpoint_list": [{"ip": "10.0.0.1"}, {"ip": "fe80::1"}]}, {"ip_endpoint_list": []},
                 {"ip_endpoint_list": [{"ip": "10.0.0.1"}, {"type": "ASSIGNED"}]}],
}}})
_DISKS = ("device_properties.device_type", "DISK")


def test_a_product_multiplies_its_fields() -> None:
    rule = Derived("cpu_cores", "product", ("spec.resources.num_sockets", "spec.resources.num_vcpus_per_socket"))
    assert derived_value(rule, _VM) == "8"
    assert derived_value(rule, {**_VM, "spec.resources.num_vcpus_per_socket": ""}) == ""


def test_a_count_and_a_sum_take_only_the_elements_that_pass_where() -> None:
    assert derived_value(Derived("disk_count", "count", ("spec.resources.disk_list[]",), where=_DISKS), _VM) == "2"
    assert derived_value(Derived("disk_count", "count", ("spec.resources.disk_list[]",)), _VM) == "3"
    total = Derived("storage_gb", "sum", ("spec.resources.disk_list[].disk_size_mib",), where=_DISKS, unit="MiB")
    assert derived_value(total, _VM) == "150"


def test_a_join_walks_nested_lists_and_keeps_distinct_values_in_order() -> None:
    rule = Derived("ip_address", "join", ("spec.resources.nic_list[].ip_endpoint_list[].ip",))
    assert derived_value(rule, _VM) == "10.0.0.1; fe80::1"
    assert derived_value(Derived("network_adapters", "count", ("spec.resources.nic_list[]",)), _VM) == "3"


def test_a_record_without_the_list_has_nothing_to_say() -> None:
    rule = Derived("disk_count", "count", ("spec.resources.disk_list[]",), where=_DISKS)
    assert derived_value(rule, {}) == ""
    assert derived_value(rule, {"spec.resources.disk_list": "[]"}) == "0"
    assert derived_value(Derived("storage_gb", "sum", ("a[].size",)), {"a": json.dumps([{"other": 1}])}) == ""


@pytest.mark.parametrize(("rule", "cells", "problem"), [
    (Derived("disk_count", "count", ("disks[]",)), {"disks": "two disks"}, "disks: not a JSON list"),
    (Derived("disk_count", "count", ("disks[]",)), {"disks": '{"a": 1}'}, "disks: not a JSON list"),
    (Derived("storage_gb", "sum", ("disks[].size",)), {"disks": '[{"size": "big"}]'},
     "disks[].size: 'big' is not a number"),
    (Derived("cpu_cores", "product", ("a", "b")), {"a": "2", "b": "-1"}, "b: '-1' is not a non-negative number"),
    (Derived("disk_count", "count", ("disks[]",)), {"disks": "[" * 500_000}, "disks: not a JSON list"),  # too deep
])
def test_a_cell_that_is_not_what_the_rule_reads_is_a_problem_in_words(rule: Derived, cells: dict, problem: str) -> None:
    with pytest.raises(DerivedValueError) as raised:
        derived_value(rule, cells)
    assert str(raised.value) == problem
