"""How the clustering threshold was chosen with the gate and attachment, on bench/data/corpus_tune.tsv only (run
by hand).

    .venv/bin/python bench/tune_pass.py            # prints one line per setting, then the one chosen per stage

Stage by stage, from the engine before this step (BEFORE: commit 92034ad), each stage's grid scored with the
earlier stages' choice in place, as in bench/tune_gate.py: on the tuning half as it is and with each of the 14
themes left out in turn (mean of the 14). The rule, the gate's, fixed before any untuned set was scored with this
step: the highest ARI (the lower of the two) among the settings whose pair precision is at least 0.80 on both
(figures rounded to 3 places) and that keep the two product rules of tests/test_suggest.py; an ARI tie keeps the
setting before (a change must raise ARI), then goes to the higher pair precision. No untuned set is read here.

Chosen (ARI whole / left out, pairs whole / left out, notes grouped of 96): before 0.320 / 0.318, 0.866 / 0.800, 48;
GROUP_THRESHOLD 0.45 (with MEMBER_SUPPORT 0.6, GROUP_COHESION 0.55 as before) 0.320 / 0.322, 0.866 / 0.813, 48;
attachment stays as it was (0.65, 0.3). A narrow peak: at 0.3–0.4 the figures are those before, at 0.5 and 0.55
the left-out pair precision is 0.797 (0.311 / 0.308 ARI); the whole half is the same from 0.3 to 0.55.
Committed (6f2ad14) before the one look of branch meaning4; at the look it was the same or worse on every untuned
set (held-out 2: ARI 0.340 -> 0.331, pairs 0.821 -> 0.812; held-out 4: pairs 0.597 -> 0.584; the others unchanged),
so the engine ships 0.4 as before (docs/suggestions.md). Running this script now starts from BEFORE and still
prints 0.45 as the tuning half's choice.

Tried in the same run and dropped (the code is in commit 0c2dac4, where this script scores them all):
- a lower support for a member that leans to its group's theme (strength ≥ 0.5–1.0, support 0.4–0.55): no ARI
  gain at pair precision ≥ 0.80; at strength 0.5 ARI 0.337 / 0.351 but pairs 0.65 / 0.64;
- attachment with a lower strength (0.4–0.6): ARI up to 0.392 / 0.384 but pairs 0.54–0.77 left out; with the
  top theme leading its second by 0.1–0.3: at most 0.304 / 0.302 at pairs ≥ 0.80; or by a shared word with 1–2
  members at any strength: no setting kept pairs at 0.80;
- a second round of clustering over the notes the gate let go: ARI up to 0.355 / 0.349, pairs 0.78 / 0.72;
- joining two coherent groups of the same theme when their mean similarity is at least MERGE_MIN (0.3–0.55):
  0.332 / 0.324, 0.871 / 0.814, 49 notes at 0.3–0.45, but a joined group could fall under GROUP_COHESION (0.53 on
  the whole shipped corpus: the unit test that every proposed group is coherent failed); with that condition
  added, no change at all on the tuning half at any MERGE_MIN, so it was dropped;
- a theme-led pass (left-out notes leaning ≥ 0.5–1.0 to a theme no group has form a group of that theme): no
  change at all on the tuning half (its 12 topics fill the 12 groups), so nothing to choose it by;
- the threshold from 0.3 to 0.45 and the gate (support 0.5–0.65, cohesion 0.5–0.6) together: support is the only
  knob that moves ARI, and 0.55 or lower gives pairs 0.61–0.73.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.suggest import adjusted_rand_index, group_labels, pair_precision  # noqa: E402
from bench.tune_gate import MIN_PAIR_PRECISION, keeps_the_product_rules, tuning_boards  # noqa: E402
from server.suggest import similarity as S  # noqa: E402

STAGES: list[dict[str, tuple[float, ...]]] = [
    {
        "GROUP_THRESHOLD": (0.3, 0.35, 0.4, 0.45, 0.5, 0.55),
        "MEMBER_SUPPORT": (0.5, 0.55, 0.6, 0.65),
        "GROUP_COHESION": (0.5, 0.55, 0.6),
    },
    {"ATTACH_STRENGTH": (math.inf, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7), "ATTACH_MIN": (0.3, 0.4)},
]
# The engine before this step (commit 92034ad): the search starts from it.
BEFORE = {
    "GROUP_THRESHOLD": 0.4,
    "MEMBER_SUPPORT": 0.6,
    "GROUP_COHESION": 0.55,
    "ATTACH_STRENGTH": 0.65,
    "ATTACH_MIN": 0.3,
}


def score(boards: list[S.Board], topics: list[str]) -> tuple[tuple[float, ...], int]:
    """(ARI, pairs whole; ARI, pairs mean with a theme left out), and how many notes the whole half groups."""
    scores = []
    grouped = 0
    for k, board in enumerate(boards):
        groups = S.group_board(board, list(range(len(topics))), threshold=S.GROUP_THRESHOLD)
        scores.append(
            (adjusted_rand_index(topics, group_labels(len(topics), groups)), pair_precision(topics, groups))
        )
        if k == 0:
            grouped = sum(len(g.note_ids) for g in groups)
    a = np.array(scores)
    return tuple(round(float(x), 3) for x in (*a[0], *a[1:].mean(axis=0))), grouped


def tie_break(
    r: tuple[dict[str, float], tuple[float, ...], int],
    grid: dict[str, tuple[float, ...]],
    shipped: dict[str, float],
) -> tuple[float, bool, float, int]:
    """The key the chosen setting is the highest of (see main)."""
    same = sum(r[0][n] == shipped[n] for n in grid)
    return (min(r[1][0], r[1][2]), same == len(grid), min(r[1][1], r[1][3]), same)


def main() -> None:
    boards, topics = tuning_boards()
    for name, value in BEFORE.items():
        setattr(S, name, value)
    shipped = dict(BEFORE)
    print("before:", shipped, score(boards, topics), flush=True)
    for grid in STAGES:
        results = []
        started = time.perf_counter()
        for values in itertools.product(*grid.values()):
            setting = dict(zip(grid, values, strict=True))
            for name, value in setting.items():
                setattr(S, name, value)
            figures, grouped = score(boards, topics)
            print(setting, "ARI, pairs (whole); ARI, pairs (a theme left out):", figures, "grouped:", grouped)
            if keeps_the_product_rules():
                results.append((setting, figures, grouped))
            else:
                print("  (left out: the theme-less notes are not grouped, or unrelated notes are)")
        eligible = [r for r in results if min(r[1][1], r[1][3]) >= MIN_PAIR_PRECISION]

        # Ties (same ARI) go to the shipped setting (a change must raise ARI), then to the higher pair precision,
        # then to the setting with more shipped values, then to the one listed first.
        chosen = max(eligible, key=lambda r, grid=grid: tie_break(r, grid, shipped))
        for name, value in chosen[0].items():
            setattr(S, name, value)
        print(
            "chosen:", chosen[0], chosen[1], "grouped:", chosen[2], f"({time.perf_counter() - started:.0f} s)"
        )
        print(flush=True)
    print("all:", {name: getattr(S, name) for stage in STAGES for name in stage})


if __name__ == "__main__":
    main()
