"""Generalising rules of the header matcher, on hand-written headers (none taken from a bench holdout).

Each group exercises one general rule: tool prefixes and glued words, noise phrases, foreign and
British spellings, head nouns and modifiers, example values in brackets, and headers naming
something an asset has no column for.
"""

from __future__ import annotations

import pytest

from domain.discovery.field_mapping import SYNONYM_CONFIDENCE, suggest_mappings


def _suggest(header: str):
    [suggestion] = suggest_mappings([header])
    return suggestion


def _assert_generalised(header: str, target: str | None) -> None:
    suggestion = _suggest(header)
    assert suggestion.target_field == target, suggestion.reason
    if target is not None and "known spelling" not in suggestion.reason:  # a guess, not a table's answer
        assert suggestion.source == "synonym" and suggestion.confidence < SYNONYM_CONFIDENCE


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("ansible_hostname", "hostname"),  # configuration-management fact prefixes
        ("ansible_fqdn", "fqdn"),
        ("ansible_distribution_version", "os_version"),
        ("ansible_product_serial", "serial_number"),
        ("ansible_system_vendor", "manufacturer"),
        ("ansible_default_ipv4.address", "ip_address"),
        ("ansible_architecture", "os_architecture"),
        ("facter_processorcount", "cpu_sockets"),  # ... with glued words
        ("facter_physicalprocessorcount", "cpu_sockets"),
        ("facter_serialnumber", "serial_number"),
        ("facter_macaddress", "mac_address"),
        ("facter_operatingsystemrelease", "os_version"),
        ("facter_is_virtual", "is_virtual"),
        ("node.platform_version", "os_version"),
        ("node.chef_environment", "environment"),
        ("node.dmi.system.manufacturer", "manufacturer"),
        ("node.macaddress", "mac_address"),
        ("v_GS_COMPUTER_SYSTEM.TotalPhysicalMemory0", "memory_gb"),
        ("serverRamGb", "memory_gb"),
        ("MainIpv4Addr", "ip_address"),
        ("AssignedVcpuCount", "cpu_cores"),
        ("NumberOfNetworkInterfaces", "network_adapters"),
        ("proc_socket_count", "cpu_sockets"),
        ("used_disk_space_gb", "storage_used_gb"),
        ("Serialnr0", "serial_number"),
        ("Modelname", "model"),
        ("Locationcode", "location"),
        ("Hypervisortype", "hypervisor"),
    ],
)
def test_prefixes_numeric_suffixes_and_glued_words(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Server Name (please enter)", "name"),
        ("Please enter the hostname", "hostname"),
        ("IP Address (if known)", "ip_address"),
        ("Operating System (if applicable)", "operating_system"),
        ("Owner (mandatory)", "business_owner"),
        ("Current Location", "location"),
        ("Application name - required", "application_name"),
        ("Location (select from list)", "location"),
        ("Department (e.g. Finance)", "department"),
        ("Please provide the serial number", "serial_number"),
    ],
)
def test_noise_words_are_ignored(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Rechnername", "hostname"),  # German
        ("Betriebssystem", "operating_system"),
        ("Betriebssystemversion", "os_version"),
        ("Arbeitsspeicher (GB)", "memory_gb"),
        ("Festplattengröße (GB)", "storage_gb"),
        ("Anzahl Kerne", "cpu_cores"),
        ("Standort", "location"),
        ("Rechenzentrum", "datacenter"),
        ("Umgebung", "environment"),
        ("Anwendung", "application_name"),
        ("Abteilung", "department"),
        ("Hersteller", "manufacturer"),
        ("Seriennummer", "serial_number"),
        ("IP-Adresse", "ip_address"),
        ("Beschreibung", "description"),
        ("Kritikalität", "business_criticality"),
        ("Monatliche Kosten", "current_monthly_cost"),
        ("Währung", "cost_currency"),
        ("Abhängigkeiten", "depends_on"),
        ("Name des Servers", "name"),
        ("Nom du serveur", "name"),  # French
        ("Nom d'hôte", "hostname"),
        ("Adresse IP", "ip_address"),
        ("Adresse MAC", "mac_address"),
        ("Système d'exploitation", "operating_system"),
        ("Version du système d'exploitation", "os_version"),
        ("Mémoire (Go)", "memory_gb"),
        ("Nombre de cœurs", "cpu_cores"),
        ("Emplacement", "location"),
        ("Centre de données", "datacenter"),
        ("Environnement", "environment"),
        ("Propriétaire", "business_owner"),
        ("Fabricant", "manufacturer"),
        ("Numéro de série", "serial_number"),
        ("Coût mensuel", "current_monthly_cost"),
        ("Devise", "cost_currency"),
        ("Criticité", "business_criticality"),
        ("Espace disque (Go)", "storage_gb"),
        ("Hyperviseur", "hypervisor"),
        ("Nombre del servidor", "name"),  # Spanish
        ("Dirección IP", "ip_address"),
        ("Sistema operativo", "operating_system"),
        ("Memoria RAM (GB)", "memory_gb"),
        ("Núcleos", "cpu_cores"),
        ("Ubicación", "location"),
        ("Centro de datos", "datacenter"),
        ("Entorno", "environment"),
        ("Aplicación", "application_name"),
        ("Propietario", "business_owner"),
        ("Departamento", "department"),
        ("Fabricante", "manufacturer"),
        ("Número de serie", "serial_number"),
        ("Moneda", "cost_currency"),
        ("Descripción", "description"),
        ("Servernaam", "name"),  # Dutch
        ("Hostnaam", "hostname"),
        ("IP-adres", "ip_address"),
        ("Besturingssysteem", "operating_system"),
        ("Geheugen (GB)", "memory_gb"),
        ("Locatie", "location"),
        ("Omgeving", "environment"),
        ("Eigenaar", "business_owner"),
        ("Afdeling", "department"),
        ("Fabrikant", "manufacturer"),
        ("Serienummer", "serial_number"),
        ("Omschrijving", "description"),
        ("Kosten per maand", "current_monthly_cost"),
        ("Aantal cores", "cpu_cores"),
        ("Opslag (GB)", "storage_gb"),
        ("Nome server", "name"),  # Italian
        ("Indirizzo IP", "ip_address"),
        ("Ubicazione", "location"),
        ("Proprietario", "business_owner"),
        ("Produttore", "manufacturer"),
        ("Numero di serie", "serial_number"),
        ("Descrizione", "description"),
        ("Costo mensile", "current_monthly_cost"),
        ("Reparto", "department"),
        ("Organisation Unit", "business_unit"),  # British spelling
        ("Is it virtualised?", "is_virtual"),
    ],
)
def test_foreign_and_british_words(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Hsotname", "hostname"),
        ("Envrionment", "environment"),
        ("Manufaturer", "manufacturer"),
        ("Seral Number", "serial_number"),
        ("Operatign System", "operating_system"),
        ("Memmory (GB)", "memory_gb"),
        ("Applciation Name", "application_name"),
        ("Deparment", "department"),
    ],
)
def test_typos(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Disk Size TB", "storage_gb"),
        ("Disk Free GB", None),  # a free amount is not a size
        ("Free Space (GB)", None),
        ("Available Memory (MB)", None),
        ("Owner E-Mail", "business_owner"),  # the e-mail identifies the owner
        ("Application Owner Email", "business_owner"),
        ("Technical Contact Email", "technical_owner"),
        ("IP Gateway", None),  # a gateway is not the asset's address
        ("Default Gateway", None),
        ("Subnet Mask", None),
        ("DNS Servers", None),
        ("Swap Size (GB)", None),
        ("Last Boot Time", None),
        ("Install Date", None),
        ("Warranty End", None),
        ("Timezone", None),
        ("Annual Cost", None),  # a yearly amount is not a monthly cost
        ("Firmware Version", None),
        ("Disk Latency (ms)", None),
        ("Logged On User", None),
        ("Service Business Owner", "business_owner"),  # the last noun is the attribute
        ("Hard Drive Size", "storage_gb"),
        ("Logical Processor Count", "cpu_cores"),
        ("Private IPv4", "ip_address"),
        ("Street Address", "location"),
        ("Branch Site", "location"),
    ],
)
def test_head_nouns_modifiers_and_things_without_a_column(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Stage (Prod/Dev/Test)", "environment"),
        ("Tier (Gold/Silver/Bronze)", "business_criticality"),
        ("Kind (Physical/Virtual)", "is_virtual"),
        ("Currency (EUR/USD)", "cost_currency"),
        ("Bits (x86/x64)", "os_architecture"),
    ],
)
def test_example_values_in_brackets_name_the_attribute(header: str, target: str) -> None:
    _assert_generalised(header, target)


