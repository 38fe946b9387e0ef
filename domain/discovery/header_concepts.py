"""The words people use for each asset attribute, and how a header's text becomes canonical words.

`CONCEPTS` is a glossary per asset field: the words and short phrases consultants, CMDBs and
monitoring, backup and virtualisation tools use for that attribute (description: purpose, remarks,
role, function; location: site, region, room, rack; hostname: NetBIOS name, computer name ...).
It is domain knowledge, not a list of headers seen in a test set; `domain.discovery.field_mapping` scores
headers against it alongside the column names and `HEADER_SYNONYMS`.

`read_header` turns a header (its size unit already cut off) into a `HeaderReading`:

0. Accents are folded (`Mémoire` -> memoire, `Größe` -> grosse) and noise is removed ("please
   enter", "(if known)", "- required"; `domain.discovery.header_lexicon`). Example values ("(Prod/UAT/Dev)",
   "e.g. Gold/Silver", a header that is only "Prd/NonPrd") that are two or more of one kind name
   the attribute, and the header's own words only qualify it; other examples after "e.g." are
   dropped.
1. Symbols and fixed phrases become words: `%` -> percent, `#` -> number, `MB/s` -> mbps,
   `I/O operations per second` -> iops, `Y/N`, `J/N` and `?` -> flag, `IT` -> technical, `p95` ->
   peak, `read/write` -> disk throughput, `N°` -> number, single letters around a slash join (`O/S`
   -> os, `P/V` -> pv), cloud groupings and sizes become one word that no column holds ("Resource
   Group", "instanceType"). An all-capital extension prefix before a colon (OpenStack `OS-EXT-STS:`)
   is dropped; another colon separates a namespace like a dot.
2. Words are split (camelCase, dots, punctuation: `domain.discovery.header_embedding.header_words`); digits,
   stop words ("the", "of", currency codes), the names of tools that prefix their columns
   (`ansible_`, `facter_`, Nutanix) and filler words that never change what a column holds
   ("installed", "reported", "hosted") are dropped. Other languages' genitives are put in English
   order ("Nom du serveur", "Name des Servers", "Naam van de server" -> server name).
3. Each word takes its canonical form (`WORD_FORMS`: abbreviations such as srv, mem, util, crit;
   synonyms such as vendor -> manufacturer, site -> location; plural part names carry a count:
   disks -> disk number; `LEXICON_FORMS` adds German, French, Spanish, Dutch and Italian words).
   An unknown word is read as its singular, as the known word one edit away, as the known parts
   it is glued from ("hddcount", "Betriebssystemversion", "Hostnaam"; at most one part shorter
   than four letters), or as the known word two edits away (for words of eight letters or more),
   when the closest ones share one meaning. Foreign words are never the target of a correction.
   A word of another language is also read through its inflection or plural ("technisch|er",
   "fysiek|e", "Kern|e" and "schede" count their part: core number, nic number), also as a part of a
   glued word, which skips German linking letters ("Wirt|s|system", "Domane|n|name").
4. Adjacent words naming one thing are joined (`TERMS`: host name -> hostname, physical address ->
   mac, physical cpu -> socket, virtual machine -> vm, processor time -> cpu utilization); in a
   header of another language also in reversed order, as adjectives follow the noun there ("Host
   fisico", "Hote ESXi"), with the count a plural gives put last ("Processeurs logiques").
5. Words in brackets, words after a preposition ("Name *of the Virtual Machine*", "Cost *per
   Month*") and the namespace of a dotted name ("*Tags.*Application", "*config.hardware.*numCPU")
   are *secondary*: they qualify the attribute rather than name it; a namespace only says where the
   value sits (`HeaderReading.context`). After a quantifier ("Number of ...", "Amount of ...") the
   words stay primary; so do the nearest namespace parts while the last part only gives a statistic,
   an amount or an aspect ("RAM.UsedSize.Avg", "cpu.usage.average", "Guest.OS.Name") or forms one
   term with them ("Hardware.Address"), but not a tag's namespace ("Tags.Name" is the Name tag). A
   namespace word nothing knows names a vendor's table or class (Lansweeper `tblAssets.`, SCCM
   `v_GS_COMPUTER_SYSTEM.`) and is dropped.
6. The *head* is the last primary word that is neither a qualifier (server, vm, total, primary ...)
   nor an aspect word (name, type, level, number ...): the last noun phrase carries the attribute
   ("Amount of RAM installed" -> memory, "Tags.Environment" -> environment). A header of only
   aspect and qualifier words takes its first aspect word as head ("Class Name" -> class).

A header that speaks of the destination of a migration (target, destination, proposed) describes
the plan, not the asset, and `names_the_plan` says so. A header whose attribute is something an
asset has no column for (a gateway, a free amount, a date, a licence, a cost per year) gets no
target, and `names_something_else` names the word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.discovery.header_embedding import header_words
from domain.discovery.header_lexicon import (
    ARTICLES,
    FOREIGN_FILLERS,
    FOREIGN_PREPOSITIONS,
    GENITIVES,
    LEXICON_FORMS,
    PERIODS,
    REVERSED_TERMS,
    TOOL_WORDS,
    UNRELATED,
    UNRELATED_HEADS,
    UNRELATED_TERMS,
    VALUE_HINTS,
    remove_noise,
    strip_accents,
)


def _forms(canonical: str, *spellings: str) -> dict[str, str]:
    return {spelling: canonical for spelling in (canonical, *spellings)}


# fmt: off
# word -> canonical word(s); a value of several words expands in place ("disks" -> "disk number").
WORD_FORMS: dict[str, str] = {
    **_forms("server", "srv", "svr", "serv", "srvr"),
    **_forms("host", "hst"),
    **_forms("hostname", "hostnm", "hn"),
    **_forms("name", "nm", "nme", "label", "lbl", "caption"),
    **_forms("machine", "mach"),
    **_forms("computer", "comp", "cmptr", "pc"),
    **_forms("memory", "mem", "ram", "vram"),
    **_forms("storage", "stor", "strg"),
    **_forms("disk", "dsk", "hdd", "drive", "vmdk", "volume", "dasd"),  # IBM's direct-access storage device
    **_forms("disk number", "disks", "drives", "volumes", "vmdks"),
    **_forms("utilization", "util", "utl", "ut", "utilisation", "usage", "usg", "load", "busy"),
    **_forms("utilization", "percent", "pct", "percentage", "perc"),  # a % of CPU or memory is its utilisation
    **_forms("configuration", "config", "cfg"),
    **_forms("used", "use", "utilized", "utilised", "consumed", "occupied", "committed"),
    **_forms("utilization", "consumption"),
    **_forms("average", "avg", "mean", "typical"),
    **_forms("peak", "max", "maximum", "pk", "percentile", "highest", "top"),
    **_forms("cpu", "vcpu", "ocpu"),  # Oracle Cloud's OCPU
    **_forms("cpu number", "cpus", "vcpus"),
    **_forms("core", "cor"),
    **_forms("core number", "cores"),
    **_forms("socket", "skt", "package"),
    **_forms("socket number", "sockets", "skts", "packages"),
    **_forms("processor", "proc"),
    **_forms("processor number", "processors"),
    **_forms("mhz", "speed", "spd", "freq", "frequency", "clock", "ghz", "clk"),
    **_forms("number", "num", "no", "nr", "nbr", "cnt", "count", "qty", "quantity"),
    **_forms("ip", "ipv4", "ipv6", "ipv", "ipaddr", "ips"),
    **_forms("address", "addr", "adr", "addrs", "addresses"),
    **_forms("mac", "macaddr", "macs"),
    **_forms("environment", "env", "envt", "envmt", "envir", "environ", "prod", "production", "nonprod", "dev",
             "development", "uat", "staging", "lifecycle", "landscape", "stage"),
    **_forms("criticality", "crit", "critical", "importance", "impact", "bia"),
    **_forms("department", "dept", "dpt"),
    **_forms("business unit", "bu", "lob", "division", "segment"),
    **_forms("application", "app", "appl", "apps", "applications"),
    **_forms("owner", "own", "owned", "contact", "poc", "team", "group", "sponsor", "manager", "steward"),
    **_forms("business owner", "bo"),
    **_forms("version", "ver", "vers", "rel", "release", "build", "sp"),
    **_forms("os version", "kernel"),  # a kernel version is the OS version
    **_forms("description", "desc", "descr", "notes", "note", "comments", "comment", "cmnts", "remarks", "remark",
             "rmks", "annotation", "purpose", "role", "function"),
    **_forms("datacenter", "datacentre", "dc"),
    **_forms("center", "centre", "ctr"),
    **_forms("cluster", "clstr", "clst", "clus", "clu", "clust"),
    **_forms("location", "loc", "locn", "site", "region", "country", "city", "building", "bldg", "room", "rack",
             "geo", "geographic", "geography", "office", "campus", "floor", "premises"),
    **_forms("power", "pwr", "running", "powered"),
    **_forms("power state", "pwrst", "powerstate", "powerstatus"),
    **_forms("state", "status", "stat", "sts"),
    **_forms("manufacturer", "mfr", "mfg", "manuf", "manufr", "mnfr", "oem", "vendor", "make", "maker", "brand"),
    **_forms("model", "mdl"),
    **_forms("hardware", "hw"),
    **_forms("system", "sys"),
    **_forms("serial", "sn", "ser", "serno", "sno"),
    **_forms("business", "biz", "bus", "busn"),
    **_forms("technical", "tech", "itdept", "support", "ops", "operations", "infrastructure", "infra", "assignment"),
    **_forms("administrator", "admin", "adm", "sysadmin", "administrators", "managed"),
    **_forms("id", "identifier", "ref", "reference", "identity", "uid", "arn", "ocid", "moid", "moref", "crn"),  # cloud
    # resource names (AWS ARN, Oracle OCID) and vSphere managed object references identify a record
    **_forms("uuid", "guid"),
    **_forms("baseboard", "motherboard", "mainboard"),
    **_forms("external", "ext", "extern", "source", "src", "discovery", "global"),  # an id
    # given by the source inventory or discovery tool is an external reference
    **_forms("cmdb", "snow", "servicenow", "reconciliation"),  # a CMDB reconciles the records of its sources
    **_forms("inventory", "inv"),
    **_forms("sensitivity", "sens", "confidentiality", "confidential"),
    **_forms("classification", "clasification"),
    **_forms("virtual", "virt", "virtualised", "virtualized"),
    **_forms("hypervisor", "virtualization", "virtualisation", "hyp", "hypvsr", "hv"),
    **_forms("monthly", "month", "mo", "mth", "mthly"),
    **_forms("cost", "spend", "tco", "expense", "charge", "costs"),
    **_forms("dependency", "dep", "deps", "dependent", "depends", "depend", "dependencies", "relies", "rely",
             "requires", "required", "prerequisite", "prerequisites", "upstream", "upstr"),
    **_forms("type", "category", "kind", "class", "cls", "typ"),
    **_forms("size", "capacity", "space", "sz", "cap"),
    **_forms("nic", "adapter", "interface", "card", "vnic"),
    **_forms("nic number", "nics", "adapters", "interfaces", "cards", "vnics"),
    **_forms("network", "net", "nw", "ntwk"),
    **_forms("throughput", "mbps", "bandwidth", "thruput", "traffic", "io"),
    **_forms("architecture", "arch", "bits", "bit", "bitness", "width", "wordsize"),
    **_forms("allocated", "alloc", "provisioned", "configured", "assigned", "allocation", "reserved"),
    **_forms("tag", "tags", "tgs", "labels", "lbls", "tagging"),
    **_forms("template", "tmpl", "templ"),
    **_forms("flag", "indicator", "yn", "is", "flg", "ind"),
    **_forms("virtual", "pv", "vp"),
    **_forms("physical", "phys", "phy"),
    **_forms("family", "fam", "edition", "flavor", "flavour"),
    **_forms("os", "distribution", "distro"),  # a Linux distribution is the OS
    **_forms("os", "opsys"),
    **_forms("operating", "op"),
    **_forms("install", "installation", "installed", "inst"),
    **_forms("fqdn", "fq"),
    **_forms("primary", "pri", "main", "principal"),
    **_forms("management", "mgmt", "mgt"),
    **_forms("total", "tot", "totl", "sum", "overall", "combined"),
    **_forms("level", "lvl", "lvls"),
    **_forms("esx", "esxi"),
    **_forms("information", "info"),
    **_forms("organisation", "org", "organization", "company", "enterprise"),
    **_forms("vhw", "vmhw", "vmx"),
    **_forms("hardware version", "compatibility"),
    **_forms("iops", "iosp"),
    **_forms("os", "linux", "windows", "unix", "aix", "solaris", "hpux"),  # an OS family's name stands for the OS
    **_forms("security", "protective", "protection"),  # a protective marking is a security classification
    **_forms("bytes", "byte"),
    **_forms("asset", "ast", "assets"),
    **_forms("engine", "eng"),
    **_forms("full", "fully"),
    **LEXICON_FORMS,
}
# A word of the lexicon reads as the canonical form of its English word ("Karte" -> card -> nic).
WORD_FORMS.update(
    (spelling, " ".join(WORD_FORMS.get(word, word) for word in form.split())) for spelling, form in LEXICON_FORMS.items()
)
# Parts an asset has several of: a plural of one of them counts it ("Kerne", "schede" -> core number, nic number).
COUNTED = frozenset(form.removesuffix(" number") for form in WORD_FORMS.values() if form.endswith(" number"))
# Two adjacent canonical words that name one thing; a value may be several words.
TERMS: dict[tuple[str, str], str] = {
    ("host", "name"): "hostname",
    ("hostname", "name"): "hostname",
    ("computer", "name"): "hostname",
    ("netbios", "name"): "hostname",
    ("data", "center"): "datacenter",
    ("datacenter", "name"): "datacenter",
    ("datacenter", "location"): "datacenter",  # "DC Location", "Data Center Site" name the data centre
    ("ip", "address"): "ip",
    ("network", "ip"): "ip",
    ("nic", "ip"): "ip",
    ("mac", "address"): "mac",
    ("physical", "address"): "mac",
    ("hardware", "address"): "mac",
    ("ethernet", "address"): "mac",
    ("network", "mac"): "mac",
    ("nic", "mac"): "mac",
    ("operating", "system"): "os",
    ("os", "type"): "os",  # an OS type is its family (Windows, Linux), not an asset type
    ("full", "name"): "fullname",
    ("guest", "fullname"): "os",  # vSphere guestFullName is the guest OS
    ("os", "fullname"): "os",
    ("virtual", "platform"): "hypervisor",
    ("fqdn", "name"): "fqdn",
    ("fqdn", "hostname"): "fqdn",
    ("network", "nic"): "nic",
    ("esx", "host"): "esxhost",
    ("esx", "hostname"): "esxhost",
    ("esx", "server"): "esxhost",
    ("vmware", "host"): "esxhost",
    ("hypervisor", "host"): "esxhost",
    ("physical", "host"): "esxhost",
    ("parent", "host"): "esxhost",
    ("runtime", "host"): "esxhost",  # vSphere runtime.host is the ESXi host
    ("host", "server"): "esxhost",
    ("vm", "host"): "esxhost",  # PowerCLI VMHost
    ("virtual", "machine"): "vm",
    ("virtual", "server"): "vm",
    ("virtual", "cpu"): "cpu",
    ("virtual", "core"): "core",
    ("virtual", "processor"): "cpu",
    ("virtual", "disk"): "disk",
    ("virtual", "nic"): "nic",
    ("virtual", "hardware"): "vhw",
    ("vm", "hardware"): "vhw",
    ("physical", "cpu"): "socket",
    ("physical", "processor"): "socket",
    ("physical", "virtual"): "virtual",
    ("virtual", "physical"): "virtual",
    ("flag", "physical"): "isphysical",  # an inverted flag: mapping it onto is_virtual would invert the values
    ("processor", "core"): "core",
    ("processor", "utilization"): "cpu utilization",
    ("processor", "time"): "cpu utilization",  # Windows "% Processor Time"
    ("version", "number"): "version",
    ("patch", "level"): "version",
    ("service", "tag"): "serial",
    ("asset", "tag"): "assettag",
    ("product", "name"): "model",  # SMBIOS / WMI product name is the hardware model
    ("configuration", "item"): "ci",
    ("operating", "unit"): "business unit",
    ("run", "rate"): "cost",
    ("transfer", "rate"): "throughput",
    ("service", "tier"): "criticality",  # a service tier is a criticality; a bare tier may be web/app/db
    ("criticality", "tier"): "criticality",
    ("instance", "uuid"): "vm uuid",  # vSphere instanceUuid identifies the VM in vCenter, not its BIOS
    ("fqdn", "dns"): "fqdn",  # "FQ DNS"
    ("full", "qualified"): "fqdn",
    ("network", "bios"): "netbios",  # "NetBIOSName" splits as Net|BIOS|Name
    ("processor", "cpu"): "cpu",  # "processor vcpus" are vCPUs
    ("cpu", "processor"): "cpu",
    ("os", "level"): "os version",  # AIX oslevel
    ("os", "image"): "os",  # the image a machine was built from names its OS
    ("type", "id"): "type",  # a class or type id is the type, coded
    ("host", "system"): "esxhost",  # vSphere HostSystem, German Wirtssystem
    ("host", "computer"): "esxhost",
    ("availability", "zone"): "location",
    ("inventory", "id"): "external id",
    ("inventory", "number"): "external id",
    ("object", "uuid"): "external id",  # the UUID of a record or object identifies the record, not the BIOS
    ("record", "uuid"): "external id",
    ("entity", "uuid"): "external id",
    ("resource", "uuid"): "external id",
    ("operating", "state"): "power state",
    ("hypervisor", "hostname"): "esxhost",
    ("domain", "fullname"): "fqdn",  # "Nom de domaine complet"
    ("host", "fullname"): "fqdn",  # "Nom d'hote complet"
    ("compute", "center"): "datacenter",  # "Centre de calcul"
    ("bios", "id"): "bios uuid",
    ("database", "system"): "database engine",  # a database management system
    ("full", "hostname"): "fqdn",  # a full hostname includes the domain
    ("dns", "fullname"): "fqdn",
    ("service", "pack"): "version",  # a Windows service pack is part of the OS version
    ("mhz", "rate"): "mhz",  # clock rate
    ("peak", "mhz"): "mhz",  # a CPU's maximum clock speed is its rated speed, not a utilisation peak
    ("physical", "vm"): "virtual",
    ("vm", "physical"): "virtual",
    ("platform", "version"): "os version",  # a platform (Chef, Ansible) is the OS
    ("platform", "family"): "os",
    ("hard", "disk"): "disk",
    ("logical", "cpu"): "core",
    ("logical", "processor"): "core",
    ("logical", "core"): "core",
    ("cpu", "time"): "cpu utilization",
    ("form", "factor"): "type",
    ("business", "area"): "business unit",
    ("organisation", "unit"): "business unit",
    ("operating", "organisation"): "business unit",
    ("additional", "information"): "description",
    ("hardware", "version"): "vhw",  # a bare "version" is not the VM hardware's ...
    ("vm", "version"): "vhw",  # ... but a VM's version is (vSphere "vmx-19")
    ("configuration", "version"): "vhw",  # vSphere config.version
    ("database", "platform"): "database engine",  # a subject's platform, technology, software or product is its kind
    ("database", "technology"): "database engine",
    ("database", "software"): "database engine",
    ("database", "product"): "database engine",
    ("database", "manufacturer"): "database engine",
    ("vm", "platform"): "hypervisor",
    ("virtualization", "platform"): "hypervisor",
    ("platform", "name"): "os",  # Ohai/Chef platform
    ("virtual", "host"): "esxhost",
    ("network", "address"): "ip",
    ("system", "board"): "baseboard",
    ("location", "address"): "location",  # a site's or street address is where the asset is
    **REVERSED_TERMS,
    **UNRELATED_TERMS,
}
# Words that narrow a column without changing what it holds: they weigh half and never match alone.
QUALIFIERS = frozenset(
    {"server", "vm", "machine", "instance", "guest", "host", "device", "equipment", "system", "primary", "all",
     "total", "current", "list", "allocated", "email", "mail", "information", "detail", "details", "physical",
     "computer", "family", "resource", "service", "product", "management", "configuration", "hardware", "vmware",
     "vsphere", "vcenter", "compute", "summary", "runtime", "organisation", "finance", "perf", "performance",
     "metadata", "ha", "drs", "node", "item", "ci", "platform", "chassis", "enclosure", "ethernet", "workload",
     "additional", "private", "public", "remote", "workstation", "desktop", "laptop", "visible", "local", "iso",
     "failover", "access", "default", "full", "entity", "object", "inventory", "stack", "unique",
     "secondary", "alternate", "alternative", "parent", "asset",
     "fullname"}
)
# Words that say which aspect of the attribute a column gives; they weigh half when the header also
# names the attribute ("Hypervisor Type" is the hypervisor), and are the head only when nothing else is.
ASPECTS = frozenset(
    {"name", "type", "level", "rating", "number", "value", "code", "flag", "owner", "state", "software",
     "technology", "layer", "manufacturer", "size", "tier"}
)
# Which statistic of a measure a column gives; a dotted name ending in one is about its namespace.
STATISTICS = frozenset({"average", "peak"})
# Which amount or measure of a resource a column gives; a dotted name ending in one is about its namespace
# ("Storage.UsedSpace", "cpu.usage.average").
AMOUNTS = frozenset({"used", "size", "utilization"})
# Aspects that leave a dotted name about its namespace ("Guest.OS.Name"); an owner or a manufacturer is an
# attribute of its own ("Tags.Owner", "tblAssetCustom.Manufacturer").
NAMESPACE_ASPECTS = ASPECTS - {"owner", "manufacturer"}
# Words that say a column is about something else (a contract, not a contact); never corrected to a near word.
OTHER_SUBJECTS = frozenset({"contract"}) | UNRELATED | UNRELATED_HEADS | PERIODS
# Parts of an asset, and the words for what kind of part it is: "CPU Model", "Disk Type" and "NIC Vendor" describe
# the part, which no column holds (an asset's own model and manufacturer are not its processor's).
COMPONENTS = frozenset({"cpu", "processor", "disk", "nic", "card"})
COMPONENT_KINDS = frozenset({"type", "model", "manufacturer", "family", "description", "name"})
# After these, "of" keeps the following words primary: "Number of Disks" is about disks.
QUANTIFIERS = frozenset({"number", "total", "amount", "list", "count", "sum"})
PREPOSITIONS = frozenset(
    {"of", "to", "for", "on", "as", "by", "over", "per", "from", "with", "without", "across", "upon", "via", "into",
     "onto", "within", "under", "about"}
) | FOREIGN_PREPOSITIONS
STOPWORDS = frozenset(
    {"the", "in", "a", "an", "and", "or", "at", "according", "th", "st", "nd", "rd", "usd", "eur", "gbp",
     "optional", "s", "es", "it", "this", "that", "its", "be", "are", "x", "what", "which", "how", "who",
     "does", "do", "belong", "belongs", "we", "you", "your", "our"}
)
# Words that describe how a value came to be, never which attribute it is.
FILLERS = frozenset(
    {"installed", "attached", "hosted", "supported", "associated", "reported", "shown", "actual", "amount",
     "currently", "hosting", "accountable", "responsible", "owning", "populated", "membership", "marked",
     "separated", "comma", "semicolon", "delimited", "key", "values", "set", "short", "long", "text",
     "general", "win32", "wmi", "cim", "days", "day", "hours", "read", "write", "readwrite",
     "deployment", "non", "friendly", "reporting", "dell", "hp", "hpe", "lenovo", "cisco", "ibm", "fujitsu", "field", "column",
     "approx", "approximate", "approximately", "estimated", "roughly", "defined", "freeform", "predefined", "string",
     "person", "persons", "people"}
) | FOREIGN_FILLERS
# Words that make a column about the migration's destination or plan, not the asset as it is.
PLAN_WORDS = frozenset(
    {"target", "destination", "proposed", "planned", "future", "recommended", "cloud", "projected", "forecast"}
)
# Parts an asset has several of; a standalone number after one of them names one part ("Disk 2").
KEEP_WHOLE = frozenset(
    {"vcpu", "vcpus", "vram", "ipv4", "ipv6", "vmware", "vsphere", "vcenter", "netbios", "smbios", "fqdn", "mbps",
     "iops", "nics", "vnic", "vnics", "esxi", "win32", "opsys", "sysadmin", "vmhw", "vhw", "pwrst", "hostnm",
     "macaddr", "ipaddr", "cmdb", "powerstate", "powerstatus", "servicenow", "moref"}
)

CONCEPTS: dict[str, tuple[str, ...]] = {
    "name": ("server name", "vm name", "machine name", "display name", "instance name", "guest name", "object name",
             "asset name", "device name", "node name", "ci name", "system name", "label"),
    "external_id": ("external id", "external reference", "source system id", "record id", "unique id", "asset id",
                    "assettag", "vm uuid", "machine id", "tracking id"),
    "cmdb_id": ("cmdb id", "ci id", "sys id", "ci number", "cmdb number", "ci sys id", "servicenow sys id"),
    "hostname": ("hostname", "computer name", "netbios", "netbios name", "dns hostname", "short hostname",
                 "os hostname", "guest hostname"),
    "fqdn": ("fqdn", "fully qualified domain name", "dns name", "full dns name", "dns domain name", "domain name"),
    "asset_type": ("type", "asset type", "ci type", "device type", "equipment type", "object type", "server type",
                   "ci class"),
    "description": ("description", "purpose", "role", "function", "remarks", "notes", "comments", "annotation",
                    "business function"),
    "serial_number": ("serial number", "serial", "service tag", "bios serial", "hardware serial"),
    "bios_uuid": ("uuid", "bios uuid", "smbios uuid", "system uuid", "smbios guid", "baseboard uuid"),  # a bare
    # UUID in an inventory is the SMBIOS one (vSphere config.uuid); a VM's instance UUID says so
    "manufacturer": ("manufacturer", "system manufacturer", "hardware manufacturer", "server manufacturer"),
    "model": ("model", "hardware model", "server model", "system model", "model number"),
    "ip_address": ("ip", "ip address", "primary ip", "management ip", "guest ip"),
    "mac_address": ("mac", "mac address", "primary mac"),
    "operating_system": ("os", "operating system", "guest os", "os name", "os family", "installed os"),
    "os_version": ("os version", "os release", "os build", "operating system version"),
    "os_architecture": ("os architecture", "architecture", "cpu architecture"),
    "cpu_cores": ("cpu count", "core count", "number of cores", "vcpus", "logical processors"),
    "cpu_sockets": ("socket count", "cpu sockets", "processors"),
    "cpu_mhz": ("cpu mhz", "mhz", "processor mhz", "core mhz"),
    "memory_gb": ("memory", "memory size", "allocated memory", "physical memory"),
    "storage_gb": ("storage", "disk size", "allocated storage", "disk capacity", "storage capacity", "total disk",
                   "allocated space", "disk space"),
    "storage_used_gb": ("used storage", "used disk", "storage used"),
    "disk_count": ("disk count", "number of disks", "virtual disks"),
    "network_adapters": ("nic count", "network adapters"),
    "is_virtual": ("virtual", "is virtual", "vm flag", "is vm", "physical virtual"),
    "is_template": ("template", "is template", "vm template"),
    "vm_hardware_version": ("vm hardware version", "hardware version", "vhw", "vhw version",
                            "virtual hardware version"),
    "hypervisor": ("hypervisor", "hypervisor type", "virtualization platform", "virtualization type",
                   "virtualization technology"),
    "power_state": ("power state", "power", "power status", "vm state", "running state", "on off"),
    "lifecycle_state": ("installation status", "lifecycle status", "lifecycle state", "hardware status",
                        "ci status"),
    "operational_state": ("operational state", "operational condition"),
    "datacenter": ("datacenter", "data center", "datacenter name", "dc"),
    "cluster": ("cluster", "cluster name", "esx cluster", "vsphere cluster", "compute cluster"),
    "host_name": ("esx host", "hypervisor host", "physical host"),
    "location": ("location", "site", "site name", "region", "physical location", "geo location"),
    "environment": ("environment", "environment type", "lifecycle environment", "production"),
    "application_name": ("application", "application name", "business application", "business service",
                         "hosted application", "application service", "app"),
    "business_owner": ("business owner", "owner", "application owner", "service owner", "product owner",
                       "business contact"),
    "technical_owner": ("technical owner", "technical contact", "administrator", "system administrator",
                        "technical team", "technical group", "IT owner", "managed"),
    "department": ("department", "department name", "owning department"),
    "business_unit": ("business unit", "line of business", "business unit name"),
    "business_criticality": ("business criticality", "criticality", "business impact", "criticality tier",
                             "service tier", "mission criticality"),
    "data_classification": ("data classification", "classification", "data sensitivity", "sensitivity", "data type",
                            "information type", "information classification", "security classification"),
    "tags": ("tag", "tags", "resource tag", "custom tag"),
    "cpu_utilization_avg": ("cpu utilization", "average cpu utilization", "average cpu", "cpu utilization average"),
    "cpu_utilization_peak": ("peak cpu utilization", "peak cpu", "cpu utilization peak"),
    "memory_utilization_avg": ("memory utilization", "average memory utilization", "memory used utilization",
                               "average memory"),
    "memory_utilization_peak": ("peak memory utilization", "peak memory", "memory utilization peak"),
    "disk_iops_avg": ("iops", "disk iops", "storage iops"),
    "disk_iops_peak": ("peak iops", "peak disk iops"),
    "disk_throughput_mbps": ("storage throughput", "disk mbps"),
    "network_throughput_mbps": ("network throughput", "nic throughput", "network utilization"),
    "current_monthly_cost": ("monthly cost", "cost", "current monthly cost", "monthly run cost"),
    "depends_on": ("dependency", "depends on", "upstream dependency"),
}

_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:i\s*/\s*o|io)?\s*op(?:eration)?s\s*(?:per\s*sec(?:ond)?|/\s*s(?:ec)?)\b", re.I), " iops "),
    (re.compile(r"\b[kmg]b(?:it)?\s*/\s*s(?:ec)?\b|\b[kmg]bit/s\b", re.I), " mbps "),
    (re.compile(r"\bin[\s_]*use\b", re.I), " used "),
    (re.compile(r"\bpoint\s+of\s+contact\b", re.I), " contact "),
    (re.compile(r"\bline\s+of\s+bus(?:iness|\.)?", re.I), " lob "),
    (re.compile(r"\bhyper-?v\b", re.I), " hypervisor "),
    (re.compile(r"\b(?:on|aan|an|ein)\s*/\s*(?:off|uit|aus)\b", re.I), " power "),
    (re.compile(r"\bN[°º]"), " number "),
    (re.compile(r"\bTI\b"), " itdept "),  # Spanish and Portuguese for IT
    # a question for an amount or a name asks for a value, not a yes or no: "How many cores?", "What OS?"
    (re.compile(r"^(\s*(?:how|what|which|who)\b[^?]*)\?", re.I), r"\1"),
    (re.compile(r"^\s*who\s+(?:owns|manages|maintains|supports|is\s+responsible\s+for)\b(.*)", re.I), r" \1 owner "),
    (re.compile(r"^\s*(what|which|who)\s+(?:is|are|was|were)\b", re.I), r"\1 "),  # the verb is no flag
    (re.compile(r"\bhow\s+many\b", re.I), " number of "),
    (re.compile(r"\bassigned[\s_]+to\b", re.I), " owner "),  # a record assigned to someone names its owner
    (re.compile(r"\bkey[\s_-]*(?:pair[\s_-]*name|pair|name)\b", re.I), " keypair "),  # a cloud instance's SSH key
    (re.compile(r"\b(?:user|customer|client)[\s_-]*defined\b", re.I), " defined "),
    (re.compile(r"\bhow\s+(?:much|big|large)\b", re.I), " amount of "),
    (re.compile(r"\b(?:yes|true|y|ja|j|oui|o|si|sim)\s*/\s*(?:no|false|n|nein|non|nao)\b|\?", re.I), " flag "),
    (re.compile(r"\bIT\b"), " itdept "),
    (re.compile(r"(?:\b|(?<=[a-z_]))[pP]9\d(?:\.\d)?\b"), " peak "),
    (re.compile(r"\b9\d(?:\.\d)?\s*th\b", re.I), " peak "),  # a 95th percentile
    (re.compile(r"\bi\s*/\s*o\b", re.I), " io "),
    (re.compile(r"\b([a-z])\s*/\s*([a-z])\b", re.I), r"\1\2"),
    (re.compile(r"\bs/no\b", re.I), " sn "),
    (re.compile(r"(?<=[a-z])(MBps|Mbps|IOPS|Iops)"), r" \1"),
    (re.compile(r"(?:\b|(?<=[a-z]))[mg]?hz\b", re.I), " mhz "),
    (re.compile(r"\bgold\s*/\s*silver(?:\s*/\s*bronze)?\b", re.I), " criticality "),  # the usual criticality scale
    (re.compile(r"\b(?:runs?|running|resides?|residing)\s+on\s+(?:the\s+)?host\b", re.I), " esxhost "),
    (re.compile(r"^\s*(?:hosted|runs?|running|resides?|residing)\s+on\s*$", re.I), " esxhost "),
    (re.compile(r"\bhost\s*name\s+(?:incl(?:\.|uding)?|with|plus|\+|and)\s+domain\b", re.I), " fqdn "),
    (re.compile(r"\bread\s*[/+&]\s*write\b", re.I), " disk throughput "),  # reads and writes are a disk's
    (re.compile(r"\b(?:rx\s*[/+&]\s*tx|tx\s*[/+&]\s*rx)\b", re.I), " network throughput "),  # packets a network's
    (re.compile(r"\bin\s*[/+&]\s*out\b", re.I), " throughput "),
    (re.compile(r"(?<=[a-z])(?=IPv[46])|(?<=IPv[46])(?=[A-Z])"), " "),  # inside camelCase ("accessIPv4Address")
    (re.compile(r"\bmanaged\s*object\b", re.I), " object "),  # vSphere's managed object is the object itself
    (re.compile(r"\bhosting\s+(?:server|host|node|machine|system)\b", re.I), " esxhost "),
    (re.compile(r"\bshort\s+(?:dns\s+|host\s*|computer\s+|netbios\s+)?name\b", re.I), " hostname "),
    (re.compile(r"\b(?:resource|security|placement|auto\s*scaling|patch|backup)[\s_]*groups?\b", re.I), " resourcegroup "),
    (re.compile(r"\binstance[\s_]*(?:type|size|class|flavou?r)\b", re.I), " instancetype "),
    (re.compile(r"\b(?:i\s*/\s*o|io|transfers?)\s*(?:per\s*sec(?:ond)?|/\s*s(?:ec)?)\b", re.I), " iops "),
    (re.compile(r"\b[kmg]bps\b", re.I), " mbps "),
    (re.compile(r"\b(?:runs?|running)\s+on\b", re.I), " on "),
    (re.compile(r"%"), " percent "),
    (re.compile(r"#"), " number "),
)
# fmt: on
_BRACKETED = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
# A dot or colon between words, or a spaced dash, separates a namespace: "Guest.OS", "Aggregated: OS", "OS - Version".
_NAMESPACE_DOT = re.compile(r"(?<=\w)\s*(?:\.|:\s*|\s[-–]\s+)(?=\w)")
_ALTERNATIVE_NUMBERS = re.compile(r"\d+\s+(?:or|to|and)\s+\d+", re.I)  # "32 or 64" are values, not parts
_EXTENSION_PREFIX = re.compile(r"^\s*[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\s*:")  # OpenStack's "OS-EXT-STS:"
_PART_NUMBER = re.compile(
    r"(?<![\w./-])\d{1,2}(?![\w.%/-])(?!\s*(?:days?|d|hours?|hrs?|h|weeks?|months?|mins?|minutes?|years?|bits?)\b)",
    re.I,
)


@dataclass(frozen=True)
class HeaderReading:
    """A header's canonical words in order (no repeats), those that only qualify it, its head word, and
    the secondary words that only say where the value sits (the outer namespace of a dotted name)."""

    words: tuple[str, ...]
    secondary: frozenset[str]
    head: str | None
    context: frozenset[str] = frozenset()


def names_a_part(text: str) -> bool:
    """True when a standalone number picks one of several parts ("Disk 2 size", "Network #1"); "over
    30 days", "32/64-bit", "32 or 64 bit" and numbers in examples ("e.g. RHEL 8") are not part numbers."""
    text = _ALTERNATIVE_NUMBERS.sub(" ", _EXAMPLES.sub(" ", remove_noise(strip_accents(text))))
    return _PART_NUMBER.search(text) is not None


