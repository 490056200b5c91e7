"""How the matching threshold and margin were chosen, on bench/data/corpus_tune.tsv only (run by hand).

    .venv/bin/python bench/tune_matching.py

The tuning half has no labelled pairs, so an offer or want counts as answering a concern when both are of the
same topic (a lenient stand-in: the labelled pair sets, bench/data/match_pairs.tsv and match_pairs2.tsv, are
stricter and never read here). For each (MATCH_MIN, MATCH_MARGIN) it prints the precision of the proposals
(at most three per concern), their number, and the share of concerns with a right answer among them. The rule,
fixed before the pair sets were scored with it: the highest precision among the settings that keep that share
within a tenth of the product's earlier setting (0.3, no margin): fewer, better proposals, at the cost of at most
one concern in ten left without a right one (the tuning half has 39 concerns, so one concern is 0.026).
"""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.matching.proposals import propose  # noqa: E402
from server.suggest.model import load  # noqa: E402

TUNE = ROOT / "bench" / "data" / "corpus_tune.tsv"
THRESHOLDS = (0.25, 0.275, 0.3, 0.325, 0.35, 0.375, 0.4, 0.45, 0.5)
MARGINS = (0.05, 0.075, 0.1, 0.125, 0.15, float("inf"))
ALLOWED_LOSS = 0.1


def main() -> None:
    load()
    with TUNE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    notes = [(i, row["kind"], row["text"]) for i, row in enumerate(rows)]
    topic = [row["topic"] for row in rows]
    concerns = [i for i, row in enumerate(rows) if row["kind"] == "concern"]

    def score(threshold: float, margin: float) -> tuple[float, int, float]:
        found = propose(notes, threshold=threshold, margin=margin, limit=10_000)
        right = sum(topic[p.offer_id] == topic[p.concern_id] for p in found)
        hit = {p.concern_id for p in found if topic[p.offer_id] == topic[p.concern_id]}
        return round(right / len(found), 3) if found else 0.0, len(found), round(len(hit) / len(concerns), 3)

    before = score(0.3, float("inf"))
    print("earlier setting (0.3, no margin): precision, proposals, concerns with a right answer:", before)
    results = []
    for threshold, margin in itertools.product(THRESHOLDS, MARGINS):
        figures = score(threshold, margin)
        print({"MATCH_MIN": threshold, "MATCH_MARGIN": margin}, figures, flush=True)
        results.append(((threshold, margin), figures))
    eligible = [r for r in results if r[1][2] >= before[2] - ALLOWED_LOSS]
    chosen = max(eligible, key=lambda r: (r[1][0], -r[0][0]))
    print(f"chosen: MATCH_MIN {chosen[0][0]}, MATCH_MARGIN {chosen[0][1]}", chosen[1])


if __name__ == "__main__":
    main()
