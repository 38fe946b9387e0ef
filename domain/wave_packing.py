"""Cut move groups into migration waves of at most a given number of assets, never splitting a group.

First-fit decreasing: groups are placed largest first (ties: lower group index first), each into
the earliest wave with room, or a new wave. A group larger than the cap gets a wave of its own
with a note saying so: hard dependencies stay together even when that breaks the cap. A max-tree
over the waves' free room finds the earliest fitting wave in O(log waves).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class PlannedWave(BaseModel):
    """One wave: its number (from 1), its assets, the move groups they come from, and notes."""

    model_config = ConfigDict(frozen=True)

    wave_number: int
    asset_ids: list[str]
    group_indexes: list[int]
    notes: list[str]


class _FreeRoom:
    """Free room per wave slot (all start at `capacity`); finds the leftmost slot with enough room."""

    def __init__(self, slots: int, capacity: int) -> None:
        self._leaves = 1
        while self._leaves < slots:
            self._leaves *= 2
        self._tree = [capacity] * (2 * self._leaves)

    def leftmost_fitting(self, need: int) -> int:
        node = 1
        while node < self._leaves:
            node = 2 * node if self._tree[2 * node] >= need else 2 * node + 1
        return node - self._leaves

    def take(self, slot: int, amount: int) -> None:
        node = slot + self._leaves
        self._tree[node] -= amount
        node //= 2
        while node:
            self._tree[node] = max(self._tree[2 * node], self._tree[2 * node + 1])
            node //= 2


def _check_groups(groups: Sequence[Sequence[str]]) -> None:
    seen: dict[str, int] = {}
    for group_index, group in enumerate(groups):
        if not group:
            raise ValueError(f"move group {group_index} is empty")
        for asset_id in group:
            if seen.setdefault(asset_id, group_index) != group_index:
                raise ValueError(f"asset {asset_id!r} is in move groups {seen[asset_id]} and {group_index}")


def pack_waves(groups: Sequence[Sequence[str]], max_assets_per_wave: int) -> list[PlannedWave]:
    """Waves holding every group whole, at most `max_assets_per_wave` assets each unless one group is bigger."""
    if max_assets_per_wave < 1:
        raise ValueError("max_assets_per_wave must be at least 1")
    _check_groups(groups)
    order = sorted(range(len(groups)), key=lambda group_index: (-len(groups[group_index]), group_index))
    room = _FreeRoom(len(groups), max_assets_per_wave)
    placed: list[list[int]] = []
    notes: list[list[str]] = []
    for group_index in order:
        size = len(groups[group_index])
        oversized = size > max_assets_per_wave
        slot = len(placed) if oversized else room.leftmost_fitting(size)
        if slot == len(placed):
            placed.append([])
            notes.append([])
        placed[slot].append(group_index)
        room.take(slot, max_assets_per_wave if oversized else size)
        if oversized:
            notes[slot].append(f"move group of {size} assets exceeds the cap of {max_assets_per_wave}")
    return [
        PlannedWave(
            wave_number=slot + 1,
            asset_ids=[asset_id for group_index in sorted(indexes) for asset_id in groups[group_index]],
            group_indexes=sorted(indexes),
            notes=notes[slot],
        )
        for slot, indexes in enumerate(placed)
    ]
