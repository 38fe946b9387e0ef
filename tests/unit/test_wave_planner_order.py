"""Ordering between move groups: strongly connected components and the order inside a cycle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.planning.order import order_groups, order_within_cycle, strongly_connected
from domain.planning.shared_services import is_shared_service_tag, move_group_name


def test_cycles_are_the_components_of_more_than_one_group() -> None:
    # (dependent, prerequisite): 1 -> 2 -> 3 -> 1 is a circle, 4 depends on it, 0 and 5 stand alone, 6 <-> 7.
    order = order_groups(8, [(1, 2), (2, 3), (3, 1), (4, 1), (6, 7), (7, 6)])
    assert order.cycles == [[1, 2, 3], [6, 7]]
    assert len({order.component[g] for g in (1, 2, 3)}) == 1
    assert len(set(order.component)) == 5


def test_a_long_chain_does_not_recurse() -> None:
    successors = [[i + 1] for i in range(199_999)] + [[0]]
    assert set(strongly_connected(successors)) == {0}


def test_the_order_inside_a_cycle_breaks_only_the_back_edge() -> None:
    # A chain 0 <- 1 <- 2 <- 3 (each depends on the one before) closed by 0 depending on 3; 4 and 5 hang on 0.
    edges = [(1, 0), (2, 1), (3, 2), (0, 3), (4, 0), (5, 0)]
    ordered = order_within_cycle([0, 1, 2, 3, 4, 5], edges)
    position = {member: index for index, member in enumerate(ordered)}
    broken = [(d, p) for d, p in edges if position[p] > position[d]]
    assert broken == [(0, 3)]  # 0 has the most dependents and one prerequisite: it goes first


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda e: e[0] != e[1]), max_size=30))
def test_components_agree_with_reachability(edges: list[tuple[int, int]]) -> None:
    order = order_groups(10, edges)
    reach = [{g} for g in range(10)]
    for _ in range(10):  # prerequisite -> dependent, closed transitively (small graphs only)
        for dependent, prerequisite in edges:
            reach[prerequisite] |= reach[dependent]
    for a in range(10):
        for b in range(10):
            assert (order.component[a] == order.component[b]) == (b in reach[a] and a in reach[b])
    inside = order_within_cycle(list(range(10)), sorted(set(edges)))
    assert sorted(inside) == list(range(10))


def test_shared_service_tags_and_group_names() -> None:
    assert all(map(is_shared_service_tag, ["shared_service", "Shared-Service", " shared services ", "SHARED"]))
    assert not any(map(is_shared_service_tag, ["service", "shared storage", "dns"]))
    assert (move_group_name(0, False), move_group_name(41, True)) == ("MG-0001", "SHARED-0042")
