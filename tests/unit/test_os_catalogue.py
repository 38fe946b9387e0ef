"""OS spellings, canonical names, versions and vendor support status."""

from __future__ import annotations

import pytest

from domain.os_catalogue import identify_os, normalise_os


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Win2019", ("windows", "Windows Server 2019", "2019")),
        ("Microsoft Windows Server 2019 (64-bit)", ("windows", "Windows Server 2019", "2019")),
        ("Windows Server 2012 R2", ("windows", "Windows Server 2012 R2", "2012 R2")),
        ("Windows 2008 R2 Enterprise", ("windows", "Windows Server 2008 R2", "2008 R2")),
        ("Microsoft Windows 10 (64-bit)", ("windows", "Windows 10", "10")),
        ("RHEL 9", ("linux", "Red Hat Enterprise Linux 9", "9")),
        ("rhel7", ("linux", "Red Hat Enterprise Linux 7", "7")),
        ("Red Hat Enterprise Linux 8 (64-bit)", ("linux", "Red Hat Enterprise Linux 8", "8")),
        ("Red Hat Enterprise Linux Server release 7.9 (Maipo)", ("linux", "Red Hat Enterprise Linux 7.9", "7.9")),
        ("CentOS 7", ("linux", "CentOS 7", "7")),
        ("CentOS 4/5/6/7 (64-bit)", ("linux", "CentOS", None)),
        ("Ubuntu 20.04", ("linux", "Ubuntu 20.04", "20.04")),
        ("Ubuntu 22.04.3 LTS", ("linux", "Ubuntu 22.04", "22.04")),
        ("SLES 12", ("linux", "SUSE Linux Enterprise Server 12", "12")),
        ("SLES12 SP5", ("linux", "SUSE Linux Enterprise Server 12 SP5", "12 SP5")),
        ("SUSE Linux Enterprise 15 (64-bit)", ("linux", "SUSE Linux Enterprise Server 15", "15")),
        ("Debian GNU/Linux 11 (64-bit)", ("linux", "Debian 11", "11")),
        ("Oracle Linux 8", ("linux", "Oracle Linux 8", "8")),
        ("Other 4.x or later Linux (64-bit)", ("linux", "Linux", None)),
        ("AIX 7.2", ("unix", "AIX 7.2", "7.2")),
        ("IBM AIX 7.1", ("unix", "AIX 7.1", "7.1")),
        ("Solaris 11", ("unix", "Solaris 11", "11")),
        ("Oracle Solaris 10 (64-bit)", ("unix", "Solaris 10", "10")),
        ("HP-UX B.11.31", ("unix", "HP-UX 11.31", "11.31")),
        ("z/OS 2.5", ("other", "z/OS 2.5", "2.5")),
        ("IBM i 7.4", ("other", "IBM i 7.4", "7.4")),
    ],
)
def test_os_spellings(text: str, expected: tuple[str, str, str | None]) -> None:
    assert normalise_os(text) == expected
    assert normalise_os(expected[1]) == expected  # canonical names are fixed points


def test_unrecognised_os_is_kept_as_written_without_a_version() -> None:
    assert normalise_os(" FreeBSD 13 ") == ("other", "FreeBSD 13", None)


def test_separate_version_completes_a_bare_name() -> None:
    identity = identify_os("Red Hat Enterprise Linux", "8.6")
    assert (identity.name, identity.version) == ("Red Hat Enterprise Linux 8.6", "8.6")


def test_separate_version_the_product_does_not_accept_is_ignored() -> None:
    identity = identify_os("Microsoft Windows Server", "10.0.17763")
    assert (identity.name, identity.version, identity.end_of_support) == ("Windows Server", None, None)


@pytest.mark.parametrize(
    ("text", "past_support"),
    [
        ("Windows Server 2008 R2", True),
        ("Windows Server 2012 R2", True),
        ("Windows Server 2016", False),
        ("RHEL 6", True),
        ("RHEL 7.9", True),
        ("RHEL 8", False),
        ("CentOS 7", True),
        ("Ubuntu 18.04", True),
        ("Ubuntu 22.04", False),
        ("SLES 12 SP5", True),
        ("SLES 15", False),
        ("AIX 7.2", False),
        ("Windows Server", None),
        ("FreeBSD 13", None),
    ],
)
def test_end_of_support(text: str, past_support: bool | None) -> None:
    assert identify_os(text).end_of_support is past_support
