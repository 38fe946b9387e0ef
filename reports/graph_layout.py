"""A layered layout for the move-group graph: one column per wave, in wave order (groups in no wave
last), groups spread evenly down their column in the order given, alternately a little left and
right, and each column shifted a little up or down, differently from the others. Linear in the number of groups
and deterministic, so large plans draw fast and the same plan always draws the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

GOLDEN = 0.6180339887
STAGGER = 0.12  # alternate groups of a column sit this far left and right, so lines inside a column show


def layered_positions(waves: Sequence[int | None]) -> tuple[list[tuple[float, float]], list[int | None]]:
    """(x, y) per group (x: its column, y in 0..1) and the wave of each column."""
    columns = sorted(set(waves), key=lambda w: (w is None, w or 0))
    column_of = {wave: index for index, wave in enumerate(columns)}
    sizes = Counter(waves)
    seen = dict.fromkeys(columns, 0)
    positions = []
    for wave in waves:
        rank, size = seen[wave], sizes[wave]
        seen[wave] += 1
        offset = 0.0 if size == 1 else (STAGGER if rank % 2 else -STAGGER)
        column = column_of[wave]
        # columns are shifted by up to a quarter pitch, each differently (golden-ratio steps), so a line
        # between two columns does not run along a row of groups
        shift = ((column * GOLDEN) % 1 - 0.5) * 0.5 / size
        positions.append((column + offset, 1 - (rank + 0.5) / size + shift))
    return positions, columns