def names_the_plan(words: Iterable[str]) -> bool:
    """True when the header is about the migration's destination ("Target Region"), not the asset."""
    return any(word in PLAN_WORDS for word in words)


def names_something_else(reading: HeaderReading) -> str | None:
    """The word that makes a header about something an asset has no column for ("Default *Gateway*",
    "*Free* Space", "Cost per *Year*", "*CPU model*"), or None: an unrelated primary word, a period other than a
    month, or the kind of one of the asset's parts."""
    for word in reading.words:
        if word in PERIODS or (word in UNRELATED and word not in reading.secondary):
            return word
    components = [word for word in reading.words if word in COMPONENTS]
    kinds = [word for word in reading.words if word in COMPONENT_KINDS]
    if components and kinds and set(reading.words) <= COMPONENTS | COMPONENT_KINDS | QUALIFIERS:
        return f"{components[0]} {kinds[0]}"
    return reading.head if reading.head in UNRELATED_HEADS else None


def read_header(text: str, vocabulary: Mapping[str, str] | None = None) -> HeaderReading:
    """Read a unit-less header (see the module docstring); `vocabulary` maps known spellings to canonical
    words for correcting singulars and typos (none: words are taken as they are)."""
    text = remove_noise(strip_accents(text))
    hints: list[str] = []
    text = _EXAMPLES.sub(lambda match: _value_hint(match, hints), text)
    text = _EXAMPLES.sub(" ", _BRACKETED.sub(lambda match: _value_hint(match, hints), text))  # other examples
    # are only values
    if not hints and _value_hint(_WHOLE.fullmatch(text), hints) == " ":  # a header made of example values
        text = ""
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    bracketed = " ".join(a or b for a, b in _BRACKETED.findall(text))
    main = _EXTENSION_PREFIX.sub(" ", _BRACKETED.sub(" ", text))
    *segments, main = _NAMESPACE_DOT.split(main)
    before, after = _split_at_preposition(_genitive_order(_raw_words(main)))
    foreign = any(_is_foreign(word) for word in _raw_words(text))
    segments = [_genitive_order(_raw_words(segment)) for segment in segments]
    inner, segments = _attribute_words(before, segments, vocabulary, foreign)
    primary = _canonical(inner, vocabulary, foreign)
    own = _canonical(before, vocabulary, foreign)
    if vocabulary:  # an unknown word of a namespace names a vendor's table or class ("tblAssets", "v_GS_...")
        primary = [word for word in primary if word in own or word in vocabulary]
    context = [
        word for word in _canonical(sum(segments, []), vocabulary, foreign) if vocabulary is None or word in vocabulary
    ]
    aside = [word for word in after + _raw_words(bracketed) if word not in PREPOSITIONS]
    others = context + _canonical(aside, vocabulary, foreign)
    secondary = [word for word in dict.fromkeys(others) if word not in primary]
    if hints:  # example values name the attribute; the header's own words only qualify it
        hinted = _canonical(hints[:1], vocabulary, foreign)
        secondary = [word for word in dict.fromkeys(primary + secondary) if word not in hinted]
        primary = hinted
    outer = frozenset(context) - set(primary) - set(_canonical(aside, vocabulary, foreign))
    return HeaderReading(tuple(primary + secondary), frozenset(secondary), _head(primary or secondary), outer)


