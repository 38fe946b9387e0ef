"""Guessed mappings are tried on the column's values; those that do not fit are withdrawn."""

from __future__ import annotations

from domain.discovery.field_mapping import MappingSuggestion
from domain.discovery.mapping_checks import check_guesses, value_fit


def _guess(column: str, target: str, confidence: float = 0.83) -> MappingSuggestion:
    return MappingSuggestion(source_field=column, target_field=target, confidence=confidence, source="synonym",
                             reason=f"{column!r} resembles {target}")


def test_instance_types_are_no_asset_type() -> None:
    [checked] = check_guesses([_guess("instanceType", "asset_type")], {"instanceType": ["m5.large", "t3.micro"]})
    assert checked.target_field is None
    assert "withdrawn: only 0% of its sampled values read as asset_type" in checked.reason
    assert "'instanceType' resembles asset_type" in checked.reason


def test_type_words_and_class_names_fit_asset_type_even_where_they_become_other() -> None:
    assert value_fit(_guess("CI Kind", "asset_type"), ["cmdb_ci_ip_switch", "cmdb_ci_ups", "VM", "m5.large"]) == 0.75


def test_wave_names_are_no_hostnames_but_real_hostnames_are() -> None:
    assert value_fit(_guess("wave_name", "hostname"), ["Wave 1", "Wave 2"]) == 0.0
    assert value_fit(_guess("Srv", "hostname"), ["web-01", "db01.corp.example.com", "N/A", ""]) == 1.0
    assert value_fit(_guess("Binary Group", "fqdn"), ["org.acme:billing", "web01.corp.example.com"]) == 0.5


def test_fitting_guesses_and_confident_suggestions_stay() -> None:
    fitting = _guess("Env Type", "environment")
    exact = _guess("environment", "environment", confidence=1.0)
    checked = check_guesses([fitting, exact], {"Env Type": ["PRD", "dev", "UAT", "prod", "test"],
                                               "environment": ["nonsense"]})
    assert checked == [fitting, exact]  # exact names are never second-guessed


def test_no_sample_keeps_the_guess() -> None:
    guess = _guess("Cores?", "cpu_cores")
    assert check_guesses([guess], {}) == [guess]
    assert value_fit(guess, ["", " ", "N/A"]) is None


def test_mostly_fitting_values_keep_the_guess() -> None:
    guess = _guess("vCPU count", "cpu_cores")
    values = ["2", "4", "8", "16", "4", "2", "8", "4", "x", "2"]  # 90% whole numbers
    assert check_guesses([guess], {"vCPU count": values}) == [guess]


def test_repeated_values_identify_nothing() -> None:
    assert value_fit(_guess("wave_name", "hostname"), ["Wave1", "Wave1", "Wave1", "Wave2"]) == 0.0
    assert value_fit(_guess("Binary Group", "fqdn"), ["corp.acme.demo"] * 3 + ["web.acme.demo"]) == 0.0
    assert value_fit(_guess("Site", "location"), ["London"] * 4) == 1.0  # not identifying: repeats are fine


def test_flags_and_cpu_families_contradict_names_whatever_the_confidence() -> None:
    srm = _guess("SRM Placeholder", "hostname", confidence=0.9)
    evc = _guess("min Required EVC Mode Key", "hostname", confidence=1.0)
    family = _guess("CPU Compat", "host_name")
    checked = check_guesses([srm, evc, family], {
        "SRM Placeholder": ["False", "False", "True", "False"],
        "min Required EVC Mode Key": ["intel-broadwell", "intel-cascadelake", "amd-zen2", "N/A"],
        "CPU Compat": ["Intel Skylake Generation", "Intel Ivy Bridge Generation"],
    })
    assert [c.target_field for c in checked] == [None, None, None]
    assert "withdrawn: 100% of its sampled values are yes/no flags or CPU families, not hostname values" \
        in checked[0].reason


def test_names_that_merely_start_like_a_cpu_vendor_are_names() -> None:
    guess = _guess("Srv", "hostname")
    values = ["intel-build-01", "amd-lab-02", "web01", "db01", "app01"]
    assert check_guesses([guess], {"Srv": values}) == [guess]


def test_a_few_flag_like_names_do_not_contradict() -> None:
    exact = _guess("hostname", "hostname", confidence=1.0)
    assert check_guesses([exact], {"hostname": ["web01", "db01", "app01", "y", "batch01"]}) == [exact]


def test_flags_do_not_contradict_a_flag_target() -> None:
    guess = _guess("SRM Placeholder", "is_virtual")
    assert check_guesses([guess], {"SRM Placeholder": ["True", "False"]}) == [guess]
