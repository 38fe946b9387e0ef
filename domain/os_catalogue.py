"""Operating systems: recognise the many spellings of an OS and know its vendor support status.

`normalise_os("Microsoft Windows Server 2019 (64-bit)")` -> `("windows", "Windows Server 2019",
"2019")`. Products are tried in the order of `OS_PRODUCTS`; the first pattern found in the text
wins. Text that no pattern recognises is kept as written, with family "other" and no version:
nothing is guessed.

Support status is as of `SUPPORT_STATUS_AS_OF`: a version up to and including a product's
`last_unsupported` has left the vendor's standard support; "none listed" means no release of the
product is counted as past support.

| product                         | family  | past support through     | proprietary hardware |
|---------------------------------|---------|--------------------------|----------------------|
| Windows Server                  | windows | 2012 R2 (ended 2023-10)  | no                   |
| Windows (client)                | windows | 10 (ended 2025-10)       | no                   |
| Red Hat Enterprise Linux        | linux   | 7 (ended 2024-06)        | no                   |
| CentOS Stream                   | linux   | 8 (ended 2024-05)        | no                   |
| CentOS                          | linux   | 8 (every release ended)  | no                   |
| Ubuntu                          | linux   | 20.04 (ended 2025-05)    | no                   |
| SUSE Linux Enterprise Server    | linux   | 12 (ended 2024-10)       | no                   |
| Debian                          | linux   | 10 (ended 2024-06)       | no                   |
| Oracle Linux                    | linux   | 7 (ended 2024-12)        | no                   |
| Amazon Linux, Rocky, AlmaLinux  | linux   | none listed              | no                   |
| AIX, Solaris, HP-UX             | unix    | none listed              | yes                  |
| z/OS, IBM i                     | other   | none listed              | yes                  |
| Linux (distribution not named)  | linux   | none listed              | no                   |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

OsFamily = Literal["windows", "linux", "unix", "other"]
OS_FAMILIES: tuple[OsFamily, ...] = ("windows", "linux", "unix", "other")

SUPPORT_STATUS_AS_OF = "2026-01-01"

_SEP = r"[\s_\-]"
# A version right after the product name; "4/5/6/7" lists (RVTools) are no version at all.
_VERSION = _SEP + r"*(?P<version>\d+(?:\.\d+)?)?(?![\d/])"


@dataclass(frozen=True)
class OsProduct:
    """One operating system product and the patterns (on lower-case text) that recognise it."""

    name: str
    family: OsFamily
    patterns: tuple[re.Pattern[str], ...] = field(repr=False)
    last_unsupported: tuple[int, ...] | None = None
    proprietary_platform: bool = False


@dataclass(frozen=True)
class OsIdentity:
    """What a piece of OS text says: family, canonical name (product and version), version."""

    family: OsFamily
    name: str
    version: str | None
    product: OsProduct | None

    @property
    def end_of_support(self) -> bool | None:
        """True past vendor standard support, False within it, None when that cannot be told."""
        if self.product is None or self.version is None:
            return None
        limit = self.product.last_unsupported
        if limit is None:
            return False
        numbers = tuple(int(n) for n in re.findall(r"\d+", self.version))
        return numbers[: len(limit)] <= limit


def _product(
    name: str,
    family: OsFamily,
    *patterns: str,
    last_unsupported: tuple[int, ...] | None = None,
    proprietary_platform: bool = False,
) -> OsProduct:
    return OsProduct(name, family, tuple(re.compile(p) for p in patterns), last_unsupported, proprietary_platform)


OS_PRODUCTS: tuple[OsProduct, ...] = (
    _product(
        "Windows Server",
        "windows",
        r"\bwin(?:dows)?" + _SEP + r"*(?:server" + _SEP + r"*)?(?P<version>(?:19|20)\d{2})(?!\d)"
        r"(?:" + _SEP + r"*(?P<suffix>r2)\b)?",
        r"\bwin(?:dows)?" + _SEP + r"*server\b",
        last_unsupported=(2012, 2),
    ),
    _product(
        "Windows",
        "windows",
        r"\bwin(?:dows)?" + _SEP + r"*(?P<version>11|10|8\.1|8|7)\b",
        r"\bwindows\b",
        last_unsupported=(10,),
    ),
    _product(
        "Red Hat Enterprise Linux",
        "linux",
        r"\b(?:rhel|red" + _SEP + r"*hat(?:" + _SEP + r"+enterprise" + _SEP + r"+linux)?)"
        r"(?:" + _SEP + r"+(?:server|es|as|ws))?(?:" + _SEP + r"+release)?" + _VERSION,
        last_unsupported=(7,),
    ),
    _product("CentOS Stream", "linux", r"\bcent" + _SEP + r"*os" + _SEP + r"+stream" + _VERSION, last_unsupported=(8,)),
    _product(
        "CentOS",
        "linux",
        r"\bcent" + _SEP + r"*os(?:" + _SEP + r"+linux)?(?:" + _SEP + r"+release)?" + _VERSION,
        last_unsupported=(8,),
    ),
    _product(
        "Ubuntu",
        "linux",
        r"\bubuntu(?:" + _SEP + r"+linux)?(?:" + _SEP + r"+server)?" + _SEP + r"*(?P<version>\d{1,2}\.\d{2})?(?![\d/])",
        last_unsupported=(20, 4),
    ),
    _product(
        "SUSE Linux Enterprise Server",
        "linux",
        r"\b(?:sles|suse" + _SEP + r"+linux" + _SEP + r"+enterprise(?:" + _SEP + r"+server)?|suse(?:" + _SEP
        + r"+linux)?)" + _SEP + r"*(?P<version>\d+)?(?:" + _SEP + r"*(?P<suffix>sp" + _SEP + r"*\d+))?(?![\d/])",
        last_unsupported=(12,),
    ),
    _product("Debian", "linux", r"\bdebian(?:" + _SEP + r"+gnu/linux)?" + _VERSION, last_unsupported=(10,)),
    _product(
        "Oracle Linux",
        "linux",
        r"\b(?:oracle" + _SEP + r"+linux|oel)(?:" + _SEP + r"+server)?" + _VERSION,
        last_unsupported=(7,),
    ),
    _product("Amazon Linux", "linux", r"\bamazon" + _SEP + r"+linux" + _VERSION),
    _product("Rocky Linux", "linux", r"\brocky(?:" + _SEP + r"+linux)?" + _VERSION),
    _product("AlmaLinux", "linux", r"\balma" + _SEP + r"*linux" + _VERSION),
    _product("AIX", "unix", r"\baix" + _VERSION, proprietary_platform=True),
    _product("Solaris", "unix", r"\b(?:sun" + _SEP + r"*)?solaris" + _VERSION, proprietary_platform=True),
    _product("HP-UX", "unix", r"\bhp" + _SEP + r"*ux" + _SEP + r"*(?:b\.)?" + _VERSION, proprietary_platform=True),
    _product("z/OS", "other", r"\bz/os" + _VERSION, proprietary_platform=True),
    _product(
        "IBM i",
        "other",
        r"\b(?:ibm" + _SEP + r"+i(?![a-z])|os/400|i5/os|iseries|as/?400)" + _VERSION,
        proprietary_platform=True,
    ),
    _product("Linux", "linux", r"\blinux\b"),
)


def _recognise(text: str) -> OsIdentity | None:
    lowered = text.casefold()
    for product in OS_PRODUCTS:
        for pattern in product.patterns:
            match = pattern.search(lowered)
            if match is None:
                continue
            groups = match.groupdict()
            version = groups.get("version")
            if version and groups.get("suffix"):
                version = f"{version} {re.sub(_SEP, '', groups['suffix']).upper()}"
            name = f"{product.name} {version}" if version else product.name
            return OsIdentity(product.family, name, version, product)
    return None


def identify_os(text: str, version: str | None = None) -> OsIdentity:
    """Identify the OS `text` names; `version` (a separate OS-version column) completes a bare name.

    `identify_os("Red Hat Enterprise Linux", "8.6")` -> Red Hat Enterprise Linux 8.6. A `version` the
    product's patterns do not accept (a Windows build number, say) is not used. When `text` names
    only a family and `version` names a product (`"linux"`, `"RHEL 8.6"`: Cloud Migration Factory
    forms), the product is taken from `version`.
    """
    identity = _recognise(text)
    if version and version.strip() and (identity is None or identity.version is None):
        named = _recognise(version)
        if (named is not None and named.version and (identity is None or (
                named.product is not identity.product and named.family == identity.family))):
            return named
    if identity is None:
        return OsIdentity("other", text.strip(), None, None)
    if identity.version is None and version and version.strip():
        completed = _recognise(f"{text} {version}")
        if completed is not None and completed.product is identity.product and completed.version:
            return completed
    return identity


def normalise_os(text: str) -> tuple[OsFamily, str, str | None]:
    """(family, canonical name, version) of OS text: `'RHEL 9'` -> `('linux', 'Red Hat Enterprise Linux 9', '9')`."""
    identity = identify_os(text)
    return identity.family, identity.name, identity.version
