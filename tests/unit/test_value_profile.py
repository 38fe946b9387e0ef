"""Value profiles of column samples, and the targets they suggest for headers that said nothing."""

from __future__ import annotations

import pytest

from domain.discovery.value_profile import (
    MAX_PROFILE_CONFIDENCE,
    profile_signature,
    profile_values,
    suggest_from_profile,
)


@pytest.mark.parametrize(
    ("values", "kind", "share"),
    [
        (["10.0.0.1", "10.0.0.2", "web01"], "ipv4", 2 / 3),
        (["fe80::1", "2001:db8::5"], "ipv6", 1.0),
        (["10.0.0.1; 10.0.0.2", "10.0.0.3, fe80::1", "10.0.0.4"], "ip_list", 2 / 3),
        (["00:50:56:aa:bb:cc", "00-50-56-AA-BB-CD", "0050.56aa.bbce", "00:50:56:aa:bb"], "mac", 3 / 4),
        (["16 GB", "512 MiB", "2TB", "16"], "size", 3 / 4),
        (["4", "1,024", "-3", "2.5"], "integer", 3 / 4),
        (["2.5", ".5", "4"], "decimal", 2 / 3),
        (["40.2%", "78 %", "12"], "percent", 2 / 3),
        (["Windows Server 2019", "RHEL 8", "Ubuntu 22.04", "Favourite colour"], "os", 3 / 4),
        (["2024-01-05", "31/12/2023", "2023-06-30T10:00:00Z", "31/31/2023"], "date", 3 / 4),
        (["45123", "20000", "19999", "60001"], "excel_serial", 2 / 4),
        (["Y", "n", "True", "maybe"], "boolean", 3 / 4),
        (["Virtual", "physical", "Y"], "virtual_word", 2 / 3),
        (["web01.corp.example.com", "app.example.org", "web01", "10.0.0.1"], "fqdn", 2 / 4),
        (["web-prd-01", "dns01", "Production", "10.0.0.1"], "hostname", 2 / 4),
        (["a.patel@example.com", "Jo Bloggs <jo@example.org>", "jo at example"], "email", 2 / 3),
        (["4212a3b4-1c2d-3e4f-5a6b-7c8d9e0f1a2b", "{4212A3B4-1C2D-3E4F-5A6B-7C8D9E0F1A2B}", "42"], "uuid", 2 / 3),
        (["Prod", "DEV", "uat", "somewhere"], "environment", 3 / 4),
        (["Tier 1", "High", "Mission Critical", "1"], "criticality", 3 / 4),
        (["poweredOn", "poweredOff", "Running", "blue"], "power_state", 3 / 4),
        (["VM", "Database", "Load Balancer", "Virtual"], "asset_type", 3 / 4),
    ],
)
def test_share_of_each_kind(values: list[str], kind: str, share: float) -> None:
    assert profile_values(values).share(kind) == pytest.approx(share)


def test_addresses_numbers_and_dates_are_not_hostnames() -> None:
    uuid = "4212a3b4-1c2d-3e4f-5a6b-7c8d9e0f1a2b"
    profile = profile_values(["10.0.0.1", "00-50-56-aa-bb-cc", "2024-01-05", "8GB", uuid])
    assert profile.share("hostname") == 0.0 and profile.share("fqdn") == 0.0


def test_placeholders_and_none_count_as_empty() -> None:
    profile = profile_values(["N/A", "-", "", "unknown", "10.0.0.1"])
    assert (profile.sampled, profile.non_empty, profile.empty_share) == (5, 1, pytest.approx(0.8))
    assert profile.share("ipv4") == 1.0


def test_number_range_and_size_median() -> None:
    profile = profile_values(["4", "64", "2", "16 GB", "1 TB", "512 MB"])
    assert profile.number_range == (2.0, 64.0)
    assert profile.size_median_gb == 16.0


def test_empty_sample() -> None:
    profile = profile_values([])
    assert (profile.non_empty, profile.empty_share, profile.shares) == (0, 1.0, {})
    assert suggest_from_profile(profile) == []


@pytest.mark.parametrize(
    ("values", "target"),
    [
        (["00:50:56:aa:bb:01", "00:50:56:aa:bb:02", "00:50:56:aa:bb:03", "00:50:56:aa:bb:04", "00:50:56:aa:bb:05"],
         "mac_address"),
        (["10.0.0.1", "10.0.0.2;10.0.1.2", "fe80::1", "10.0.0.4", "10.0.0.5"], "ip_address"),
        (["Windows Server 2019", "RHEL 8", "Ubuntu 22.04", "win2016", "CentOS 7"], "operating_system"),
        (["web01.corp.example.com", "db02.corp.example.com", "app.example.org", "x.example.com", "y.example.com"],
         "fqdn"),
        (["Prod", "DEV", "uat", "prd", "Test"], "environment"),
        (["poweredOn", "poweredOff", "Running", "Stopped", "poweredOn"], "power_state"),
        (["Tier 1", "High", "Mission Critical", "low", "Medium"], "business_criticality"),
        (["4212a3b4-1c2d-3e4f-5a6b-7c8d9e0f1a2b"] * 5, "external_id"),
        (["web-prd-01", "db02", "app03", "dns01", "mail-01"], "hostname"),
        (["a.patel@example.com", "jo@example.org", "x@example.com", "z@example.com", "q@example.com"],
         "business_owner"),
        (["Virtual", "Physical", "virtual", "Virtual", "Virtual"], "is_virtual"),
        (["Y", "N", "Yes", "no", "true"], "is_virtual"),
        (["16 GB", "512 MiB", "8GB", "32 GB", "4 GB"], "memory_gb"),
        (["500 GB", "2 TB", "1.5 TiB", "800 GB", "1000 GB"], "storage_gb"),
    ],
)
def test_dominant_kind_suggests_its_target(values: list[str], target: str) -> None:
    suggestions = suggest_from_profile(profile_values(values))
    best, confidence, reason = suggestions[0]
    assert best == target
    assert 0.0 < confidence <= MAX_PROFILE_CONFIDENCE
    assert reason.startswith("100% of 5 sample values are ")


@pytest.mark.parametrize(
    "values",
    [
        ["2024-01-05", "31/12/2023", "2023-06-30", "2023-07-01", "2023-07-02"],  # dates: no date column
        ["4", "8", "16", "2", "4"],  # plain integers: cores? disks? sockets? not guessed
        ["40.2%", "78%", "12 %", "5%", "99.9%"],  # which of four utilisations is unknowable
        ["blue", "green", "red", "blue", "teal"],
        ["Prod", "blue", "green", "red", "teal"],  # one environment word in five is not enough
    ],
)
def test_no_suggestion_without_a_clear_signal(values: list[str]) -> None:
    assert suggest_from_profile(profile_values(values)) == []


def test_small_samples_give_less_confidence() -> None:
    [(_, small, _)] = suggest_from_profile(profile_values(["00:50:56:aa:bb:01"]))
    [(_, full, _)] = suggest_from_profile(profile_values(["00:50:56:aa:bb:01"] * 5))
    assert small == pytest.approx(full / 5)
    assert full == MAX_PROFILE_CONFIDENCE


def test_profile_signature_is_compact_and_stable() -> None:
    profile = profile_values(["10.0.0.1", "10.0.0.2", "", "4"])
    assert profile_signature(profile) == "n=4 empty=0.25 ipv4=0.67 integer=0.33 num=4..4"
    assert profile_signature(profile_values(["10.0.0.2", "10.0.0.1", "4", ""])) == profile_signature(profile)
