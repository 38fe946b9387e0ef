"""The asset-type rule: which canonical type a type or class spelling names (domain.asset_classes)."""

from __future__ import annotations

import pytest

from domain.asset_classes import CLASS_WORD_RULES, is_class_name, read_asset_type
from domain.vocabulary import ASSET_TYPES

SERVICENOW_CLASSES = {
    "server": ("cmdb_ci_server", "cmdb_ci_linux_server", "cmdb_ci_win_server", "cmdb_ci_unix_server",
               "cmdb_ci_aix_server", "cmdb_ci_esx_server", "cmdb_ci_hyper_v_server", "cmdb_ci_vm_instance",
               "cmdb_ci_vmware_instance", "cmdb_ci_computer", "cmdb_ci_mainframe"),
    "network": ("cmdb_ci_ip_switch", "cmdb_ci_ip_router", "cmdb_ci_ip_firewall", "cmdb_ci_netgear",
                "cmdb_ci_ip_network", "cmdb_ci_wap_network"),
    "load_balancer": ("cmdb_ci_lb", "cmdb_ci_lb_bigip", "cmdb_ci_lb_netscaler", "cmdb_ci_lb_service"),
    "service": ("cmdb_ci_service", "cmdb_ci_service_discovered", "cmdb_ci_service_auto", "cmdb_ci_service_technical"),
    "application": ("cmdb_ci_business_app", "cmdb_ci_appl", "cmdb_ci_app_server_tomcat", "cmdb_ci_app_server_jboss",
                    "cmdb_ci_web_server", "cmdb_ci_apache_web_server", "cmdb_ci_appl_ms_exchange"),
    "database": ("cmdb_ci_database", "cmdb_ci_db_instance", "cmdb_ci_db_mssql_instance", "cmdb_ci_db_ora_instance",
                 "cmdb_ci_db_mysql_instance", "cmdb_ci_db_postgresql_instance", "cmdb_ci_db_cluster"),
    "storage": ("cmdb_ci_storage_device", "cmdb_ci_san", "cmdb_ci_nas_file_system", "cmdb_ci_storage_server",
                "cmdb_ci_storage_volume", "cmdb_ci_vcenter_datastore", "u_cmdb_ci_tape_library"),
    "cluster": ("cmdb_ci_cluster", "cmdb_ci_vcenter_cluster", "cmdb_ci_win_cluster"),
    "container": ("cmdb_ci_kubernetes_cluster", "cmdb_ci_kubernetes_pod", "cmdb_ci_kubernetes_node",
                  "cmdb_ci_docker_container"),
    "other": ("cmdb_ci_pc_hardware", "cmdb_ci_printer", "cmdb_ci_ip_phone"),
}


@pytest.mark.parametrize(("cls", "asset_type"), [(c, t) for t, classes in SERVICENOW_CLASSES.items() for c in classes])
def test_servicenow_classes_land_as_their_canonical_type(cls: str, asset_type: str) -> None:
    reading = read_asset_type(cls)
    assert reading is not None and (reading.asset_type, reading.read_by) == (asset_type, "from_class")


@pytest.mark.parametrize(
    ("text", "asset_type"),
    [("Linux Server", "server"), ("Network Switch", "network"), ("Core Router", "network"),
     ("Oracle Database", "database"), ("Business Service", "service"), ("Application Service", "service"),
     ("Storage Array", "storage"), ("Load Balancer", "load_balancer"), ("Kubernetes Cluster", "container"),
     ("Failover Cluster", "cluster"), ("Business Application", "application"), ("Desktop PC", "other"),
     # one word as written, else its camel-case humps apart
     ("NetApp", "storage"), ("NetScaler", "load_balancer"), ("LinuxServer", "server"), ("BigIP", "load_balancer")],
)
def test_other_tools_type_words_decide_too(text: str, asset_type: str) -> None:
    reading = read_asset_type(text)
    assert reading is not None and reading.asset_type == asset_type


@pytest.mark.parametrize(
    ("text", "asset_type"),
    [("VM", "server"), ("Virtual Machine", "server"), ("Physical", "server"), ("Database Server", "database"),
     ("F5", "load_balancer"), ("app", "application"), ("server", "server"), ("Other", "other")],
)
def test_known_spellings_are_aliases(text: str, asset_type: str) -> None:
    reading = read_asset_type(text)
    assert reading is not None and (reading.asset_type, reading.read_by) == (asset_type, "alias")


@pytest.mark.parametrize("text", ["cmdb_ci", "cmdb_ci_ups", "u_cmdb_ci_pdu", "spaceship", "Konveyor", "42"])
def test_nothing_decides_a_class_without_a_known_word(text: str) -> None:
    assert read_asset_type(text) is None


@pytest.mark.parametrize(
    ("text", "is_virtual"),
    [("VM", True), ("cmdb_ci_vm_instance", True), ("cmdb_ci_vmware_instance", True), ("Virtual Server", True),
     ("Physical Server", False), ("Bare Metal Server", False), ("cmdb_ci_esx_server", None), ("Server", None),
     ("cmdb_ci_linux_server", None),
     ("Virtual Switch", None)],  # only a server says what it runs on
)
def test_a_server_spelling_says_virtual_or_physical(text: str, is_virtual: bool | None) -> None:
    reading = read_asset_type(text)
    assert reading is not None and reading.is_virtual is is_virtual


def test_the_prefix_of_a_servicenow_class_is_no_word() -> None:
    # 'ci' and 'cmdb' are no words of any rule, and a custom class's 'u' prefix neither
    assert read_asset_type("u_cmdb_ci_san_switch") == read_asset_type("cmdb_ci_san_switch")
    assert read_asset_type("u_cmdb_ci_san_switch").asset_type == "storage"  # specific first: a SAN's switch


def test_every_rule_names_a_canonical_type_and_no_word_twice() -> None:
    words = [word for _, rule_words in CLASS_WORD_RULES for word in rule_words]
    assert len(words) == len(set(words))
    assert {asset_type for asset_type, _ in CLASS_WORD_RULES} <= set(ASSET_TYPES)


@pytest.mark.parametrize(("text", "expected"),
                         [("cmdb_ci_ip_switch", True), ("u_cmdb_ci_ups", True), ("CMDB_CI_SERVER", True),
                          ("cmdb ci server", False), ("switch", False), ("db-01", False), ("cmdb_ci_", False)])
def test_class_names_are_recognised_by_shape(text: str, expected: bool) -> None:
    assert is_class_name(text) is expected
