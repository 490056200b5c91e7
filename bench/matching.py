"""Benchmark of matching proposals on a labelled set of pairs (run by hand: .venv/bin/python bench/matching.py).

    .venv/bin/python bench/matching.py                                    # bench/data/match_pairs.tsv
    .venv/bin/python bench/matching.py --pairs bench/data/match_pairs2.tsv   # written before any change
    .venv/bin/python bench/matching.py --pairs FILE --threshold 0.3 --margin inf

The set is a TSV with the columns concern, offer, answers (1: the offer answers the concern, 0: judged not
to). A pair not listed counts as not answering. All its offers (an offer ending in 〜たい is a want) and all its
concerns make one board, and server.matching.proposals.propose runs on it as on a session's board.

Prints, with the threshold (MATCH_MIN) and margin (MATCH_MARGIN) the product uses unless given:
- precision_top3: of the proposals made (at most three per concern, at or above the threshold and within the
  margin of the concern's best), the share that answer their concern;
- concerns_proposed: concerns with at least one proposal; hit_rate: share of the concerns that have a true
  offer whose proposals hold at least one;
- p_at_1 and p_at_3_unthresholded: the same ranking with no threshold (every concern gets three): the share of
  first / of top-three offers that answer.
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.matching.proposals import MATCH_MARGIN, MATCH_MIN, propose  # noqa: E402  (the path is set just above)
from server.suggest.model import load  # noqa: E402


def read_pairs(path: Path) -> tuple[list[str], list[str], set[tuple[str, str]]]:
    concerns: list[str] = []
    offers: list[str] = []
    true: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            concern, offer = row["concern"].strip(), row["offer"].strip()
            if concern not in concerns:
                concerns.append(concern)
            if offer not in offers:
                offers.append(offer)
            if row["answers"].strip() == "1":
                true.add((concern, offer))
    return concerns, offers, true


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=Path, default=ROOT / "bench" / "data" / "match_pairs.tsv")
    parser.add_argument("--threshold", type=float, default=MATCH_MIN)
    parser.add_argument("--margin", type=float, default=MATCH_MARGIN)
    args = parser.parse_args()
    load()
    concerns, offers, true = read_pairs(args.pairs)
    notes = [(i, "want" if text.endswith("たい") else "offer", text) for i, text in enumerate(offers)]
    base = len(offers)
    notes += [(base + i, "concern", text) for i, text in enumerate(concerns)]
    text = {note_id: t for note_id, _, t in notes}

    def answers(offer_id: int, concern_id: int) -> bool:
        return (text[concern_id], text[offer_id]) in true

    started = time.perf_counter()
    found = propose(notes, threshold=args.threshold, margin=args.margin, limit=10_000)
    seconds = time.perf_counter() - started
    by_concern: dict[int, list[int]] = defaultdict(list)
    for p in found:
        by_concern[p.concern_id].append(p.offer_id)
    right = sum(answers(o, c) for c, os in by_concern.items() for o in os)
    with_true = [base + i for i, c in enumerate(concerns) if any(t[0] == c for t in true)]
    hits = sum(any(answers(o, c) for o in by_concern.get(c, [])) for c in with_true)

    ranked: dict[int, list[int]] = defaultdict(list)
    for p in propose(notes, threshold=-1.0, margin=float("inf"), limit=10_000):
        ranked[p.concern_id].append(p.offer_id)
    p1 = sum(answers(os[0], c) for c, os in ranked.items() if os) / len(with_true)
    p3 = sum(answers(o, c) for c in with_true for o in ranked.get(c, [])[:3]) / (3 * len(with_true))

    figures = {
        "pairs_file": str(args.pairs.relative_to(ROOT) if args.pairs.is_relative_to(ROOT) else args.pairs),
        "concerns": len(concerns),
        "concerns_with_a_true_offer": len(with_true),
        "offers": len(offers),
        "true_pairs": len(true),
        "threshold": args.threshold,
        "margin": args.margin if math.isfinite(args.margin) else None,
        "proposals": len(found),
        "precision_top3": round(right / len(found), 3) if found else None,
        "concerns_proposed": len(by_concern),
        "hit_rate": round(hits / len(with_true), 3),
        "p_at_1": round(p1, 3),
        "p_at_3_unthresholded": round(p3, 3),
        # For scale: a random pick's precision, and the best P@3 possible (a concern has one to three true offers).
        "random_precision": round(len(true) / (len(concerns) * len(offers)), 3),
        "best_possible_p_at_3": round(
            sum(min(3, sum(t[0] == text[c] for t in true)) for c in with_true) / (3 * len(with_true)), 3
        ),
        "seconds": round(seconds, 3),
    }
    print(
        f"{len(concerns)} concerns, {len(offers)} offers, {len(true)} true pairs;"
        f" threshold {args.threshold}, margin {args.margin}"
    )
    print(
        f"precision of the top three proposals: {figures['precision_top3']} ({right} of {len(found)});"
        f" concerns with a true answer proposed: {figures['hit_rate']}"
    )
    print(
        f"unthresholded: P@1 {figures['p_at_1']}, P@3 {figures['p_at_3_unthresholded']}"
        f" (best possible {figures['best_possible_p_at_3']}; random {figures['random_precision']})"
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
