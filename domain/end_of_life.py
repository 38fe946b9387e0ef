"""Technical-debt flags of one asset: vendor support of its OS (from domain.os_catalogue, the one
place that knows it) and machine state.

| flag | when |
| --- | --- |
| os_end_of_life | the OS version is past the vendor's standard support |
| os_support_unknown | an OS is named but its support status cannot be told (no version, unknown product) |
| powered_off | the machine is powered off (canonical power state from cleansing) |
"""

from __future__ import annotations

from domain.os_catalogue import identify_os


def tech_debt(operating_system: str | None, os_version: str | None, power_state: str | None) -> list[str]:
    flags: list[str] = []
    if operating_system:
        support = identify_os(operating_system, os_version).end_of_support
        if support is True:
            flags.append("os_end_of_life")
        elif support is None:
            flags.append("os_support_unknown")
    if power_state == "powered_off":  # cleansing made power states canonical
        flags.append("powered_off")
    return flags
