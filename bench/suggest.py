"""Benchmark of suggested groups on a labelled corpus (run by hand: .venv/bin/python bench/suggest.py).

    .venv/bin/python bench/suggest.py                                   # the shipped corpus (180 notes)
    .venv/bin/python bench/suggest.py --corpus bench/data/corpus_test.tsv     # its half never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout_notes.tsv   # written apart, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout2_notes.tsv  # written before the gate, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout3_notes.tsv  # written before meaning3, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout4_notes.tsv  # written before meaning4, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout5_notes.tsv  # written before meaning5, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout6_notes.tsv  # written before meaning6, never tuned on
    .venv/bin/python bench/suggest.py --corpus bench/data/heldout7_notes.tsv  # written before meaning7, never tuned on

A corpus is a TSV file with the columns topic, kind, text. Prints, for the engine and for a plain character
1–3-gram TF-IDF baseline clustered the same way: P@3 (share of each note's 3 most similar notes that have its
topic; random ≈ 1 / number of topics) and ARI (adjusted Rand index of the suggested groups against the topics,
notes left out counting as singletons), and pair precision (share of the note pairs inside a suggested group
that have the same topic). Then the time of suggest_groups on 300 notes (the corpus's notes and lightly reworded
copies of them): the first call, then the median of several. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from server.suggest.analysis import analyser  # noqa: E402
from server.suggest.model import model  # noqa: E402
from server.suggest.similarity import (  # noqa: E402  (the path is set just above)
    Board,
    SuggestedGroup,
    average_linkage,
    suggest_groups,
)

CORPUS = ROOT / "server" / "data" / "corpus_notes.tsv"
# Light variations of the corpus notes, as people phrase the same thing (for the 300-note timing).
PREFIXES = ("", "ぜひ", "やっぱり", "個人的には、", "正直、")
SUFFIXES = ("と思う", "です", "。", "と思います！", "（要検討）", "")
TIMING_RUNS = 7
# Thresholds tried for the baseline, whose similarities have another scale: it gets its best one.
BASELINE_THRESHOLDS = (0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4)


def load_corpus(path: Path = CORPUS) -> list[tuple[str, str]]:
    """(topic, text) rows of the labelled corpus."""
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["topic"], row["text"]) for row in csv.DictReader(f, delimiter="\t")]


def baseline_similarity(texts: Sequence[str]) -> np.ndarray:
    """The obvious first idea: character 1–3-grams of the NFKC text, sublinear TF-IDF, cosine."""
    counts = []
    for text in texts:
        t = unicodedata.normalize("NFKC", text)
        counts.append(Counter(t[i : i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1)))
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    columns = {g: j for j, g in enumerate(df)}
    m = np.zeros((len(texts), len(columns)))
    for i, c in enumerate(counts):
        for g, k in c.items():
            m[i, columns[g]] = (1 + math.log(k)) * (math.log((1 + len(texts)) / (1 + df[g])) + 1)
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    return m @ m.T


def baseline_ari(topics: Sequence[str], similarity: np.ndarray) -> tuple[float, float, float]:
    """(ARI, threshold, pair precision) of the baseline's similarities clustered like the engine.

    The baseline gets its own best threshold: the comparison is as generous to it as can be.
    """
    scores = []
    for threshold in BASELINE_THRESHOLDS:
        clusters = [c for c in average_linkage(similarity, threshold) if len(c) >= 2]
        groups = [SuggestedGroup(note_ids=tuple(c), label="") for c in clusters]
        ari = adjusted_rand_index(topics, group_labels(len(topics), groups))
        scores.append((ari, threshold, pair_precision(topics, groups)))
    return max(scores)


def precision_at_3(topics: Sequence[str], neighbours: Callable[[int], list[int]]) -> float:
    """Mean share of each note's 3 nearest notes with the same topic (missing neighbours count as misses)."""
    hits = sum(sum(topics[j] == topics[i] for j in neighbours(i)[:3]) for i in range(len(topics)))
    return hits / (3 * len(topics))


def nearest_by_similarity(similarity: np.ndarray) -> Callable[[int], list[int]]:
    """Neighbour function over a similarity matrix, with the same tie rule as similar_notes."""

    def nearest(i: int) -> list[int]:
        row = similarity[i].copy()
        row[i] = -np.inf
        return [int(j) for j in np.argsort(-row, kind="stable")[:3] if row[j] > 0]

    return nearest


def adjusted_rand_index(truth: Sequence[str], predicted: Sequence[int]) -> float:
    """Hubert and Arabie's ARI from the contingency table of two labellings of the same items."""

    def pairs(n: int) -> float:
        return n * (n - 1) / 2

    cells = Counter(zip(truth, predicted, strict=True))
    sum_cells = sum(pairs(n) for n in cells.values())
    sum_truth = sum(pairs(n) for n in Counter(truth).values())
    sum_pred = sum(pairs(n) for n in Counter(predicted).values())
    expected = sum_truth * sum_pred / pairs(len(truth))
    top = (sum_truth + sum_pred) / 2
    return 1.0 if top == expected else (sum_cells - expected) / (top - expected)


