"""Facet values arranged as trees: territories région → département → EPCI → commune."""

from __future__ import annotations

from collections.abc import Callable

from schemas.search import FacetNode, FacetValue


def build_tree(values: list[FacetValue], parent_of: Callable[[str], str | None],
               skip: Callable[[str], bool] = lambda _: False) -> list[FacetNode]:
    """Nest ``values`` under their nearest ancestor that is also a value; the others are roots.

    ``parent_of(value)`` gives the enclosing value or None; ``skip`` drops values (such as the
    country, which every document shares) without cutting their descendants off. Siblings are
    sorted by count, then label.
    """
    nodes = {v.value: FacetNode(value=v.value, label=v.label, count=v.count) for v in values if not skip(v.value)}
    roots: list[FacetNode] = []
    for value, node in nodes.items():
        parent, seen = parent_of(value), 0
        while parent is not None and parent not in nodes and seen < 8:  # climb over absent levels
            parent, seen = parent_of(parent), seen + 1
        (nodes[parent].children if parent in nodes else roots).append(node)

    def order(level: list[FacetNode]) -> list[FacetNode]:
        level.sort(key=lambda n: (-n.count, n.label))
        for n in level:
            order(n.children)
        return level

    return order(roots)
