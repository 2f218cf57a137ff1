"""Which hidden counts can change together: the cycle test of the suppression audit.

:func:`fieldscan.reports.privacy._pinned` sees lines as nodes and hidden values as edges; a
hidden value that lies on a cycle of possible changes is not pinned down. :func:`on_cycles`
answers that for every edge at once: strongly connected components rule out most arcs, and a
bridge search (edges that run both ways) finds most cycles without searching, so the plain
search of :func:`reach` runs only for what is left. Same answers, far less work at the sizes
of the report tables (tests/reports/test_report_speed.py compares them).
"""

from __future__ import annotations

from collections import defaultdict


def on_cycles(out: dict[int, list[tuple[int, int]]], arcs: list[tuple[int, int, int]]) -> set:
    """Edges with an arc ``here -> there`` from which ``here`` is reached again by arcs of
    other edges (a cycle of changes). The same as asking :func:`reach` for every arc, but a
    search only for arcs whose edge also runs back (``there -> here``): otherwise the answer
    is whether both ends share a strongly connected component (a path back to ``here`` never
    needs the arc that leaves it)."""
    component = _components(out)
    pairs = {(p, here, there) for p, here, there in arcs}
    both = {
        (p, here, there) for p, here, there in pairs if here != there and (p, there, here) in pairs
    }
    # An edge that runs both ways and lies on a cycle of such edges (not a bridge of theirs,
    # undirected) is reached around without a search.
    bridges = _bridges(both)
    moves = set()
    for p, here, there in arcs:
        if p in moves or component.get(here) != component.get(there):
            continue
        if (
            here == there
            or (p, there, here) not in pairs
            or p not in bridges
            or here in reach(out, there, p)
        ):
            moves.add(p)
    return moves


def _bridges(arcs: set[tuple[int, int, int]]) -> set[int]:
    """Edges of the undirected multigraph of ``arcs`` (edge, node, node) that lie on no
    cycle: one iterative depth-first search (low points), parallel edges kept apart."""
    adjacent: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p, here, there in arcs:
        adjacent[here].append((p, there))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: set[int] = set()
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        work = [(root, None, iter(adjacent[root]))]
        while work:
            node, entered_by, neighbours = work[-1]
            for p, there in neighbours:
                if p == entered_by:
                    continue
                if there in order:
                    low[node] = min(low[node], order[there])
                else:
                    order[there] = low[there] = len(order)
                    work.append((there, p, iter(adjacent[there])))
                    break
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.add(entered_by)
    return bridges


def _components(out: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    """Strongly connected component of each node (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    component: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    nodes = set(out) | {there for arcs in out.values() for _p, there in arcs}
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(out.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for _edge, there in successors:
                if there not in index:
                    index[there] = low[there] = len(index)
                    stack.append(there)
                    on_stack.add(there)
                    work.append((there, iter(out.get(there, ()))))
                    advanced = True
                    break
                if there in on_stack:
                    low[node] = min(low[node], index[there])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = node
                    if member == node:
                        break
    return component


def reach(out: dict[int, list[tuple[int, int]]], start: int, without: int) -> set[int]:
    """Nodes reachable from ``start`` by arcs of edges other than ``without``."""
    seen, todo = {start}, [start]
    while todo:
        for edge, there in out.get(todo.pop(), ()):
            if edge != without and there not in seen:
                seen.add(there)
                todo.append(there)
    return seen
