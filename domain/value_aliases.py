"""Spellings found in inventory exports, mapped onto the canonical vocabularies.

Lookups ignore case, punctuation and spacing (`alias_key`): `PRD`, `Prod.` and `prod` are one
spelling. Every canonical value is also its own alias. Placeholders such as `N/A` or
`To be filled by O.E.M.` mean "no value".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from domain.vocabulary import ASSET_TYPES, CRITICALITIES, ENVIRONMENTS, LIFECYCLE_STATES

_WORD = re.compile(r"[0-9a-z]+")


def alias_key(text: str) -> str:
    """Lower-case words of `text` joined by single spaces: `' Tier-1 '` -> `'tier 1'`."""
    return " ".join(_WORD.findall(text.casefold()))


def alias_table(vocabulary: Iterable[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """alias_key(spelling) -> canonical value; fails at import on an unknown value or a clash."""
    allowed = tuple(vocabulary)
    table = {alias_key(value): value for value in allowed}
    for canonical, spellings in aliases.items():
        if canonical not in allowed:
            raise ValueError(f"{canonical!r} is not one of {allowed}")
        for spelling in spellings:
            key = alias_key(spelling)
            if table.setdefault(key, canonical) != canonical:
                raise ValueError(f"{spelling!r} is an alias of both {table[key]!r} and {canonical!r}")
    return table


def canonical_value(table: Mapping[str, str], text: str) -> str | None:
    """The canonical value `text` spells in `table`, or None when it is not a known spelling."""
    return table.get(alias_key(text))


ENVIRONMENT_ALIASES: dict[str, str] = alias_table(
    ENVIRONMENTS,
    {
        "production": ("prod", "prd", "live", "prod env", "productive"),
        "disaster_recovery": ("dr", "disaster recovery site", "bcp", "business continuity"),
        "staging": ("stage", "stg", "pre prod", "preprod", "pre production"),
        "uat": ("user acceptance", "user acceptance testing", "acceptance", "acc"),
        "test": ("tst", "testing", "qa", "quality assurance", "sit"),
        "development": ("dev", "develop", "devel", "sandbox"),
    },
)

CRITICALITY_ALIASES: dict[str, str] = alias_table(
    CRITICALITIES,
    {
        "critical": ("1", "tier 1", "tier1", "t1", "crit", "mission critical", "1 most critical", "very high"),
        "high": ("2", "tier 2", "tier2", "t2", "2 somewhat critical"),
        "medium": ("3", "tier 3", "tier3", "t3", "med", "moderate", "3 less critical"),
        "low": ("4", "tier 4", "tier4", "t4", "not critical", "non critical", "4 not critical"),
    },
)

# Spellings of asset types that their words alone do not decide; any other type or class spelling is
# read by its words (domain.asset_classes.read_asset_type).
ASSET_TYPE_ALIASES: dict[str, str] = alias_table(
    ASSET_TYPES,
    {
        "server": ("vm", "virtual machine", "host", "physical server", "virtual server", "physical", "virtual"),
        "database": ("db", "db server", "database server", "database instance"),
        "application": ("app", "business application"),
        "network": ("network device", "switch", "router", "firewall"),
        "storage": ("san", "nas", "storage array", "storage device"),
        "load_balancer": ("lb", "load balancer", "f5"),
        "container": ("docker", "pod", "kubernetes pod"),
        "service": ("business service", "application service", "technical service"),
    },
)

# power_state is free text in the asset table; these spellings are normalised, others kept.
POWER_STATES: tuple[str, ...] = ("powered_on", "powered_off", "suspended")
POWER_STATE_ALIASES: dict[str, str] = alias_table(
    POWER_STATES,
    {
        "powered_on": ("poweredon", "on", "running", "started", "up"),
        "powered_off": ("poweredoff", "off", "stopped", "shut down", "shutdown", "down", "deallocated"),
        "suspended": ("paused", "hibernated"),
    },
)

# hypervisor is free text in the asset table; these spellings are normalised, others kept (Azure Migrate
# also says AWS, GCP or Other there).
HYPERVISORS: tuple[str, ...] = ("vmware", "hyperv", "kvm", "xen", "nutanix_ahv", "oracle_vm", "proxmox")
HYPERVISOR_ALIASES: dict[str, str] = alias_table(
    HYPERVISORS,
    {
        "vmware": ("vmware esxi", "esxi", "esx", "vmware esx", "vsphere", "vmware vsphere", "vmware vcenter",
                   "vcenter", "vmware inc", "vmware vsphere hypervisor"),
        "hyperv": ("hyper v", "microsoft hyper v", "ms hyper v", "hyper v server", "windows hyper v", "hv",
                   "microsoft hyperv"),
        "kvm": ("qemu kvm", "qemu", "red hat kvm", "rhev", "rhv", "red hat virtualization", "ovirt", "libvirt"),
        "xen": ("citrix xen", "xenserver", "citrix xenserver", "citrix hypervisor", "xcp ng", "xcp"),
        "nutanix_ahv": ("nutanix ahv", "ahv", "nutanix", "acropolis", "nutanix acropolis"),
        "oracle_vm": ("oracle vm", "ovm", "oracle vm server"),
        "proxmox": ("proxmox ve", "pve"),
    },
)
_VERSION_WORD = re.compile(r"\d+|v\d+|u\d+|update|r2")


def canonical_hypervisor(text: str) -> str | None:
    """The hypervisor `text` names (`VMware ESXi 7.0 U3` -> `vmware`, `Hyper-V 2019` -> `hyperv`), trying it
    without trailing version words too; None when the hypervisor is not known."""
    words = alias_key(text).split()
    while words:
        found = HYPERVISOR_ALIASES.get(" ".join(words))
        if found or not _VERSION_WORD.fullmatch(words[-1]):
            return found
        words.pop()
    return None

# Lifecycle words any status column may use (ServiceNow's labels of install_status and operational_status,
# and their kin in other CMDBs). Codes are per column: ServiceNow's `2` is "On order" as an install status
# but "Non-Operational" as an operational status, so each column has its own table.
_LIFECYCLE_WORDS: dict[str, tuple[str, ...]] = {
    "in_service": ("installed", "operational", "in use", "in production", "active", "live", "deployed", "ready",
                   "dr standby", "standby"),
    "planned": ("on order", "ordered", "pending install", "pending installation", "pipeline", "catalog", "catalogue",
                "requested", "in build", "being built"),
    "in_maintenance": ("in maintenance", "maintenance", "pending repair", "repair in progress", "in repair",
                       "under repair"),
    "in_stock": ("in stock", "stock", "spare", "in store"),
    "non_operational": ("non operational", "nonoperational", "not operational", "inoperative", "out of service"),
    "retired": ("decommissioned", "decommission", "decomissioned", "disposed", "disposed of", "scrapped",
                "retirement complete"),
    "absent": ("stolen", "missing", "lost", "not found"),
}


def _with_codes(codes: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {state: (*words, *codes.get(state, ())) for state, words in _LIFECYCLE_WORDS.items()}


# ServiceNow install_status: 1 Installed, 2 On order, 3 In maintenance, 4 Pending install, 5 Pending repair,
# 6 In stock, 7 Retired, 8 Stolen, 100 Absent.
INSTALL_STATUS_ALIASES: dict[str, str] = alias_table(LIFECYCLE_STATES, _with_codes({
    "in_service": ("1",), "planned": ("2", "4"), "in_maintenance": ("3", "5"), "in_stock": ("6",),
    "retired": ("7",), "absent": ("8", "100"),
}))
# ServiceNow operational_status: 1 Operational, 2 Non-Operational, 3 Repair in Progress, 4 DR Standby, 5 Ready,
# 6 Retired, 7 Pipeline, 8 Catalog.
OPERATIONAL_STATUS_ALIASES: dict[str, str] = alias_table(LIFECYCLE_STATES, _with_codes({
    "in_service": ("1", "4", "5"), "non_operational": ("2",), "in_maintenance": ("3",), "retired": ("6",),
    "planned": ("7", "8"),
}))

# Hardware and platform vendors as inventories spell them (BIOS strings, CMDB company records, SMBIOS).
# HP (HP Inc., and Hewlett-Packard before the 2015 split) and HPE stay apart: the exports name either.
MANUFACTURER_ALIASES: dict[str, str] = alias_table(
    ("Dell", "HPE", "HP", "Lenovo", "IBM", "Cisco", "Fujitsu", "Supermicro", "Huawei", "Inspur", "Oracle",
     "Hitachi", "NEC", "Nutanix", "VMware", "Microsoft", "Amazon Web Services", "Google", "Red Hat", "QEMU",
     "Xen", "Apple", "Intel"),
    {
        "Dell": ("dell inc", "dell emc", "dell technologies", "dell computer corporation", "emc"),
        "HPE": ("hewlett packard enterprise", "hewlett packard enterprise company", "hp enterprise"),
        "HP": ("hewlett packard", "hewlett packard company", "hp inc", "hewlett packard development", "compaq"),
        "Lenovo": ("lenovo group", "lenovo group limited"),
        "IBM": ("international business machines", "ibm corporation", "ibm corp"),
        "Cisco": ("cisco systems", "cisco systems inc"),
        "Fujitsu": ("fujitsu limited", "fujitsu technology solutions", "fujitsu siemens", "fujitsu siemens computers"),
        "Supermicro": ("super micro", "super micro computer", "super micro computer inc"),
        "Huawei": ("huawei technologies", "huawei technologies co ltd", "xfusion"),
        "Inspur": ("inspur electronic information industry",),
        "Oracle": ("oracle corporation", "oracle america", "sun microsystems", "innotek gmbh"),
        "Hitachi": ("hitachi vantara", "hitachi ltd"),
        "NEC": ("nec corporation",),
        "Nutanix": ("nutanix inc",),
        "VMware": ("vmware inc", "vmware by broadcom"),
        "Microsoft": ("microsoft corporation", "microsoft corp", "hyper v"),
        "Amazon Web Services": ("amazon", "amazon ec2", "aws", "amazon com"),
        "Google": ("google llc", "google cloud", "google compute engine"),
        "Red Hat": ("red hat inc",),
        "QEMU": ("kvm",),
        "Xen": ("xen project", "citrix"),
        "Apple": ("apple inc",),
        "Intel": ("intel corporation", "intel corp"),
    },
)
# Company-form words a vendor's name may end in; dropped when the full spelling is not known.
_COMPANY_FORMS = frozenset({"inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
                            "gmbh", "ag", "sa", "srl", "bv", "plc", "kk", "group", "lp", "development"})
# Trademark marks and the dots of "L.P.", which would otherwise leave stray words.
_MARKS = re.compile(r"\((?:r|tm|c)\)|[®™©]|\bl\.\s*p\.?(?=\W|$)")


def canonical_manufacturer(text: str) -> str | None:
    """The vendor `text` spells (`Dell Inc.` -> `Dell`, `Intel(R) Corporation` -> `Intel`), trying it
    without trailing company-form words too; None when the vendor is not known."""
    words = alias_key(_MARKS.sub(" ", text.casefold())).split()
    while words:
        found = MANUFACTURER_ALIASES.get(" ".join(words))
        if found or words[-1] not in _COMPANY_FORMS:
            return found
        words.pop()
    return None


BOOLEAN_ALIASES: dict[str, bool] = {
    **{alias_key(word): True for word in ("true", "yes", "y", "1", "t", "virtual")},
    **{alias_key(word): False for word in ("false", "no", "n", "0", "f", "physical")},
}

# alias_key() of the placeholders; text with no letters or digits at all ("-", "?") is one too.
PLACEHOLDER_KEYS: frozenset[str] = frozenset(
    alias_key(text)
    for text in (
        "",
        "N/A",
        "#N/A",
        "unknown",
        "none",
        "null",
        "nil",
        "undefined",
        "TBD",
        "TBA",
        "not available",
        "not applicable",
        "To be filled by O.E.M.",
        "Default string",
        "System Serial Number",
    )
)


@functools.lru_cache(maxsize=1 << 16)  # called for every cell of every import
def is_placeholder(text: str) -> bool:
    """True when `text` stands for "no value" (`N/A`, `-`, `unknown`, `To be filled by O.E.M.` ...)."""
    return alias_key(text) in PLACEHOLDER_KEYS
