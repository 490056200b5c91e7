"""How the similarity's own parameters were chosen, on bench/data/corpus_tune.tsv only (run by hand).

    .venv/bin/python bench/tune_similarity.py      # one line per setting, then the one chosen

Each setting (THEME_TEMPERATURE, THEME_NONE, WEIGHT_THEMES, GENERIC_WEIGHT) is scored by P@3 (the share of each
note's three nearest notes with its topic: no threshold involved) on the tuning half as it is, and with each of
the 14 themes left out in turn (mean of the 14: a subject the lexicon does not name). The rule, fixed before any
untuned set was scored with it: the highest P@3 of the two (the lower one), ties to the earlier setting in the
grid. The untuned sets are never read here. The gate is chosen afterwards with bench/tune_gate.py.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.suggest import load_corpus, precision_at_3  # noqa: E402
from bench.tune_gate import without_theme  # noqa: E402
from server.suggest import similarity as S  # noqa: E402
from server.suggest.model import model  # noqa: E402

TUNE = ROOT / "bench" / "data" / "corpus_tune.tsv"
GRID = {
    "THEME_TEMPERATURE": (0.1, 0.15, 0.2, 0.25, 0.3),
    "THEME_NONE": (-1.0, 0.4),
    "WEIGHT_THEMES": (4.0, 6.0, 8.0),
    "GENERIC_WEIGHT": (0.3, 1.0),
}


def main() -> None:
    rows = load_corpus(TUNE)
    texts = [text for _, text in rows]
    topics = [topic for topic, _ in rows]
    m = model()
    models = [m] + [without_theme(m, t) for t in range(len(m.theme_names))]
    results = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))
        for name, value in setting.items():
            setattr(S, name, value)
        scores = []
        for each in models:
            board = S.Board(texts, each)
            scores.append(precision_at_3(topics, lambda i, b=board: b.nearest(i, 3)))
        whole, left_out = scores[0], float(np.mean(scores[1:]))
        print(setting, "P@3 whole, a theme left out:", round(whole, 3), round(left_out, 3), flush=True)
        results.append((setting, min(whole, left_out), whole, left_out))
    chosen = max(results, key=lambda r: r[1])
    print("chosen:", chosen[0], "P@3", round(chosen[2], 3), round(chosen[3], 3))


if __name__ == "__main__":
    main()
