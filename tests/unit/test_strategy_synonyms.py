"""Strategy spellings from inputs map onto the canonical list; undecided words are None; others fail."""

from __future__ import annotations

import pytest

from domain.assessment.strategy_synonyms import STRATEGY_ALIASES, canonical_strategy
from domain.vocabulary import SIX_R_STRATEGIES


@pytest.mark.parametrize(
    ("text", "strategy"),
    [
        ("Rearchitect", "refactor"),
        ("re-architect", "refactor"),
        ("Replace", "repurchase"),
        ("Drop & Shop", "repurchase"),
        ("rebuild", "rewrite"),
        ("Lift and Shift", "rehost"),
        ("lift & shift", "rehost"),
        ("Lift-and-Shift", "rehost"),
        ("move", "relocate"),
        ("Decommission", "retire"),
        ("keep", "retain"),
        ("RE-PLATFORM", "replatform"),
        (" Relocate ", "relocate"),
        ("rewrite", "rewrite"),
    ],
)
def test_synonyms_map_onto_the_canonical_list(text: str, strategy: str) -> None:
    assert canonical_strategy(text) == strategy


@pytest.mark.parametrize("text", ["TBC", "tbd", "Unknown", "to be confirmed", "N/A", "-", "", "pending"])
def test_undecided_words_mean_no_strategy(text: str) -> None:
    assert canonical_strategy(text) is None


def test_every_canonical_strategy_is_its_own_spelling() -> None:
    assert [canonical_strategy(strategy) for strategy in SIX_R_STRATEGIES] == list(SIX_R_STRATEGIES)
    assert set(STRATEGY_ALIASES.values()) == set(SIX_R_STRATEGIES)


def test_text_that_is_no_strategy_fails_with_the_canonical_list() -> None:
    with pytest.raises(ValueError, match=r"'rehots' is not a migration strategy; use one of rehost, .*rewrite or TBC"):
        canonical_strategy("rehots")
