"""The dated, sourced assumptions of the total cost of ownership model, and an engagement's overrides.

The bundled table (`domain/assessment/data/tco_assumptions_2026-10.json`) gives every assumption a value,
a unit, the date it holds for and its source (docs/business-case.md lists them). `TcoAssumptions` is the
typed view the cost model reads: its fields are the table's keys, with the bounds a value must keep.
An engagement overrides some of them (`engagements.business_case`, a JSON object of key -> value);
`resolve` applies the overrides over the table and validates the result, so a bad key or value is one
ValueError naming the key and what it allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.assessment.price_table import parse_json_table

BUNDLED_ASSUMPTIONS = "tco_assumptions_2026-10.json"
PricingTerm = Literal["payg", "1y", "3y"]
PRICING_TERMS: dict[str, str] = {"payg": "pay-as-you-go", "1y": "1-year commitment", "3y": "3-year commitment"}

_Share = Field(ge=0, le=1)
MAX_PRICE = 10_000_000.0  # any price, wage or rate: far above every real one, far below what overflows a sum
_Price = Field(ge=0, le=MAX_PRICE)
_Years = Field(ge=1, le=20)


class TcoAssumptions(BaseModel):
    """The values the cost model reads (units and sources: the bundled table); never infinite (JSON has no
    Infinity) nor NaN."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    hardware_price_per_core: float = _Price
    hardware_price_per_memory_gb: float = _Price
    hardware_refresh_years: int = _Years
    vcpus_per_core: float = Field(gt=0, le=32)
    storage_price_per_gb: float = _Price
    storage_refresh_years: int = _Years
    storage_maintenance_rate: float = _Share
    backup_per_server_year: float = _Price
    network_share: float = _Share
    network_refresh_years: int = _Years
    network_maintenance_rate: float = _Share
    watts_per_core: float = _Price
    pue: float = Field(ge=1, le=4)
    electricity_price_kwh: float = _Price
    facility_unused_capacity: float = Field(ge=0, lt=1)
    colocation_price_per_kw_month: float = _Price
    windows_price_per_core: float = _Price
    linux_subscription_year: float = _Price
    linux_vms_per_subscription: int = Field(ge=1)
    sql_server_price_per_core: float = _Price
    oracle_price_per_core: float = _Price
    licence_amortisation_years: int = _Years
    microsoft_support_rate: float = _Share
    oracle_support_rate: float = _Share
    virtualisation_price_per_core_year: float = _Price
    admin_salary_year: float = _Price
    labour_overhead: float = Field(ge=1, le=5)
    physical_servers_per_admin: int = Field(ge=1)
    virtual_machines_per_admin: int = Field(ge=1)
    cloud_pricing_term: PricingTerm
    cloud_discount_1y: float = Field(ge=0, lt=1)
    cloud_discount_3y: float = Field(ge=0, lt=1)
    byol: bool
    cloud_backup_gb_month: float = _Price
    cloud_network_share: float = _Share
    cloud_sql_server_per_vcpu_month: float = _Price
    managed_database_multiplier: float = Field(ge=1, le=10)
    horizon_years: int = _Years

    @property
    def term_discount(self) -> float:
        """The share off on-demand compute of the pricing term."""
        return {"payg": 0.0, "1y": self.cloud_discount_1y, "3y": self.cloud_discount_3y}[self.cloud_pricing_term]


class Assumption(BaseModel):
    """One entry of the table: its value, unit, the date it holds for and where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: bool | int | float | str
    unit: str = Field(min_length=1)
    as_of: date
    source: str = Field(min_length=1)


class AssumptionTable(BaseModel):
    """The bundled table: every key of TcoAssumptions, each with a valid value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    as_of: date
    assumptions: dict[str, Assumption]

    @model_validator(mode="after")
    def _complete_and_valid(self) -> AssumptionTable:
        keys, fields = set(self.assumptions), set(TcoAssumptions.model_fields)
        if keys != fields:
            missing, unknown = sorted(fields - keys), sorted(keys - fields)
            raise ValueError(f"missing: {', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'}")
        TcoAssumptions.model_validate(self.defaults())
        return self

    def defaults(self) -> dict[str, Any]:
        return {key: entry.value for key, entry in self.assumptions.items()}


class AssumptionRow(BaseModel):
    """An assumption as an engagement uses it: the table's entry and the engagement's value."""

    model_config = ConfigDict(frozen=True)

    key: str
    value: bool | int | float | str
    default: bool | int | float | str
    unit: str
    as_of: date
    source: str
    overridden: bool


def parse_assumption_table(text: str, origin: str) -> AssumptionTable:
    """The assumption table in JSON `text`; ValueError naming `origin` and the fault otherwise."""
    return parse_json_table(AssumptionTable, text, origin, "an assumption table")


@cache
def bundled_assumptions() -> AssumptionTable:
    """The assumption table shipped with the package (read once)."""
    text = (files("domain.assessment") / "data" / BUNDLED_ASSUMPTIONS).read_text()
    return parse_assumption_table(text, BUNDLED_ASSUMPTIONS)


def resolve(overrides: Mapping[str, Any] | None, table: AssumptionTable | None = None) -> TcoAssumptions:
    """The table's values with an engagement's `overrides`; ValueError naming the first bad key otherwise."""
    table = table or bundled_assumptions()
    overrides = dict(overrides or {})
    for key in overrides:
        if key not in TcoAssumptions.model_fields:
            raise ValueError(f"unknown assumption {key!r}; `costs assumptions show` lists them")
    try:
        return TcoAssumptions.model_validate({**table.defaults(), **overrides})
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{key}: {first['msg']} (got {first['input']!r}); allowed: {allowed(key)}") from None


def allowed(key: str) -> str:
    """What an assumption takes, as a person reads it: `number >= 1`, `one of payg, 1y, 3y`."""
    field = TcoAssumptions.model_fields[key]
    annotation = field.annotation
    if annotation is bool:
        return "true or false"
    if getattr(annotation, "__origin__", None) is Literal:
        return "one of " + ", ".join(annotation.__args__)
    kind = "whole number" if annotation is int else "number"
    bounds = [f"{sign} {getattr(m, name):g}" for m in field.metadata
              for name, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")) if hasattr(m, name)]
    return " ".join([kind, " and ".join(bounds)]).strip()


def parse_assignments(texts: Iterable[str], current: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides after `key=value` assignments over `current` (`key=` drops the override); each value
    is checked with the others, so a bad one raises ValueError in one line naming the key."""
    changed = dict(current)
    given: set[str] = set()
    for text in texts:
        key, sep, raw = text.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            raise ValueError(f"{text!r}: give assumptions as key=value (key= goes back to the default)")
        if key not in TcoAssumptions.model_fields:
            raise ValueError(f"unknown assumption {key!r}; `costs assumptions show` lists them")
        if key in given:  # which of the two was meant is a guess
            raise ValueError(f"{key} is given twice")
        given.add(key)
        if raw:
            changed[key] = raw
        else:
            changed.pop(key, None)
    typed = resolve(changed)
    return {key: getattr(typed, key) for key in changed}


def assumption_rows(overrides: Mapping[str, Any] | None, table: AssumptionTable | None = None) -> list[AssumptionRow]:
    """Every assumption with the engagement's value and whether the engagement overrode it."""
    table = table or bundled_assumptions()
    used = resolve(overrides, table)
    overrides = overrides or {}
    return [AssumptionRow(key=key, value=getattr(used, key), default=entry.value, unit=entry.unit,
                          as_of=entry.as_of, source=entry.source, overridden=key in overrides)
            for key, entry in table.assumptions.items()]