def test_no_target_says_why() -> None:
    suggestion = _suggest("Default Gateway")
    assert suggestion.target_field is None and "gateway" in suggestion.reason


def test_a_header_naming_something_else_is_not_guessed_from_its_values() -> None:
    [suggestion] = suggest_mappings(["Free Space (GB)"], samples={"Free Space (GB)": ["120", "80", "512"]})
    assert suggestion.target_field is None


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Server Role (e.g. Web/App/DB)", "description"),  # examples that name no attribute are only values
        ("Lifecycle, e.g. Prod or Test", "environment"),  # ... those that do, name it
        ("Nutanix VM Name", "name"),  # a product's name says where the value comes from
        ("ESXi Hostname", "host_name"),
        ("CPU Usage 95th pct", "cpu_utilization_peak"),  # a 95th percentile is a peak
        ("Currency Code (ISO 4217)", "cost_currency"),  # a long number is not a part number
        ("Connected Systems", "depends_on"),
    ],
)
def test_examples_products_and_percentiles(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Gebruikte schijfruimte (GB)", "storage_used_gb"),  # inflected adjectives: gebruikt|e
        ("Technischer Betreuer", "technical_owner"),  # technisch|er
        ("Physische Prozessoren", "cpu_sockets"),
        ("Prozessorkerne", "cpu_cores"),  # a glued plural counts its part: Kern|e
        ("Anzahl Netzwerkschnittstellen", "network_adapters"),  # Schnittstelle|n
        ("Schede di rete", "network_adapters"),  # Italian plural: scheda -> schede
        ("Spitzenauslastung CPU", "cpu_utilization_peak"),  # linking letters of German compounds: Spitze|n|...
        ("Wirtsrechner", "host_name"),  # Wirt|s|rechner
        ("Vollständiger Domänenname", "fqdn"),  # Domane|n|name
        ("Nome do servidor", "name"),  # Portuguese
        ("Custo mensal", "current_monthly_cost"),
        ("Application installée", "application_name"),  # a participle says how, not what
        ("Nb de vCPU", "cpu_cores"),  # French abbreviations
        ("N° de série", "serial_number"),
        ("Marque", "manufacturer"),  # a brand names the maker
        ("Moteur de base de données", "database_engine"),
        ("Niveau de confidentialité", "data_classification"),
        ("Vorlage", "is_template"),
        ("Versión de SO", "os_version"),
        ("Responsable de TI", "technical_owner"),
        ("Nome macchina", "name"),  # a machine's name, not a computer's hostname
        ("Betriebssystemfamilie", "operating_system"),
        ("Clusterzugehörigkeit", "cluster"),  # a filler inside a glued word is dropped
        ("Mémoire allouée (Mo)", "memory_gb"),
        ("Cœurs virtuels", "cpu_cores"),
    ],
)
def test_inflected_glued_and_abbreviated_foreign_words(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Hôte ESXi", "host_name"),  # the noun comes first in other languages
        ("Servidor anfitrión", "host_name"),
        ("Processeurs logiques", "cpu_cores"),  # ... also when the noun is a plural
        ("Dirección MAC principal", "mac_address"),
    ],
)
def test_foreign_word_order(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("OS-EXT-AZ:availability_zone", "location"),  # an extension prefix before a colon is dropped
        ("tags.department", "department"),  # a tag's key names the attribute ...
        ("tags.Name", "name"),  # ... also when it is an aspect word
        ("labels.owner", "business_owner"),  # an owner is an attribute of its own
        ("inventory.manufacturer", "manufacturer"),
        ("spec.hardware.memoryGiB", "memory_gb"),  # outer namespaces only say where the value sits
        ("device.role.name", "description"),  # the nearest namespace part joins an aspect
    ],
)
def test_dotted_namespaces(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("objectGuid", "external_id"),  # the UUID of a record identifies the record, not the BIOS
        ("resourceArn", "external_id"),  # a cloud resource name identifies it
        ("Windows Edition", "operating_system"),  # an OS family's name stands for the OS
        ("Type ID", "asset_type"),
        ("hostSystem", "host_name"),  # vSphere's HostSystem is the ESXi host
        ("availabilityZone", "location"),
        ("Bit Width", "os_architecture"),
        ("mem_p99", "memory_utilization_peak"),
        ("privateIPv4Address", "ip_address"),
        ("Is Virtual (J/N)", "is_virtual"),
        ("Impact (Low/Medium/High)", "business_criticality"),  # a scale's values name the attribute
        ("Operating System (e.g. RHEL 9)", "operating_system"),  # a number in an example picks no part
        ("Bitness (32 or 64)", "os_architecture"),
        ("Read/Write MB/s", "disk_throughput_mbps"),  # reads and writes are a disk's
        ("Hosting Server", "host_name"),
        ("Short Name", "hostname"),
        ("Resource Group", None),  # cloud groupings and sizes are not asset columns
        ("Security Group", None),
        ("instanceType", None),
        ("App Tier", None),  # a web/app/db layer, not a criticality; its values are not profiled either
    ],
)
def test_vendor_and_cloud_words(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


def test_a_size_in_bytes_is_matched_for_review_with_a_warning() -> None:
    suggestion = _suggest("Memory Size (bytes)")
    assert suggestion.target_field == "memory_gb" and suggestion.unit is None
    assert suggestion.confidence < SYNONYM_CONFIDENCE and "bytes" in suggestion.reason


@pytest.mark.parametrize(
    ("header", "target", "unit"),
    [
        ("RAMSIZEMB", "memory_gb", "MB"),  # a unit glued to known words in capitals
        ("Disk Size GB total", "storage_gb", "GB"),  # a unit word amid others
        ("Storage MB/s", "disk_throughput_mbps", None),  # ... but not a rate
    ],
)
def test_units_glued_or_amid_words(header: str, target: str, unit: str | None) -> None:
    suggestion = _suggest(header)
    assert (suggestion.target_field, suggestion.unit) == (target, unit), suggestion.reason


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Memory (%)", "memory_utilization_avg"),  # a share of a thing is not the thing
        ("CPU (%)", "cpu_utilization_avg"),
        ("Secondary IP", "ip_address"),
        ("Parent ESX Server", "host_name"),
        ("Clk Spd (MHz)", "cpu_mhz"),
        ("Fuly Qualified Domain Name", "fqdn"),
        ("vm.summary.storage.uncommitted", None),  # space not yet used is neither a size nor a usage
        ("Replication", None),  # not corrected to "application"
    ],
)
def test_percentages_qualifiers_and_abbreviations(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Adres IP serwera", "ip_address"),  # Polish, with the genitive case ending -a
        ("Rozmiar dysku (GB)", "storage_gb"),  # a case ending (-u) is no plural: one disk's size, not a count
        ("Ilość rdzeni", "cpu_cores"),  # ł and accents folded; a listed plural counts
        ("Producent sprzętu", "manufacturer"),
        ("Środowisko serwera", "environment"),
        ("Datornamn", "hostname"),  # Swedish, glued
        ("Arbetsminne (GB)", "memory_gb"),
        ("Ansvarlig avdeling", "department"),  # Norwegian: the responsible department
        ("Lagringskapacitet", "storage_gb"),  # glued, with a linking s
        ("Antall prosessorkjerner", "cpu_cores"),
        ("SABA_MEI", "name"),  # romanised Japanese
        ("MEMORI_YORYO", "memory_gb"),
        ("KANRI_BUSHO", "department"),
        ("Espace sur disque (Go)", "storage_gb"),  # "X on Y" reads as Y's X
    ],
)
def test_polish_nordic_and_japanese_words(header: str, target: str) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Inventory: Serial Number", "serial_number"),  # a colon then a space separates a namespace too
        ("Discovered: Network Interfaces: IP Addresses", "ip_address"),
        ("Hardware - Manufacturer", "manufacturer"),  # ... and so does a spaced dash
        ("Adresse du serveur - IP", "ip_address"),  # a namespace in genitive order
        ("guest.disks[0].capacityGb", "storage_gb"),  # a path's first list element is the main one
        ("guest.disks[1].capacityGb", None),  # ... another one is one of several
        ("How many CPU sockets?", "cpu_sockets"),  # a question for an amount is no yes/no flag
        ("How much memory is assigned? (GB)", "memory_gb"),
        ("What operating system?", "operating_system"),
        ("What is the host's FQDN?", "fqdn"),  # the verb of a question is no flag
        ("Which data centre is it in?", "datacenter"),
        ("Who owns the application?", "business_owner"),  # "who owns X" asks for X's owner
        ("Operations contact person", "technical_owner"),
        ("Estimated Storage (GB)", "storage_gb"),  # estimation words say how a value came to be
        ("User-defined Tags", "tags"),
        ("Kernel Version String", "os_version"),
        ("Asset Business Criticality Rating", "business_criticality"),  # "asset" only qualifies
    ],
)
def test_namespaces_questions_and_qualifying_words(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("azure_region", None),  # a cloud provider's region in an intake sheet may be the destination's
        ("Total OCPUs", "cpu_cores"),  # vendor words for processors and disks
        ("DASD Used (GB)", "storage_used_gb"),
        ("processor.hz", "cpu_mhz"),  # a frequency in hertz
        ("Backup_Flg", None),
        ("Is_Physical_Flg", None),  # an inverted flag, also abbreviated
        ("Virtual Ind", "is_virtual"),
        ("Platform (MySQL/MariaDB)", "database_engine"),  # database products name the engine
        ("ssh_key_name", None),  # a cloud instance's key pair has no column
        ("Kostenplaatsnummer", None),  # a cost centre, glued
        ("Projected Monthly Spend", None),  # a projection is about the plan
    ],
)
def test_vendor_words_flags_and_products(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Palvelimen malli", "model"),  # Finnish
        ("Muistin koko (GB)", "memory_gb"),
        ("Výrobce serveru", "manufacturer"),  # Czech, with a case ending
        ("Počet jader CPU", "cpu_cores"),
        ("Sunucu konumu", "location"),  # Turkish, with a possessive ending; dotless i folded
        ("İşletim sistemi sürümü", "os_version"),
        ("Szerver neve", "name"),  # Hungarian
        ("Sistemul de operare", "operating_system"),  # Romanian, in genitive order, with its definite ending
        ("Proprietarul aplicației", "business_owner"),
    ],
)
def test_finnish_czech_turkish_hungarian_and_romanian_words(header: str, target: str | None) -> None:
    _assert_generalised(header, target)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Processor Vendor", None),  # the kind of one of the asset's parts has no column
        ("cpu_model_name", None),
        ("Network Card Type", None),
        ("Hard Disk Model", None),
        ("Server Model", "model"),  # ... the asset's own kind does
        ("Processor Core Count", "cpu_cores"),
        ("model.display_value", "model"),  # a reference's shown value is the referenced attribute
        ("assigned_to", "business_owner"),  # a record assigned to someone names its owner
    ],
)
def test_kinds_of_parts_and_references(header: str, target: str | None) -> None:
    _assert_generalised(header, target)
