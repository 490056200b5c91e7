"""How the coherence gate of the suggested groups was chosen, on bench/data/corpus_tune.tsv only (run by hand).

    .venv/bin/python bench/tune_gate.py            # prints one line per setting, then the one chosen

Each setting (THEME_FULL, MEMBER_SUPPORT, GROUP_MARGIN; GROUP_THRESHOLD 0.4, GROUP_COHESION 0.6) is scored on
the tuning half as it is, and on the tuning half with each of the 14 themes of the lexicon left out in turn
(mean of the 14): a topic the lexicon does not name, as on a board with a subject the plan has no theme for.
The rule, fixed before any untuned set was scored with it: the highest ARI (the lower of the two) among the
settings whose pair precision is at least 0.80 on both. The untuned sets (corpus_test.tsv, heldout_notes.tsv,
heldout2_notes.tsv) are never read here.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.suggest import adjusted_rand_index, group_labels, load_corpus, pair_precision  # noqa: E402
from server.suggest import similarity as S  # noqa: E402
from server.suggest.model import Model, model  # noqa: E402

TUNE = ROOT / "bench" / "data" / "corpus_tune.tsv"
GRID = {
    "THEME_FULL": (1e-9, 0.15, 0.175, 0.2, 0.225, 0.25),
    "MEMBER_SUPPORT": (0.55, 0.58, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7),
    "GROUP_MARGIN": (-1.0, 0.1, 0.15, 0.2),
}
MIN_PAIR_PRECISION = 0.80


def without_theme(m: Model, drop: int) -> Model:
    """The model with one theme of the lexicon left out."""
    keep = m.anchor_theme != drop
    names = tuple(n for t, n in enumerate(m.theme_names) if t != drop)
    owners = m.anchor_theme[keep]
    owners = np.where(owners > drop, owners - 1, owners)
    starts = np.searchsorted(owners, np.arange(len(names))).astype(np.intp)
    return dataclasses.replace(
        m, theme_names=names, anchors=m.anchors[keep], anchor_theme=owners, theme_starts=starts
    )


def main() -> None:
    rows = load_corpus(TUNE)
    texts = [text for _, text in rows]
    topics = [topic for topic, _ in rows]
    m = model()
    models = [m] + [without_theme(m, t) for t in range(len(m.theme_names))]
    S.GROUP_COHESION = 0.6
    results = []
    for full in GRID["THEME_FULL"]:
        S.THEME_FULL = full
        boards = [S.Board(texts, each) for each in models]
        for support, margin in itertools.product(GRID["MEMBER_SUPPORT"], GRID["GROUP_MARGIN"]):
            S.MEMBER_SUPPORT, S.GROUP_MARGIN = support, margin
            scores = []
            for board in boards:
                groups = S.group_board(board, list(range(len(texts))), threshold=0.4)
                ari = adjusted_rand_index(topics, group_labels(len(texts), groups))
                scores.append((ari, pair_precision(topics, groups)))
            a = np.array(scores)
            whole, left_out = a[0], a[1:].mean(axis=0)
            setting = {"THEME_FULL": full, "MEMBER_SUPPORT": support, "GROUP_MARGIN": margin}
            figures = tuple(round(float(x), 3) for x in (*whole, *left_out))
            print(setting, "ARI, pairs (whole); ARI, pairs (a theme left out):", figures, flush=True)
            results.append((setting, figures))
    eligible = [r for r in results if min(r[1][1], r[1][3]) >= MIN_PAIR_PRECISION]
    chosen = max(eligible, key=lambda r: min(r[1][0], r[1][2]))
    print("chosen:", chosen[0], chosen[1])


if __name__ == "__main__":
    main()