def _attribute_words(
    own: list[str], segments: list[list[str]], vocabulary: Mapping[str, str] | None, foreign: bool
) -> tuple[list[str], list[list[str]]]:
    """The raw words naming a dotted header's attribute, and the namespace segments left to say where it
    sits. The last part names the attribute ("Tags.Application", "config.hardware.numCPU"); a namespace
    segment joins it while the part gives only a statistic, an amount or an aspect ("RAM.UsedSize.Avg",
    "Guest.OS.Name") or forms one term with it ("Hardware.Address"), but never a tag's key ("Tags.Name")."""
    words = own
    while segments:
        segment = segments[-1]
        canonical = _canonical(words, vocabulary, foreign)
        joint = _canonical(segment + words, vocabulary, foreign)
        if "tag" in _canonical(segment, vocabulary, foreign) or any(
            word in joint and word not in QUALIFIERS | NAMESPACE_ASPECTS | STATISTICS | AMOUNTS for word in canonical
        ):
            break
        words = segment + words
        segments = segments[:-1]
    return words, segments


_WHOLE = re.compile(r"(.*)()", re.S)
_EXAMPLES = re.compile(r"\{([^}]*)\}()")
_HINT_SEPARATORS = re.compile(r"\s*(?:[/,|;+]|\b(?:or|ou|oder|o|of)\b)\s*", re.I)