def pair_precision(topics: Sequence[str], groups: Sequence[SuggestedGroup]) -> float:
    """Share of the note pairs put in one group that have the same topic (random ≈ 0.08 here)."""
    same = total = 0
    for group in groups:
        ids = group.note_ids
        for x, a in enumerate(ids):
            for b in ids[x + 1 :]:
                total += 1
                same += topics[a] == topics[b]
    return same / total if total else 0.0


def group_labels(n: int, groups: Sequence[SuggestedGroup]) -> list[int]:
    """Cluster number of each note index; notes in no group get one singleton cluster each."""
    labels = list(range(len(groups), len(groups) + n))
    for g, group in enumerate(groups):
        for note_id in group.note_ids:
            labels[note_id] = g
    return labels


def variations(texts: Sequence[str], count: int) -> list[str]:
    """`count` lightly reworded copies of the texts (a prefix, a suffix), deterministic."""
    out = []
    for k in range(count):
        text = texts[(k * 7) % len(texts)]
        out.append(PREFIXES[k % len(PREFIXES)] + text + SUFFIXES[k % len(SUFFIXES)])
    return out


def time_suggest(texts: Sequence[str]) -> tuple[float, float]:
    """Wall time of suggest_groups on the given texts: the first call, and the median of the calls after it."""
    notes = list(enumerate(texts))
    # The first call analyses every note and looks up every word, as on a board never seen.
    analyser().words.cache_clear()
    model().vectors.row.cache_clear()
    model()._word_cache.clear()
    runs = []
    for _ in range(TIMING_RUNS + 1):
        start = time.perf_counter()
        suggest_groups(notes)
        runs.append(time.perf_counter() - start)
    return runs[0], statistics.median(runs[1:])


def timing_texts(texts: Sequence[str], n: int = 300) -> list[str]:
    """`n` notes: the corpus's own, then lightly reworded copies of them (all of them copies if it is larger)."""
    own = list(texts[:n])
    return own + variations(texts, n - len(own))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="labelled TSV: topic, kind, text")
    args = parser.parse_args(argv)
    rows = load_corpus(args.corpus)
    topics = [topic for topic, _ in rows]
    texts = [text for _, text in rows]
    notes = list(enumerate(texts))

    board = Board(texts)  # the same analysis as similar_notes(texts[i], texts, exclude=i), done once
    p3 = precision_at_3(topics, lambda i: board.nearest(i, 3))
    groups = suggest_groups(notes)
    ari = adjusted_rand_index(topics, group_labels(len(texts), groups))
    grouped = sum(len(g.note_ids) for g in groups)

    base = baseline_similarity(texts)
    base_p3 = precision_at_3(topics, nearest_by_similarity(base))
    base_ari, base_threshold, base_pairs = baseline_ari(topics, base)
    first, seconds = time_suggest(timing_texts(texts))

    print(f"corpus: {args.corpus.name}, {len(texts)} notes, {len(set(topics))} topics")
    print(f"engine:   P@3 {p3:.3f}  ARI {ari:.3f}  groups {len(groups)}  notes grouped {grouped}")
    print(f"          pairs within a group that share a topic: {pair_precision(topics, groups):.2f}")
    print(
        f"baseline: P@3 {base_p3:.3f}  ARI {base_ari:.3f}  (char 1–3-gram TF-IDF, best threshold {base_threshold})"
    )
    print(f"          pairs within a group that share a topic: {base_pairs:.2f}")
    for group in groups:
        purity = Counter(topics[i] for i in group.note_ids).most_common(1)[0]
        print(f"  {group.label:<20} {len(group.note_ids):>3} notes, {purity[1]} of them {purity[0]}")
    print(
        f"suggest_groups on 300 notes: first call {first * 1000:.0f} ms, "
        f"then {seconds * 1000:.0f} ms (median of {TIMING_RUNS})"
    )
    figures = {
        "corpus": args.corpus.name,
        "notes": len(texts),
        "topics": len(set(topics)),
        "p_at_3": round(p3, 3),
        "ari": round(ari, 3),
        "pair_precision": round(pair_precision(topics, groups), 3),
        "baseline_p_at_3": round(base_p3, 3),
        "baseline_ari": round(base_ari, 3),
        "baseline_pair_precision": round(base_pairs, 3),
        "groups": len(groups),
        "notes_grouped": grouped,
        "first_call_seconds_300": round(first, 3),
        "seconds_300": round(seconds, 3),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
