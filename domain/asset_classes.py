"""Which canonical asset type (`vocabulary.ASSET_TYPES`) a type or class spelling names.

Exports name an asset's kind in their own words: ServiceNow by class (`sys_class_name`:
`cmdb_ci_linux_server`, `cmdb_ci_ip_switch`, `cmdb_ci_db_mssql_instance`, a custom
`u_cmdb_ci_tape_library`), other tools by a record or server type (`VM`, `Physical`, `Database
Server`, `F5`). `read_asset_type` decides, in this order:

1. a known spelling (`value_aliases.ASSET_TYPE_ALIASES`) names its type;
2. else the words of the name: the first rule of `CLASS_WORD_RULES` one of whose words (or word
   pairs) the name holds. A ServiceNow class prefix (`cmdb_ci_`, with any custom or scope prefix
   before it) is no word. The name is read as written (`NetApp`: one word), then, if that decides
   nothing, with its camel-case humps apart (`LinuxServer`: two);
3. else nothing: the caller files the asset as `other` and keeps the spelling (ADR-0014).

The rules go from the most specific kind to the most general, so a class naming two kinds gets the
specific one: `cmdb_ci_db_mssql_instance` is a database (not a server instance), `cmdb_ci_lb_service`
a load balancer (not a service), `cmdb_ci_app_server_tomcat` and `cmdb_ci_web_server` applications
(software servers), `cmdb_ci_storage_server` storage, `cmdb_ci_kubernetes_cluster` a container
platform (not a cluster of servers), `cmdb_ci_vcenter_cluster` a cluster. End-user devices (PCs,
printers, phones) are recognised but are `other`: they are no data-centre workload.

A virtual machine is a server, never a type of its own: a server spelling that says virtual (`VM`,
`cmdb_ci_vm_instance`, `cmdb_ci_vmware_instance`) or physical says so in `is_virtual`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from domain.value_aliases import ASSET_TYPE_ALIASES, alias_key, canonical_value

# (asset type, the words that name it): the first rule with a word in the name decides. A word with a
# space is a pair of words in a row.
CLASS_WORD_RULES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (asset_type, frozenset(words.split(",")))
    for asset_type, words in (
        ("container", "kubernetes,k8s,docker,container,containers,pod,pods,openshift,podman"),
        ("database", "db,dbs,database,databases,dbms,rdbms,sql,mssql,mysql,mariadb,postgres,postgresql,mongodb,"
                     "sybase,db2,informix,teradata"),
        ("load_balancer", "lb,lbs,loadbalancer,load balancer,load balancing,bigip,big ip,netscaler,f5,adc"),
        ("storage", "storage,san,nas,filer,datastore,datastores,lun,luns,volume,volumes,disk,disks,array,tape,"
                    "netapp,filesystem,file system,file share"),
        ("network", "network,networks,netgear,switch,switches,router,routers,firewall,firewalls,wap,access point,"
                    "vpn,subnet,vlan"),
        ("cluster", "cluster,clusters"),
        ("service", "service,services"),
        ("application", "app,apps,appl,application,applications,software,middleware,web server"),
        ("other", "pc,pcs,desktop,desktops,laptop,laptops,notebook,workstation,workstations,tablet,printer,"
                  "printers,phone,phones,mobile"),
        ("server", "server,servers,host,hosts,vm,vms,virtual machine,instance,instances,computer,computers,"
                   "machine,machines,mainframe,hypervisor,esx,esxi,node,nodes,ec2,lpar"),
    )
)
_VIRTUAL_WORDS = frozenset({"vm", "vms", "virtual", "vmware", "ec2", "guest", "lpar", "virtual machine"})
_PHYSICAL_WORDS = frozenset({"physical", "bare metal", "baremetal"})

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CLASS_PREFIX = re.compile(r"^(?:.* )?cmdb ci(?: |$)")  # on alias_key text: 'u cmdb ci tape library'
_CLASS_NAME = re.compile(r"(?:[a-z0-9]+_)*cmdb_ci(?:_[a-z0-9]+)*", re.IGNORECASE)


@dataclass(frozen=True)
class TypeReading:
    """The asset type a spelling names, how it was read, and what it says of virtualisation."""

    asset_type: str
    read_by: Literal["alias", "from_class"]
    is_virtual: bool | None = None


def is_class_name(text: str) -> bool:
    """Whether `text` is shaped like a ServiceNow class name (`cmdb_ci_ip_switch`, `u_cmdb_ci_ups`)."""
    return _CLASS_NAME.fullmatch(text.strip()) is not None


def _terms(key: str) -> set[str]:
    """The words of an alias key and its pairs of neighbouring words."""
    words = key.split()
    return {*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))}


def _by_words(key: str) -> str | None:
    terms = _terms(_CLASS_PREFIX.sub("", key))
    return next((asset_type for asset_type, words in CLASS_WORD_RULES if terms & words), None)


def _virtual(key: str) -> bool | None:
    terms = _terms(key)
    if terms & _VIRTUAL_WORDS:
        return True
    return False if terms & _PHYSICAL_WORDS else None


@functools.lru_cache(maxsize=4096)
def read_asset_type(text: str) -> TypeReading | None:
    """The canonical asset type `text` names (module docstring), or None when nothing in it decides."""
    known = canonical_value(ASSET_TYPE_ALIASES, text)
    key = alias_key(text)
    if known is not None:
        return TypeReading(known, "alias", _virtual(key) if known == "server" else None)
    found = _by_words(key)
    if found is None:
        key = alias_key(_CAMEL_HUMP.sub(" ", text))
        found = _by_words(key)
    if found is None:
        return None
    return TypeReading(found, "from_class", _virtual(key) if found == "server" else None)
