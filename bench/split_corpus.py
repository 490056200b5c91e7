"""Split the shipped corpus into a tuning half and a test half (run once; both halves are committed).

Rule: within each topic, in file order, the 1st, 3rd, 5th … notes go to bench/data/corpus_tune.tsv and the
2nd, 4th … to bench/data/corpus_test.tsv. Parameters are chosen on the tuning half only; the test half and
bench/data/heldout_notes.tsv are only ever reported.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "server" / "data" / "corpus_notes.tsv"
TUNE = ROOT / "bench" / "data" / "corpus_tune.tsv"
TEST = ROOT / "bench" / "data" / "corpus_test.tsv"


def main() -> None:
    with SOURCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    seen: Counter[str] = Counter()
    halves: dict[Path, list[dict[str, str]]] = {TUNE: [], TEST: []}
    for row in rows:
        halves[TUNE if seen[row["topic"]] % 2 == 0 else TEST].append(row)
        seen[row["topic"]] += 1
    for path, half in halves.items():
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, ["topic", "kind", "text"], delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(half)
        print(f"{path.relative_to(ROOT)}: {len(half)} notes")


if __name__ == "__main__":
    main()
