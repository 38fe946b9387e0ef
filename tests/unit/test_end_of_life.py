"""Technical-debt flags: OS and database support by the dated tables, VM hardware, templates, power."""

from __future__ import annotations

from datetime import date

import pytest

from domain.assessment.database_catalogue import identify_database
from domain.assessment.end_of_life import database_texts, tech_debt

DAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "engine", "version", "end"),
    [
        ("SQL Server 2012 Standard", "SQL Server", "2012", date(2022, 7, 12)),
        ("MS SQL Server 2019", "SQL Server", "2019", date(2030, 1, 8)),
        ("Oracle 11g RAC", "Oracle Database", "11", date(2020, 12, 31)),
        ("mysql-5.7 replica", "MySQL", "5.7", date(2023, 10, 31)),
        ("PostgreSQL 11.4", "PostgreSQL", "11", date(2023, 11, 9)),
        ("postgres 9.6", "PostgreSQL", "9.6", date(2021, 11, 11)),
        ("MongoDB 9.9", "MongoDB", "9.9", None),  # not in the table: not judged
    ],
)
def test_identify_database(text: str, engine: str, version: str, end: date | None) -> None:
    found = identify_database(text)
    assert found is not None and (found.engine, found.version, found.end_of_support) == (engine, version, end)


def test_no_database_named() -> None:
    assert identify_database("web frontend", None, "") is None


def test_every_flag_with_its_reason() -> None:
    flags = tech_debt("Windows Server 2008 R2", None, "powered_off", is_template=True, vm_hardware_version="vmx-08",
                      database_texts=("SQL Server 2012",), as_of=DAY)
    assert flags == ["os_end_of_life", "database_end_of_life", "old_vm_hardware", "powered_off", "template"]


def test_supported_machine_has_no_flags() -> None:
    assert tech_debt("Red Hat Enterprise Linux 9", "9", "powered_on", is_template=False, vm_hardware_version="19",
                     database_texts=("PostgreSQL 16",), as_of=DAY) == []


def test_database_support_is_judged_on_the_given_day() -> None:
    texts = ("SQL Server 2016",)
    assert "database_end_of_life" not in tech_debt(None, None, None, database_texts=texts, as_of=date(2026, 7, 14))
    assert "database_end_of_life" in tech_debt(None, None, None, database_texts=texts, as_of=date(2026, 7, 15))


def test_unknown_os_version_and_odd_hardware_text() -> None:
    assert tech_debt("Windows Server", None, None, vm_hardware_version="unknown") == ["os_support_unknown"]


def test_database_texts_include_custom_attributes() -> None:
    texts = database_texts("db-01", None, "Billing", {"Engine": "Oracle 12c"})
    assert identify_database(*texts).engine == "Oracle Database"