def _value_hint(match: re.Match[str], hints: list[str]) -> str:
    """A bracket of two or more example values of one kind ("(Prod/UAT/Dev)") is replaced by nothing and
    its kind is added to `hints`; any other bracket is kept."""
    items = [
        re.sub(r"[\W_]+", "", item.casefold()) for item in _HINT_SEPARATORS.split(match.group(1) or match.group(2))
    ]
    kinds = {VALUE_HINTS.get(item) for item in items if item}
    if len(items) < 2 or len(kinds) != 1 or None in kinds:
        return match.group(0)
    hints.extend(kinds)
    return " "


def _raw_words(text: str) -> list[str]:
    return [
        word
        for word in header_words(text, keep=KEEP_WHOLE)
        if not word.isdigit() and word not in STOPWORDS and word not in TOOL_WORDS
    ]


def _genitive_order(words: list[str]) -> list[str]:
    """Words in English order: "Nom du serveur", "Name des Servers", "Naam van de server" -> server name;
    articles of other languages are dropped."""
    skipped = ARTICLES | GENITIVES
    for index, word in enumerate(words):
        if word in GENITIVES and any(other not in skipped for other in words[:index]):
            return _genitive_order(words[index + 1 :]) + [other for other in words[:index] if other not in skipped]
    return [word for word in words if word not in skipped]


