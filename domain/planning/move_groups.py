"""Move groups: assets joined by hard dependencies, directly or through others, move together.

A move group is a connected component of the dependency graph (edge direction does not matter).
Union-find with path halving and union by size, iterative, so 100k assets and 300k edges take
well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence


def move_groups(asset_ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Connected components of `asset_ids` under `edges`, each sorted, largest group first.

    Groups are ordered by size (descending), then by their first id. Edges naming an id not in
    `asset_ids` are ignored here; callers report them. Repeated ids count once.
    """
    index = {asset_id: position for position, asset_id in enumerate(dict.fromkeys(asset_ids))}
    parent = list(range(len(index)))
    size = [1] * len(index)

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for source, target in edges:
        if source not in index or target not in index:
            continue
        a, b = root(index[source]), root(index[target])
        if a == b:
            continue
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]

    members: dict[int, list[str]] = {}
    for asset_id, position in index.items():
        members.setdefault(root(position), []).append(asset_id)
    groups = [sorted(group) for group in members.values()]
    groups.sort(key=lambda group: (-len(group), group[0]))
    return groups
