"""The programme's dependencies as a diagram drawn on the server (SVG, no JavaScript):
each project a box, each dependency an arrow from the project that needs to the one it
needs, the ones at risk drawn red and dashed. Pure: positions from the rows alone.

Projects are laid out in columns by how far down a chain of dependencies they sit (the
registers refuse loops, so the chains end), so arrows run left to right.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_NODES = 60
COLUMN_WIDTH = 190
ROW_HEIGHT = 56
BOX_WIDTH = 150
BOX_HEIGHT = 34
MARGIN = 16


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    x: int
    y: int
    external: bool


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    at_risk: bool
    title: str


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int
    left_out: int


def dependency_diagram(rows) -> Diagram:
    keys: dict[str, str] = {}
    edges_by_key: list[tuple[str, str, bool, str]] = []
    for row in rows:
        source = f"p{row.project_id}"
        keys.setdefault(source, row.project_code)
        if row.on_project_id is not None:
            target = f"p{row.on_project_id}"
            keys.setdefault(target, row.on_code or "")
        else:
            target = f"x:{row.external_party}"
            keys.setdefault(target, row.external_party)
        edges_by_key.append((source, target, bool(row.at_risk), row.what))
    chosen = list(keys)[:MAX_NODES]
    left_out = len(keys) - len(chosen)
    chosen_set = set(chosen)
    needs: dict[str, set[str]] = {k: set() for k in chosen}
    for source, target, _, _ in edges_by_key:
        if source in chosen_set and target in chosen_set:
            needs[source].add(target)
    # Column: the longest chain of needs below a node (what nothing needs sits rightmost).
    depth: dict[str, int] = {}

    def depth_of(key: str, trail: frozenset = frozenset()) -> int:
        if key in depth:
            return depth[key]
        if key in trail:  # defensive: the registers refuse loops
            return 0
        below = [depth_of(t, trail | {key}) for t in needs[key]]
        depth[key] = 1 + max(below) if below else 0
        return depth[key]

    for key in chosen:
        depth_of(key)
    deepest = max(depth.values(), default=0)
    columns: dict[int, list[str]] = {}
    for key in chosen:
        columns.setdefault(deepest - depth[key], []).append(key)
    nodes: dict[str, Node] = {}
    for column, members in columns.items():
        for index, key in enumerate(sorted(members, key=lambda k: keys[k])):
            nodes[key] = Node(
                key=key,
                label=keys[key][:22],
                x=MARGIN + column * COLUMN_WIDTH,
                y=MARGIN + index * ROW_HEIGHT,
                external=key.startswith("x:"),
            )
    edges = []
    for source, target, at_risk, what in edges_by_key:
        if source in nodes and target in nodes:
            a, b = nodes[source], nodes[target]
            edges.append(
                Edge(
                    x1=a.x + BOX_WIDTH,
                    y1=a.y + BOX_HEIGHT // 2,
                    x2=b.x,
                    y2=b.y + BOX_HEIGHT // 2,
                    at_risk=at_risk,
                    title=what[:120],
                )
            )
    tallest = max((len(m) for m in columns.values()), default=0)
    return Diagram(
        nodes=tuple(nodes.values()),
        edges=tuple(edges),
        width=2 * MARGIN + (deepest + 1) * COLUMN_WIDTH,
        height=2 * MARGIN + max(tallest, 1) * ROW_HEIGHT,
        left_out=left_out,
    )
