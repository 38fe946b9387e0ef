"""A dated cloud price table: the instance types right-sizing chooses from, and storage and licence prices.

The bundled table (`domain/assessment/data/cloud_prices_2026-10.json`) holds on-demand list prices of one
provider and region; every estimate records the table's provider, region and date, so a number can
always be traced to the prices it used. Another table (a client's region, negotiated rates) is
the same JSON, read by the caller and given to `parse_price_table`:

    {"provider": "aws", "region": "eu-central-1", "currency": "EUR", "as_of": "2026-10-01",
     "source": "...", "hours_per_month": 730, "storage_gb_month": 0.095, "windows_vcpu_month": 33.58,
     "instances": [{"name": "m6i.large", "vcpu": 2, "memory_gb": 8, "hourly": 0.115}, ...]}

An instance costs `hourly x hours_per_month` a month. The smallest instance that fits a need is the
cheapest one with at least the needed vCPUs and memory; equal prices go to fewer vCPUs, then less
memory, then the name.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib.resources import files
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Table = TypeVar("Table", bound=BaseModel)

BUNDLED_PRICE_TABLE = "cloud_prices_2026-10.json"


class InstanceType(BaseModel):
    """One instance type: its size and on-demand hourly price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    vcpu: int = Field(gt=0)
    memory_gb: float = Field(gt=0)
    hourly: float = Field(ge=0)


class PriceTable(BaseModel):
    """Prices of one provider and region as of one date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str = Field(min_length=1)
    region: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    as_of: date
    source: str
    hours_per_month: float = Field(gt=0)
    storage_gb_month: float = Field(ge=0)
    windows_vcpu_month: float = Field(ge=0)
    instances: tuple[InstanceType, ...] = Field(min_length=1)

    @field_validator("instances")
    @classmethod
    def _unique_names(cls, instances: tuple[InstanceType, ...]) -> tuple[InstanceType, ...]:
        names = [instance.name for instance in instances]
        if twice := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"instance types listed twice: {', '.join(twice)}")
        return instances

    @property
    def label(self) -> str:
        """`'aws us-east-1, prices as of 2026-10-01'`."""
        return f"{self.provider} {self.region}, prices as of {self.as_of.isoformat()}"

    def monthly(self, instance: InstanceType) -> float:
        return round(instance.hourly * self.hours_per_month, 2)

    def smallest_fitting(self, vcpu: float, memory_gb: float) -> InstanceType | None:
        """The cheapest instance with at least `vcpu` vCPUs and `memory_gb` memory, or None if none is that big."""
        fitting = [i for i in self.instances if i.vcpu >= vcpu and i.memory_gb >= memory_gb]
        return min(fitting, key=lambda i: (i.hourly, i.vcpu, i.memory_gb, i.name), default=None)


def parse_price_table(text: str, origin: str) -> PriceTable:
    """The price table in JSON `text`; ValueError naming `origin` (a file name) and the fault otherwise."""
    return parse_json_table(PriceTable, text, origin, "a price table")


def parse_json_table(model: type[Table], text: str, origin: str, what: str) -> Table:
    """`model` read from JSON `text`; ValueError naming `origin`, `what` it should be and every fault otherwise."""
    try:
        return model.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise ValueError(f"{origin}: not JSON ({error})") from None
    except ValidationError as error:
        faults = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'table'}: {e['msg']}" for e in error.errors())
        raise ValueError(f"{origin}: not {what} ({faults})") from None


@cache
def bundled_price_table() -> PriceTable:
    """The price table shipped with the package (read once)."""
    return parse_price_table((files("domain.assessment") / "data" / BUNDLED_PRICE_TABLE).read_text(), BUNDLED_PRICE_TABLE)
