"""Technical-debt flags of one asset: vendor support of its OS and database, and machine state.

OS support comes from domain.os_catalogue, database support from the dated table of
domain.assessment.database_catalogue, judged on the day given (`as_of`).

| flag | when |
| --- | --- |
| os_end_of_life | the OS version is past the vendor's standard support |
| os_support_unknown | an OS is named but its support status cannot be told (no version, unknown product) |
| database_end_of_life | a database engine version named on the asset is past its vendor's support |
| old_vm_hardware | the VM hardware version is below `MIN_VM_HARDWARE_VERSION` (vmx-13, ESXi 6.5) |
| powered_off | the machine is powered off (canonical power state from cleansing) |
| template | the VM is a template, not a running machine |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from domain.assessment.database_catalogue import identify_database
from domain.os_catalogue import identify_os

MIN_VM_HARDWARE_VERSION = 13
_HW_VERSION = re.compile(r"(?:vmx[-_ ]?)?(\d+)", re.IGNORECASE)


def tech_debt(
    operating_system: str | None,
    os_version: str | None,
    power_state: str | None,
    *,
    is_template: bool | None = None,
    vm_hardware_version: str | None = None,
    database_texts: tuple[str | None, ...] = (),
    as_of: date | None = None,
) -> list[str]:
    flags: list[str] = []
    if operating_system:
        support = identify_os(operating_system, os_version).end_of_support
        if support is True:
            flags.append("os_end_of_life")
        elif support is None:
            flags.append("os_support_unknown")
    database = identify_database(*database_texts)
    if database and database.end_of_support and database.end_of_support < (as_of or date.today()):
        flags.append("database_end_of_life")
    hardware = _HW_VERSION.fullmatch((vm_hardware_version or "").strip())
    if hardware and int(hardware.group(1)) < MIN_VM_HARDWARE_VERSION:
        flags.append("old_vm_hardware")
    if power_state == "powered_off":  # cleansing made power states canonical
        flags.append("powered_off")
    if is_template:
        flags.append("template")
    return flags


def database_texts(name: str | None, description: str | None, application: str | None,
                   custom: Mapping[str, object] | None) -> tuple[str | None, ...]:
    """The texts of an asset in which a database engine may be named."""
    return (name, description, application, *(str(v) for v in (custom or {}).values()))
