"""The rules every value a person types is checked by (db.tenancy, cli.input_checks) and the planner's answer
to dates past the calendar's end: pure functions, no servers."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from cli.input_checks import checked_uuid, parsed_date
from db import tenancy
from db.tenancy import TenancyError
from domain.planning.model import PlanAsset, PlanSettings
from domain.planning.planner import plan_waves


@pytest.mark.parametrize("email", ["a@", "a@b@c", "a b@c.d", "a\n@c.d", "@b", "not-an-email", "a@b", "a@-b.c",
                                   "a..b@c.d", ".a@c.d", "a@c..d", "a@c.d\x00", "ä@c.d", "x" * 65 + "@c.d"])
def test_what_is_not_an_email_address_is_refused_with_the_form_to_write(email: str) -> None:
    with pytest.raises(TenancyError, match=r"is not an e-mail address: write NAME@DOMAIN"):
        tenancy.checked_email(email)


@pytest.mark.parametrize(("email", "stored"), [
    (" Alice@Example.COM ", "alice@example.com"),
    ("lead+dc-exit@acme.example", "lead+dc-exit@acme.example"),
    ("o'brien@mail.acme-corp.co.uk", "o'brien@mail.acme-corp.co.uk"),
])
def test_an_email_address_is_stored_stripped_and_lower_case(email: str, stored: str) -> None:
    assert tenancy.checked_email(email) == stored


@pytest.mark.parametrize(("name", "message"), [
    ("", "is empty: give 1 to 200 characters"),
    ("   ", "is empty"),
    ("x" * 201, "has 201 characters: at most 200"),
    ("W1\nW2", r"line break or control character \(U\+000A\)"),
    ("W1\tW2", r"U\+0009"),
    ("W1\x1b[31m", r"U\+001B"),
    ("W1\u2028W2", r"U\+2028"),
    ("abc\u202eW1", r"U\+202E"),
    ("dc/exit", "holds a '/', which separates client and engagement"),
])
def test_an_engagement_name_is_one_line_of_at_most_200_characters_without_a_slash(name: str, message: str) -> None:
    with pytest.raises(TenancyError, match=message):
        tenancy.checked_name("engagement name", name, reference=True)


def test_a_name_is_stripped_and_may_hold_any_printable_text() -> None:
    assert tenancy.checked_name("engagement name", "  DC exit — Zürich 2027 ✈ ") == "DC exit — Zürich 2027 ✈"
    assert tenancy.checked_name("display name", "A/B Team") == "A/B Team"  # not a reference: '/' is fine
    assert tenancy.checked_name("engagement name", "x" * 200) == "x" * 200


def test_a_client_name_needs_a_letter_or_digit_for_its_slug() -> None:
    assert tenancy.checked_client_name(" Acme Corp ") == "Acme Corp"
    with pytest.raises(TenancyError, match="needs at least one letter or digit"):
        tenancy.checked_client_name("---")
    with pytest.raises(TenancyError, match="holds a '/'"):
        tenancy.checked_client_name("Acme/Corp")


@pytest.mark.parametrize("hours", [1e12, 1e308, math.inf, -math.inf, math.nan, 0.00001, 0, -1, 720.01, 0.24])
def test_the_reminder_interval_is_a_quarter_hour_to_30_days(hours: float) -> None:
    with pytest.raises(TenancyError, match="the reminder interval is 0.25 to 720 hours"):
        tenancy.approval_policy([], hours)


def test_a_reminder_interval_within_bounds_is_stored_in_seconds() -> None:
    assert tenancy.approval_policy(["planning"], 0.25)["reminder_interval_seconds"] == 900
    assert tenancy.approval_policy([], 720)["reminder_interval_seconds"] == 720 * 3600


@pytest.mark.parametrize(("stored", "interval", "problem"), [
    (None, timedelta(hours=24), None),
    (28800, timedelta(hours=8), None),
    (3.6e15, timedelta(days=30), "outside 900 to 2.592e+06"),
    (0.036, timedelta(minutes=15), "outside"),
    (-5, timedelta(minutes=15), "outside"),
    ("soon", timedelta(hours=24), "'soon' is not a number"),
    (True, timedelta(hours=24), "is not a number"),
])
def test_a_stored_reminder_interval_is_held_within_the_bounds(stored, interval: timedelta, problem: str | None) -> None:
    held, said = tenancy.stored_reminder_interval(stored)
    assert held == interval
    assert said == problem if problem is None else problem in said


def test_the_start_date_is_within_ten_years_of_today() -> None:
    today = date(2026, 12, 6)
    assert tenancy.start_date_bounds(today) == (date(2016, 12, 6), date(2036, 12, 6))
    assert tenancy.start_date_bounds(date(2028, 2, 29)) == (date(2018, 2, 28), date(2038, 2, 28))
    assert tenancy.checked_start_date(date(2036, 12, 6), today) == date(2036, 12, 6)
    for day in (date(9999, 12, 31), date(1, 1, 1), date(2036, 12, 7), date(2016, 12, 5)):
        with pytest.raises(TenancyError, match="is more than 10 years from today: give one from 2016-12-06 to "
                                               "2036-12-06"):
            tenancy.checked_start_date(day, today)


@pytest.mark.parametrize("text", ["2027-02-30", "27-01-04", "2027-1-4", "20270104", "2027-W01-1", "tomorrow", ""])
def test_a_date_is_written_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date: write YYYY-MM-DD"):
        parsed_date(text)
    assert parsed_date(" 2027-01-04 ") == date(2027, 1, 4)


def test_a_fixed_tenant_id_is_a_uuid() -> None:
    assert checked_uuid("6F1C0B1E-8D2A-4C3B-9E5F-0A1B2C3D4E5F") == "6f1c0b1e-8d2a-4c3b-9e5f-0a1b2c3d4e5f"
    with pytest.raises(ValueError, match="'not-a-uuid' is not a UUID: write one like 6f1c"):
        checked_uuid("not-a-uuid")


def test_waves_past_the_calendars_last_day_are_refused_in_words() -> None:
    assets = [PlanAsset(id=f"a{n}", environment="production", criticality="medium") for n in range(4)]
    late = PlanSettings(start_date=date(2999, 12, 20), max_assets=1, pilot_size=0, wave_length_days=7)
    with pytest.raises(ValueError, match="wave 2 would end after 2999-12-31, the plan calendar's last day: the start "
                                         "date 2999-12-20 is too late"):
        plan_waves(assets, [], late)
    assert plan_waves(assets, [], late.model_copy(update={"start_date": date(1, 1, 1)})).waves[0].start_date \
        == date(1, 1, 1)