def _split_at_preposition(words: list[str]) -> tuple[list[str], list[str]]:
    """Words before the first preposition that follows a content word, and the words after it."""
    for index, word in enumerate(words):
        if word not in PREPOSITIONS:
            continue
        before = [w for w in words[:index] if w not in FILLERS and w not in PREPOSITIONS]
        if not before:
            continue
        rest = [w for w in words[index + 1 :] if w not in PREPOSITIONS]
        if before[-1] in QUANTIFIERS or WORD_FORMS.get(before[-1]) in QUANTIFIERS:
            return before + rest, []
        return before, rest
    return [w for w in words if w not in PREPOSITIONS], []


def _canonical(words: list[str], vocabulary: Mapping[str, str] | None, foreign: bool = False) -> list[str]:
    """The canonical words, adjacent ones naming one thing joined (`TERMS`); in a header of another language
    also in reversed order, as its adjectives follow the noun ("Host fisico", "Hote ESXi"), and with the count a
    plural gives put last, so that the noun meets its adjective ("Processeurs logiques")."""
    expanded: list[str] = []
    counts: list[str] = []
    for word in words:
        if word in FILLERS:
            continue
        form = (WORD_FORMS.get(word) or _known_form(word, vocabulary)).split()
        if foreign and len(form) > 1 and form[-1] == "number":
            counts.append(form.pop())
        expanded.extend(form)
    expanded.extend(counts)
    joined: list[str] = []
    for word in expanded:
        joined.append(word)
        while len(joined) > 1:
            pair = (joined[-2], joined[-1])
            term = TERMS.get(pair) or (TERMS.get(pair[::-1]) if foreign else None)
            if term is None:
                break
            del joined[-2:]
            joined.extend(term.split())
            if tuple(joined[-2:]) in (pair, pair[::-1]):
                break
    return list(dict.fromkeys(joined))


