"""Families at indexing: a document joins the family of the document most alike among those sharing
enough signature values with it (versions, other formats, summaries); a family a documentalist split or merged
by hand is left as they made it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from schemas.documents import Resemblance
from schemas.families import Membership
from workers.analyze.resemblance import MIN_SHARED, TITLE_ALIKE, keys, relation, title_keys
from workers.ports import FamiliesPort

_STORED = {"summarised-by": "full"}  # seen from the new document: it is the full text of a summary


_RANK = {"same-content": 0, "version": 1, "summary": 2, "summarised-by": 2}


def closest(mine: Resemblance, others: Mapping[str, Resemblance]) -> tuple[str, str, float] | None:
    """The closest of ``others`` that is alike at all (same content before versions before summaries,
    then the most similar): its id, the relation, the similarity."""
    found = [(doc_id, *r) for doc_id, other in sorted(others.items()) if (r := relation(mine, other)) is not None]
    return min(found, key=lambda f: (_RANK[f[1]], -f[2]), default=None)


class FamilyPlacer:
    def __init__(self, families: FamiliesPort, resemblance_of: Callable[[str], Resemblance | None]) -> None:
        """``resemblance_of``: the signature of an indexed document (None: none, or not indexed)."""
        self.families = families
        self.resemblance_of = resemblance_of

    def run(self, doc_id: str, mine: Resemblance | None) -> Membership | None:
        """Place ``doc_id`` (signature ``mine``) in a family; its membership, if any."""
        current = self.families.membership(doc_id)
        if mine is None or (current is not None and current.manual):
            return current
        mine_keys, mine_title = keys(mine), title_keys(mine)
        self.families.add_keys(doc_id, mine_keys + mine_title)
        candidates = self.families.candidates(mine_keys, doc_id, MIN_SHARED)
        if len(mine_title) >= 3:  # alike titles: a summary that rewords its report
            candidates += self.families.candidates(mine_title, doc_id, math.ceil(TITLE_ALIKE * len(mine_title)))
        others = {c: r for c in dict.fromkeys(candidates) if (r := self.resemblance_of(c)) is not None}
        best = closest(mine, others)
        if best is None:
            return current
        other_id, found, similarity = best
        theirs = self.families.membership(other_id)
        if theirs is None:
            theirs = Membership(doc_id=other_id, family_id=other_id, relation="principal")
            self.families.join(theirs)
        if current is not None and current.family_id == theirs.family_id:
            return current  # placed already (indexed again after a correction)
        placed = Membership(doc_id=doc_id, family_id=theirs.family_id, relation=_STORED.get(found, found),  # type: ignore[arg-type]
                            similarity=similarity)
        self.families.join(placed)
        return placed
