"""Database engines named in inventory text, and the end of their vendors' support, by date.

Dates are the vendors' published end of (extended) support for each major version, as of the
table's date `CATALOGUE_DATE`; a version not listed is not judged. Text is searched in the
asset's name, description, application and custom attributes, so `SQL Server 2012 Standard`,
`Oracle 11g`, `mysql-5.7` or `PostgreSQL 11` are recognised wherever an export put them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CATALOGUE_DATE = date(2026, 10, 1)


@dataclass(frozen=True)
class DatabaseIdentity:
    engine: str
    version: str
    end_of_support: date | None  # None: this version is not in the table


_ENGINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("SQL Server", re.compile(r"\b(?:ms\s*)?sql\s*server\s*(\d{4})\b")),
    ("Oracle Database", re.compile(r"\boracle(?:\s*database)?\s*(\d{1,2})\s*[cgi]?\b")),
    ("MySQL", re.compile(r"\bmysql[\s\-_]*(\d\.\d)\b")),
    ("PostgreSQL", re.compile(r"\b(?:postgresql|postgres)[\s\-_]*(\d{1,2}(?:\.\d)?)\b")),
    ("MongoDB", re.compile(r"\bmongo(?:db)?[\s\-_]*(\d\.\d)\b")),
    ("Db2", re.compile(r"\bdb2[\s\-_]*(?:v)?(\d{1,2}\.\d)\b")),
)

_END_OF_SUPPORT: dict[str, dict[str, date]] = {
    "SQL Server": {"2008": date(2019, 7, 9), "2012": date(2022, 7, 12), "2014": date(2024, 7, 9),
                   "2016": date(2026, 7, 14), "2017": date(2027, 10, 12), "2019": date(2030, 1, 8),
                   "2022": date(2033, 1, 11)},
    "Oracle Database": {"10": date(2013, 7, 31), "11": date(2020, 12, 31), "12": date(2022, 3, 31),
                        "18": date(2021, 6, 30), "19": date(2029, 12, 31), "21": date(2027, 7, 31)},
    "MySQL": {"5.5": date(2018, 12, 31), "5.6": date(2021, 2, 28), "5.7": date(2023, 10, 31),
              "8.0": date(2026, 4, 30)},
    "PostgreSQL": {"9.6": date(2021, 11, 11), "10": date(2022, 11, 10), "11": date(2023, 11, 9),
                   "12": date(2024, 11, 21), "13": date(2025, 11, 13), "14": date(2026, 11, 12),
                   "15": date(2027, 11, 11), "16": date(2028, 11, 9)},
    "MongoDB": {"3.6": date(2021, 4, 30), "4.0": date(2022, 4, 30), "4.2": date(2023, 4, 30),
                "4.4": date(2024, 2, 29), "5.0": date(2024, 10, 31), "6.0": date(2025, 7, 31)},
    "Db2": {"10.5": date(2020, 4, 30), "11.1": date(2023, 4, 30), "11.5": date(2027, 4, 30)},
}


def identify_database(*texts: str | None) -> DatabaseIdentity | None:
    """The first database engine and major version named in the texts, or None."""
    for text in texts:
        if not text:
            continue
        lowered = text.casefold()
        for engine, pattern in _ENGINES:
            match = pattern.search(lowered)
            if match:
                version = match.group(1)
                if engine == "PostgreSQL" and not version.startswith("9."):
                    version = version.split(".")[0]
                return DatabaseIdentity(engine, version, _END_OF_SUPPORT[engine].get(version))
    return None
