"""Engagement planning settings: bad values end in one clear, non-retryable message."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from activities.planning import positive_setting


def test_a_missing_setting_takes_the_default() -> None:
    assert positive_setting({}, "wave_size", 50) == 50
    assert positive_setting({"wave_size": 12}, "wave_size", 50) == 12


@pytest.mark.parametrize("value", [0, -3, "ten", 2.5, True, None])
def test_a_bad_setting_is_final_bad_input(value: object) -> None:
    with pytest.raises(ApplicationError, match="wave_size must be a whole number of at least 1") as err:
        positive_setting({"wave_size": value}, "wave_size", 50)
    assert err.value.non_retryable and err.value.type == "BadInput"
