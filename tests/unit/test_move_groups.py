"""Move groups are the connected components of the dependency graph."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from domain.planning.move_groups import move_groups


def test_small_graph() -> None:
    assets = ["web1", "app1", "db1", "web2", "app2", "lonely", "dns"]
    edges = [("web1", "app1"), ("app1", "db1"), ("app2", "web2"), ("web2", "app2"), ("db1", "db1")]
    assert move_groups(assets, edges) == [["app1", "db1", "web1"], ["app2", "web2"], ["dns"], ["lonely"]]


def test_edges_to_unknown_assets_are_ignored() -> None:
    assert move_groups(["a", "b"], [("a", "ghost"), ("ghost", "b")]) == [["a"], ["b"]]


def test_repeated_ids_count_once_and_empty_input() -> None:
    assert move_groups(["a", "a", "b"], [("a", "b")]) == [["a", "b"]]
    assert move_groups([], []) == []


def test_long_chain_does_not_recurse() -> None:
    ids = [f"n{i:06d}" for i in range(100_000)]
    edges = list(itertools.pairwise(ids))
    [group] = move_groups(ids, edges)
    assert len(group) == 100_000


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    ids = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=3), unique=True, max_size=30))
    if not ids:
        return ids, []
    return ids, draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=40))


@given(_graphs())
def test_partition_properties(graph: tuple[list[str], list[tuple[str, str]]]) -> None:
    ids, edges = graph
    groups = move_groups(ids, edges)
    group_of = {asset: index for index, group in enumerate(groups) for asset in group}
    assert sorted(group_of) == sorted(ids)  # every asset in exactly one group
    assert sum(map(len, groups)) == len(ids)
    assert all(group_of[a] == group_of[b] for a, b in edges)  # every edge inside one group
    assert all(group == sorted(group) for group in groups)
    assert [(-len(g), g[0]) for g in groups] == sorted((-len(g), g[0]) for g in groups)
    assert move_groups(list(reversed(ids)), list(reversed(edges))) == groups  # order-independent
