"""Planning stage 2: the order between move groups, and the circles that make an order impossible.

A soft dependency from a group to another is an edge prerequisite -> dependent. Groups that reach
each other along such edges (a strongly connected component of more than one group) form an
ordering cycle: they can only all be honoured in one wave. Tarjan's algorithm, iterative, O(V + E).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GroupOrder:
    component: list[int]  # per group: its strongly connected component
    cycles: list[list[int]]  # components of more than one group, each sorted, by first group


def order_groups(group_count: int, prerequisites: Iterable[tuple[int, int]]) -> GroupOrder:
    """Components and cycles of the graph given as (dependent, prerequisite) group pairs."""
    successors: list[list[int]] = [[] for _ in range(group_count)]
    for dependent, prerequisite in prerequisites:
        successors[prerequisite].append(dependent)
    component = strongly_connected(successors)
    members: dict[int, list[int]] = {}
    for group, comp in enumerate(component):
        members.setdefault(comp, []).append(group)
    cycles = sorted(groups for groups in members.values() if len(groups) > 1)
    return GroupOrder(component, cycles)


def strongly_connected(successors: list[list[int]]) -> list[int]:
    """Tarjan's strongly connected components without recursion: a component number per node."""
    count = len(successors)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    component = [-1] * count
    stack: list[int] = []
    visited = components = 0
    for root in range(count):
        if index[root] != -1:
            continue
        index[root] = low[root] = visited
        visited += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            if position < len(successors[node]):
                work[-1] = (node, position + 1)
                nxt = successors[node][position]
                if index[nxt] == -1:
                    index[nxt] = low[nxt] = visited
                    visited += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, 0))
                elif on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = components
                    if member == node:
                        break
                components += 1
    return component


def order_within_cycle(members: list[int], prerequisites: list[tuple[int, int]]) -> list[int]:
    """The members of one cycle in an order that breaks few of its (dependent, prerequisite) edges.

    The greedy of Eades, Lin and Smyth, O(E log V): next is a member with no prerequisite left
    (lowest number first), else the one whose dependents left most outnumber its prerequisites left.
    Placed in this order across waves, only the edges to a member placed later can break.
    """
    waiting = dict.fromkeys(members, 0)
    dependents: dict[int, list[int]] = {member: [] for member in members}
    needs: dict[int, list[int]] = {member: [] for member in members}
    for dependent, prerequisite in prerequisites:
        waiting[dependent] += 1
        dependents[prerequisite].append(dependent)
        needs[dependent].append(prerequisite)
    followers = {member: len(dependents[member]) for member in members}

    def key(member: int) -> tuple[int, int, int]:
        return (1, waiting[member] - followers[member], member) if waiting[member] else (0, 0, member)

    heap = [key(member) for member in members]
    heapq.heapify(heap)
    ordered: list[int] = []
    taken: set[int] = set()
    while heap:
        entry = heapq.heappop(heap)
        member = entry[2]
        if member in taken or entry != key(member):
            continue  # taken already, or a stale entry from before a neighbour was taken
        taken.add(member)
        ordered.append(member)
        for dependent in dependents[member]:
            if dependent not in taken:
                waiting[dependent] -= 1
                heapq.heappush(heap, key(dependent))
        for prerequisite in needs[member]:
            if prerequisite not in taken:
                followers[prerequisite] -= 1
                heapq.heappush(heap, key(prerequisite))
    return ordered
