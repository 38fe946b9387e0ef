"""Waves from move groups: first-fit decreasing, groups never split, oversized groups noted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.wave_packing import PlannedWave, pack_waves


def test_first_fit_decreasing() -> None:
    groups = [["a1", "a2", "a3"], ["b1"], ["c1", "c2"], ["d1", "d2", "d3", "d4"], ["e1"]]
    waves = pack_waves(groups, max_assets_per_wave=5)
    # Placed largest first: d (4) -> wave 1, a (3) -> wave 2, c (2) -> wave 2, b (1) -> wave 1, e (1) -> wave 3.
    assert waves == [
        PlannedWave(wave_number=1, asset_ids=["b1", "d1", "d2", "d3", "d4"], group_indexes=[1, 3], notes=[]),
        PlannedWave(wave_number=2, asset_ids=["a1", "a2", "a3", "c1", "c2"], group_indexes=[0, 2], notes=[]),
        PlannedWave(wave_number=3, asset_ids=["e1"], group_indexes=[4], notes=[]),
    ]


def test_group_over_the_cap_gets_its_own_wave_with_a_note() -> None:
    waves = pack_waves([["s1"], [f"big{i}" for i in range(7)], ["s2"]], max_assets_per_wave=3)
    assert waves[0].group_indexes == [1] and len(waves[0].asset_ids) == 7
    assert waves[0].notes == ["move group of 7 assets exceeds the cap of 3"]
    assert [w.group_indexes for w in waves[1:]] == [[0, 2]]
    assert waves[1].notes == []


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        pack_waves([["a"]], 0)
    with pytest.raises(ValueError, match="empty"):
        pack_waves([["a"], []], 2)
    with pytest.raises(ValueError, match="move groups 0 and 1"):
        pack_waves([["a"], ["a"]], 2)


def test_no_groups_no_waves() -> None:
    assert pack_waves([], 10) == []


def test_many_small_groups_pack_quickly() -> None:
    groups = [[f"a{i}"] for i in range(100_000)]
    waves = pack_waves(groups, max_assets_per_wave=50)
    assert len(waves) == 2_000 and all(len(w.asset_ids) == 50 for w in waves)


_GROUPS = st.lists(st.integers(min_value=1, max_value=12), max_size=25).map(
    lambda sizes: [[f"g{g}-{i}" for i in range(size)] for g, size in enumerate(sizes)]
)


@given(_GROUPS, st.integers(min_value=1, max_value=15))
def test_packing_properties(groups: list[list[str]], cap: int) -> None:
    waves = pack_waves(groups, cap)
    assert [w.wave_number for w in waves] == list(range(1, len(waves) + 1))
    placed = [index for wave in waves for index in wave.group_indexes]
    assert sorted(placed) == list(range(len(groups)))  # every group once, whole
    assets = [asset for wave in waves for asset in wave.asset_ids]
    assert sorted(assets) == sorted(asset for group in groups for asset in group)  # every asset exactly once
    for wave in waves:
        assert wave.asset_ids == [asset for index in wave.group_indexes for asset in groups[index]]
        oversized = len(wave.asset_ids) > cap
        assert oversized == bool(wave.notes)
        if oversized:
            assert len(wave.group_indexes) == 1
    assert pack_waves(groups, cap) == waves
