"""Which offers (できる) and wants (やりたい) answer which concerns (困りごと), by meaning: pure, no database.

Every offer or want is compared with every concern by the similarity of the suggestions engine
(server/suggest/similarity.py: shared words, word vectors, the plan's themes, loaded once at start-up).
A pair at least MATCH_MIN similar, and within MATCH_MARGIN of the concern's best answer, is proposed, best
first, with why: the words both use, the theme of the plan both are about, or (neither) that their words are
near in meaning. Fewer, better proposals: an answer far behind the concern's best is not shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.suggest.similarity import Board

#: A pair is proposed when at least this similar (the scale of Board.similarity), and at most MATCH_MARGIN
#: less similar than the concern's best answer. Both chosen with bench/tune_matching.py on
#: bench/data/corpus_tune.tsv only (an offer or want of a concern's topic counting as an answer): the highest
#: precision that leaves at most one concern in ten more without a right answer than with no margin at 0.3
#: (with the similarity of meaning2: 0.547 on that half, 64 proposals, 0.615 of its concerns answered).
MATCH_MIN = 0.3
MATCH_MARGIN = 0.05
#: Each concern brings at most this many proposals, and a board at most MAX_PROPOSALS.
PER_CONCERN = 3
MAX_PROPOSALS = 30

#: Kinds of note that can answer a concern, and the kind answered.
ANSWERING_KINDS = ("offer", "want")
CONCERN_KIND = "concern"


@dataclass(frozen=True)
class Proposal:
    offer_id: int  # the offer (できる) or want (やりたい) note
    concern_id: int  # the concern (困りごと) note
    score: float  # similarity, 0..1
    shared: tuple[str, ...] = ()  # words both notes use, as the offer wrote them
    theme: str | None = None  # the plan's theme both lean to most, if the same


def propose(
    notes: Sequence[tuple[int, str, str]],
    *,
    exclude: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
    per_concern: int = PER_CONCERN,
    limit: int = MAX_PROPOSALS,
    threshold: float = MATCH_MIN,
    margin: float = MATCH_MARGIN,
) -> list[Proposal]:
    """Proposed (offer, concern) pairs among `notes`, best first.

    `notes` are (id, kind, text); only offers and wants are paired with concerns, and ideas are ignored.
    Pairs in `exclude` (offer id, concern id), already decided, are never proposed. Each concern brings its
    best `per_concern` answers at or above `threshold` and within `margin` of its best answer (decided
    pairs included); ties go to the earlier note. Deterministic.
    """
    offers = [(i, t) for i, k, t in notes if k in ANSWERING_KINDS]
    concerns = [(i, t) for i, k, t in notes if k == CONCERN_KIND]
    if not offers or not concerns:
        return []
    board = Board([t for _, t in offers] + [t for _, t in concerns])
    n = len(offers)
    found: list[Proposal] = []
    for c, (concern_id, _) in enumerate(concerns):
        row = sorted(
            ((float(board.similarity[o, n + c]), o) for o in range(n)), key=lambda item: (-item[0], item[1])
        )
        kept = 0
        floor = max(threshold, row[0][0] - margin)
        for score, o in row:
            if score < floor or kept >= per_concern:
                break
            offer_id = offers[o][0]
            if (offer_id, concern_id) in exclude:
                continue
            found.append(
                Proposal(
                    offer_id=offer_id,
                    concern_id=concern_id,
                    score=round(score, 2),
                    shared=tuple(board.shared(n + c, o)[:4]),
                    theme=board.common_theme(o, n + c),
                )
            )
            kept += 1
    found.sort(key=lambda p: (-p.score, p.concern_id, p.offer_id))
    return found[:limit]
