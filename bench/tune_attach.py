"""How the attachment of left-out notes was chosen, on bench/data/corpus_tune.tsv only (run by hand).

    .venv/bin/python bench/tune_attach.py          # prints one line per setting, then the one chosen

The gate (THEME_NONE, THEME_FULL, MEMBER_SUPPORT, GROUP_COHESION, GROUP_MARGIN) stays as bench/tune_gate.py chose
it; ATTACH_MIN and ATTACH_MARGIN are scored as in bench/tune_gate.py: on the tuning half as it is and with each
of the 14 themes left out in turn (mean of the 14). The rule, the same as the gate's and fixed before any untuned
set was scored with this step: the highest ARI (the lower of the two) among the settings whose pair precision is
at least 0.80 on both and that keep the two product rules of tests/test_suggest.py. Attachment off (ATTACH_MIN
inf) is one of the settings, so the step is kept only if it wins. No untuned set is read here.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.suggest import adjusted_rand_index, group_labels, load_corpus, pair_precision  # noqa: E402
from bench.tune_gate import MIN_PAIR_PRECISION, TUNE, keeps_the_product_rules, without_theme  # noqa: E402
from server.suggest import similarity as S  # noqa: E402
from server.suggest.model import model  # noqa: E402

GRID = {
    "ATTACH_MIN": (math.inf, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65),
    "ATTACH_MARGIN": (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
}


def main() -> None:
    rows = load_corpus(TUNE)
    texts = [text for _, text in rows]
    topics = [topic for topic, _ in rows]
    m = model()
    boards = [S.Board(texts, each) for each in [m] + [without_theme(m, t) for t in range(len(m.theme_names))]]
    results = []
    for low, margin in itertools.product(GRID["ATTACH_MIN"], GRID["ATTACH_MARGIN"]):
        if math.isinf(low) and margin > 0:
            continue
        S.ATTACH_MIN, S.ATTACH_MARGIN = low, margin
        scores = []
        grouped = []
        for board in boards:
            groups = S.group_board(board, list(range(len(texts))))
            scores.append(
                (
                    adjusted_rand_index(topics, group_labels(len(texts), groups)),
                    pair_precision(topics, groups),
                )
            )
            grouped.append(sum(len(g.note_ids) for g in groups))
        a = np.array(scores)
        figures = tuple(round(float(x), 3) for x in (*a[0], *a[1:].mean(axis=0)))
        setting = {"ATTACH_MIN": low, "ATTACH_MARGIN": margin}
        print(
            setting,
            "ARI, pairs (whole); ARI, pairs (a theme left out):",
            figures,
            "grouped (whole):",
            grouped[0],
            flush=True,
        )
        if keeps_the_product_rules():
            results.append((setting, figures))
        else:
            print("  (left out: the theme-less notes are not grouped, or unrelated notes are)")
    eligible = [r for r in results if min(r[1][1], r[1][3]) >= MIN_PAIR_PRECISION]
    chosen = max(eligible, key=lambda r: min(r[1][0], r[1][2]))
    print("chosen:", chosen[0], chosen[1])


if __name__ == "__main__":
    main()