def _is_foreign(word: str) -> bool:
    """True for a word of the lexicon of other languages, also inflected ("fysieke", "technischer")."""
    if word in LEXICON_FORMS:
        return True
    return word not in WORD_FORMS and any(stem in LEXICON_FORMS for stem in _stems(word))


def _head(words: list[str]) -> str | None:
    content = [word for word in words if word not in QUALIFIERS and word not in ASPECTS]
    if content:
        return content[-1]
    aspects = [word for word in words if word in ASPECTS]
    return aspects[0] if aspects else None


def _known_form(word: str, vocabulary: Mapping[str, str] | None) -> str:
    """`word` itself when known (or nothing is known), its singular, else the known spelling one typo away,
    the known parts it is glued from, or the known spelling two typos away (for words of eight letters or more)."""
    if not vocabulary or word in vocabulary or word in QUALIFIERS or word in OTHER_SUBJECTS:
        return vocabulary.get(word, word) if vocabulary else word
    for singular in (word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if singular and singular in vocabulary:
            return vocabulary[singular]
    inflected = _inflected_form(word)
    if inflected is not None:
        return inflected
    parts = _compound_parts(word, vocabulary)
    closest = _closest_form(word, vocabulary)
    if closest is not None and (closest[0] == 1 or not parts):
        return closest[1]  # one typo is likelier than a glued word ("cluser" is a cluster, not clu|ser)
    return parts or word


# Endings of other languages' plurals and inflected adjectives, and the linking letters of German compounds:
# "Kern|e", "Prozessor|en", "technisch|er", "fysiek|e", "schede" (scheda), "Wirt|s|system", "Domane|n|name".
_PLURAL_ENDINGS = ("en", "er", "es", "em", "e", "n", "s", "x", "i")
# Endings of cases, possessives and Nordic definite forms, which say nothing of a count: Polish "serwer|a",
# "dysk|u", "system|y", Nordic "server|ar", "system|et", Turkish "numara|si", Romanian "server|ul".
_CASE_ENDINGS = ("ych", "ului", "ul", "si", "ow", "ar", "or", "et", "a", "u", "y")
_MIN_STEM = 4


def _stems(word: str, endings: tuple[str, ...] = _PLURAL_ENDINGS + _CASE_ENDINGS) -> list[str]:
    """The words `word` may be an inflected form of, most likely first."""
    stems: list[str] = []
    for ending in endings:
        stem = word.removesuffix(ending)
        if stem != word and len(stem) >= _MIN_STEM:
            stems.extend((stem, stem + "e", stem + "a", stem + "o"))
    return stems


def _inflected_form(word: str) -> str | None:
    """The canonical form of the known word `word` inflects, counting a part it gives in the plural
    ("Kerne" -> core number, but "dysku" -> disk), or None."""
    for endings, counts in ((_PLURAL_ENDINGS, True), (_CASE_ENDINGS, False)):
        for stem in _stems(word, endings):
            form = WORD_FORMS.get(stem)
            if form is not None:
                return f"{form} number" if counts and form in COUNTED else form
    return None


def _closest_form(word: str, vocabulary: Mapping[str, str]) -> tuple[int, str] | None:
    """The edit distance to, and the meaning of, the known spellings closest to `word` when they share one
    meaning ("diks": disk, not disk number); None when none is close enough or two meanings are."""
    if len(word) < 4:
        return None
    allowed = 1 if len(word) < 8 else 2
    scored = sorted(
        (_edit_distance(word, known), known)
        for known in vocabulary
        if abs(len(known) - len(word)) <= allowed and len(known) >= 4
    )
    if not scored or scored[0][0] > allowed:
        return None
    forms = {vocabulary[known] for distance, known in scored if distance == scored[0][0]}
    shared = [form for form in forms if all(set(form.split()) <= set(other.split()) for other in forms)]
    if len(shared) != 1:
        return None  # two different words are equally close: do not guess
    return scored[0][0], shared[0]


# Two-letter words that may be part of a glued word ("primaryip4", "hwversion"); longer parts need three letters.
_SHORT_PARTS = frozenset({"ip", "os", "vm", "id", "hw", "nr", "no", "dc", "db"})
_MIN_COMPOUND = 6


def _is_part(part: str, vocabulary: Mapping[str, str]) -> bool:
    if len(part) < 3:
        return part in _SHORT_PARTS
    return part in vocabulary or part in WORD_FORMS or part in FILLERS or _inflected_form(part) is not None


def _part_form(part: str, vocabulary: Mapping[str, str], last: bool) -> str:
    if part in FILLERS:
        return ""  # "Cluster|zugehorigkeit" is the cluster
    form = WORD_FORMS.get(part) or vocabulary.get(part) or _inflected_form(part) or part
    return form if last else form.removesuffix(" number")  # "Festplatten|grosse" is a disk's size, not a count


def _compound_parts(word: str, vocabulary: Mapping[str, str]) -> str:
    """A glued word as the canonical forms of its fewest known parts ("hddcount" -> "disk number",
    "betriebssystemversion" -> "operating system version"), or "" when it does not split."""
    if len(word) < _MIN_COMPOUND:
        return ""
    fewest: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(end):
            before = fewest[start]
            part = word[start:end]
            if before is None or not _is_part(part, vocabulary):
                continue
            if fewest[end] is None or len(before) + 1 < len(fewest[end]):
                fewest[end] = [*before, part]
    parts = fewest[-1]
    if parts is None or len(parts) < 2 or sum(len(part) < 4 for part in parts) > 1:
        return ""  # "clu|ser" is not read as two abbreviations
    forms = (_part_form(part, vocabulary, index == len(parts) - 1) for index, part in enumerate(parts))
    return " ".join(form for form in forms if form)


def _edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
