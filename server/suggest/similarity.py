"""Similar notes and suggested groups, computed locally in pure Python.

Japanese has no spaces, and a morphological analyser (SudachiPy, GiNZA) would mean a large dictionary or a
model download. Instead a note is cut into runs of one script (kanji, katakana, hiragana, latin/digits).
Kanji and katakana runs carry most of the content of a short note, so the terms are: those runs, the kanji
in them (災 links 防災 and 災害), an okurigana-free stem (買い物 → 買物, so it meets 買物), and the words of
the board found inside longer runs (バス inside コミュニティバス). Hiragana is grammar (particles, endings),
so it is not a term.
Terms are weighted with TF-IDF over the notes given, notes are compared by cosine similarity, and groups come
from average-linkage agglomerative clustering that stops at a similarity threshold: a note that resembles
nothing well enough stays out of every group, which keeps suggestions precise.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

Vector = dict[str, float]

# Script classes. 々 (repeat mark), 〆 and ヶ behave like kanji inside words (人々, 〆切, 一ヶ月).
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_KATAKANA = "\u30a1-\u30faー\u30fd\u30fe"
_HIRAGANA = "\u3041-\u3096\u309d\u309e"
_RUN = re.compile(f"([{_KANJI}]+)|([{_KATAKANA}]+)|([{_HIRAGANA}]+)|([A-Za-z0-9]+)")
_SCRIPTS = ("kanji", "katakana", "hiragana", "latin")

# Dashes people type for the long vowel mark inside katakana words (NFKC leaves these alone).
_LONG_VOWEL_LOOKALIKES = re.compile(f"(?<=[{_KATAKANA}])[-‐‑–—―−～〜]")

# Particles end a word: 誰が住む is no compound, while 買い物 and 見守り活動 are.
_PARTICLES = frozenset(["が", "を", "に", "で", "と", "の", "は", "も", "へ", "や", "か", "ね", "よ", "て"])
# Particles of more than one kana: 高齢者まで is 高齢者 + まで, not a word 高齢者ま.
_LONG_PARTICLES = (
    "まで",
    "から",
    "より",
    "など",
    "だけ",
    "ほど",
    "ごと",
    "くらい",
    "ぐらい",
    "なら",
    "しか",
    "でも",
    "とか",
)
# Kana of する (相談して, 相談する): they follow a noun, they are not its okurigana.
_SURU = frozenset(["し", "す"])

# A small, general stop list: words that say how something is put, not what it is about. Hiragana is never
# a term, so function words written in kana (する, こと, ため, よう, できる) drop out by construction; listed
# here are their kanji spellings, empty nouns and suffixes, numerals and very general words. Nothing here
# is taken from a topic.
_STOP_WORDS = """
    事 物 者 方 為 様 等 的 性 化 中 上 下 前 後 内 外 間 今 時 際 人 何 誰 皆 達 共 程 頃 位
    出来 有 居 成 又 及 以 所 点 面 件 個 数 場 合 気 思 考 感 言 見 行 来
    一 二 三 四 五 十 百 千 万 円 分 日 月 年 回 度 毎 各 全 他
    場合 自分 以上 以下 一緒 仕組 方法 機会 必要 可能 大切 本当 色々 全部 今後 最近 実際 具体 簡単
"""
STOP_TERMS = frozenset(_STOP_WORDS.split())

# Relative weights of the kinds of term (chosen with bench/suggest.py; the optimum is flat). Whole runs
# and stems are words. A kanji inside a compound is partial evidence: it links 防災 and 災害, and also,
# wrongly, 会議 and 大会. A word of the board found inside a kanji compound adds to what its kanji
# already share, so it counts half; inside a katakana word it is the only link (コミュニティバス, バス).
WEIGHT_RUN = 1.0
WEIGHT_STEM = 1.0
WEIGHT_KANJI_CHAR = 0.7
WEIGHT_KANJI_PART = 0.5
WEIGHT_KATAKANA_PART = 1.0

# Average linkage stops when the best pair of clusters is less similar than this (set with
# bench/suggest.py on the labelled corpus; higher = fewer, smaller, purer groups).
GROUP_THRESHOLD = 0.12

# Labels are joined with 「・」 and kept short enough for a chip on the facilitator's console.
LABEL_MAX_CHARS = 20
LABEL_MAX_TERMS = 2
LABEL_FALLBACK = "似ている付箋"


@dataclass(frozen=True)
class SuggestedGroup:
    """A proposal shown to the facilitator: note ids (in board order) and a short Japanese label."""

    note_ids: tuple[int, ...]
    label: str


class Term(NamedTuple):
    """One term found in a note. `surface` is how it was written, for labels ("" = never a label)."""

    key: str
    weight: float
    surface: str


class _Run(NamedTuple):
    script: str
    text: str


def normalise(text: str) -> str:
    """NFKC (full-width latin and half-width katakana folded) and one long vowel mark."""
    return _LONG_VOWEL_LOOKALIKES.sub("ー", unicodedata.normalize("NFKC", text))


def _chunks(text: str) -> list[list[_Run]]:
    """Script runs, grouped into chunks that punctuation and spaces separate."""
    chunks = []
    for piece in re.split(r"[^\w]+", normalise(text)):
        runs = [
            _Run(_SCRIPTS[(m.lastindex or 1) - 1], m.group(m.lastindex or 1)) for m in _RUN.finditer(piece)
        ]
        if runs:
            chunks.append(runs)
    return chunks


def _surface(word: str, following: _Run | None) -> str:
    """How a kanji word reads in a label, with its okurigana (子育て, 仕組み, 見守り).

    Without a dictionary the end of a word is a guess: a particle, する or nothing after it means the word
    ends there; a lone kana before a particle is okurigana. Anything longer (避難させる, 集まれる) is an
    inflected form whose okurigana cannot be told from its ending, so the bare kanji are shown.
    """
    if following is None or following.script != "hiragana":
        return word
    kana = following.text
    if kana.startswith(_LONG_PARTICLES) or kana[0] in _SURU or (kana[0] in _PARTICLES and kana[0] != "て"):
        return word
    # て is okurigana in 子育て but a particle after it (子育ての), hence the exception above.
    if len(kana) == 1 or kana[1] in _PARTICLES:
        return word + kana[0]
    return word


def _kanji_terms(run: str, following: _Run | None) -> list[Term]:
    """A kanji run and the kanji in it (防災 → 防災, 防, 災)."""
    if len(run) == 1:
        # A lone kanji is a word of its own (車, 川) or the stem of one (買う, 遊ぶ): never a label,
        # since its ending is unknown, but full evidence.
        return [] if run in STOP_TERMS else [Term(run, WEIGHT_RUN, "")]
    terms = [Term(ch, WEIGHT_KANJI_CHAR, "") for ch in run if ch not in STOP_TERMS]
    if run not in STOP_TERMS:
        terms.append(Term(run, WEIGHT_RUN, _surface(run, following)))
    return terms


def _katakana_terms(run: str) -> list[Term]:
    """A katakana word. (Its parts come from the board: see board_terms.)"""
    # コンピューター and コンピュータ are one word: a trailing long vowel mark is spelling, not meaning.
    key = run.rstrip("ー") if len(run) > 3 else run
    return [] if len(key) < 2 or key in STOP_TERMS else [Term(key, WEIGHT_RUN, run)]


def _latin_terms(run: str) -> list[Term]:
    """Latin words (LINE, SNS) in lower case; bare numbers say nothing about a subject."""
    return [] if run.isdigit() or len(run) < 2 else [Term(run.lower(), WEIGHT_RUN, run)]


def _stem_terms(chunk: list[_Run]) -> list[Term]:
    """Kanji joined across short okurigana (買い物 → 買物, 空き家 → 空家, 引き受け → 引受)."""
    terms = []
    for i in range(len(chunk) - 2):
        a, kana, b = chunk[i : i + 3]
        if (a.script, kana.script, b.script) != ("kanji", "hiragana", "kanji"):
            continue
        # One kana between kanji is okurigana (買い物, 話し合い); two are usually an ending (乗れる乗り物).
        if len(kana.text) == 1 and kana.text not in _PARTICLES and kana.text != "す":
            following = chunk[i + 3] if i + 3 < len(chunk) else None
            terms.append(Term(a.text + b.text, WEIGHT_STEM, _surface(a.text + kana.text + b.text, following)))
    return terms


def note_terms(text: str) -> list[Term]:
    """Every term of one note, in order (a term may repeat)."""
    terms: list[Term] = []
    for chunk in _chunks(text):
        for i, run in enumerate(chunk):
            following = chunk[i + 1] if i + 1 < len(chunk) else None
            if run.script == "kanji":
                terms += _kanji_terms(run.text, following)
            elif run.script == "katakana":
                terms += _katakana_terms(run.text)
            elif run.script == "latin":
                terms += _latin_terms(run.text)
        terms += _stem_terms(chunk)
    return terms


def _weighted_counts(terms: list[Term]) -> dict[str, float]:
    """Summed weight per term key."""
    counts: defaultdict[str, float] = defaultdict(float)
    for term in terms:
        counts[term.key] += term.weight
    return counts


def _is_katakana(word: str) -> bool:
    return bool(word) and all("\u30a1" <= ch <= "\u30fe" for ch in word)


def board_terms(texts: Sequence[str]) -> list[list[Term]]:
    """The terms of each note, plus the words of the board found inside its longer words.

    Without a dictionary, コミュニティバス is one word and 避難所 one run; but when バス or 避難 stands
    alone in another note, the board itself says they are words, so they are added as terms of the
    longer ones (the board is its own dictionary: nothing is assumed about any topic).
    """
    term_lists = [note_terms(text) for text in texts]
    words = {t.key for terms in term_lists for t in terms if t.surface}
    for terms in term_lists:
        parts = []
        for t in terms:
            if t.surface and len(t.key) >= 3:
                # A kanji compound already shares its kanji with its parts; a katakana word shares nothing.
                weight = WEIGHT_KATAKANA_PART if _is_katakana(t.key) else WEIGHT_KANJI_PART
                # Every substring of two or more characters except the whole word (j stops short at i = 0).
                parts += [
                    Term(t.key[i:j], weight, t.key[i:j])
                    for i in range(len(t.key) - 1)
                    for j in range(i + 2, len(t.key) + (i > 0))
                    if t.key[i:j] in words
                ]
        terms += parts
    return term_lists


def vectorise(texts: Sequence[str]) -> list[Vector]:
    """Unit-length TF-IDF vectors of the texts, idf taken over the texts themselves."""
    return term_vectors(board_terms(texts))


def term_vectors(term_lists: Sequence[list[Term]]) -> list[Vector]:
    """Unit-length TF-IDF vectors (sublinear tf, smoothed idf) of notes given as their terms."""
    counts = [_weighted_counts(terms) for terms in term_lists]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    # Smoothed idf stays positive for a term found in every note, so near-duplicates still compare.
    idf = {term: math.log((1 + n) / (1 + d)) + 1 for term, d in df.items()}
    vectors = []
    for c in counts:
        # Sublinear tf: a word said twice in one note is not twice the evidence.
        v = {t: (1 + math.log(w) if w > 1 else w) * idf[t] for t, w in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values()))
        vectors.append({t: x / norm for t, x in v.items()} if norm else {})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two unit vectors (looping over the shorter one)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def similarity_pairs(vectors: Sequence[Vector]) -> dict[tuple[int, int], float]:
    """Cosine of every pair (i < j) that shares a term, via an inverted index (most pairs share none).

    Each vector is compared with the earlier ones through the postings built so far, so every
    multiplication is one that matters, and the sums are kept per row (cheaper than tuple keys).
    """
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    pairs: dict[tuple[int, int], float] = {}
    for j, v in enumerate(vectors):
        row: defaultdict[int, float] = defaultdict(float)
        for t, y in v.items():
            plist = postings[t]
            for i, x in plist:
                row[i] += x * y
            plist.append((j, y))
        pairs.update(((i, j), s) for i, s in row.items())
    return pairs


def similar_notes(target: str, others: Sequence[str], k: int = 3, *, exclude: int | None = None) -> list[int]:
    """Indices into `others` of the (at most) k texts most similar to `target`, most similar first.

    Contract: `others` may hold the target itself (say, all the notes of a board): pass its index as
    `exclude` and that index is never returned. Without `exclude`, every index may be returned, including
    one whose text equals `target`. Texts sharing no term with the target are never returned, so fewer
    than k may come back. Ties go to the lower index, so the answer is deterministic. An `exclude` that is
    not an index into `others` raises ValueError.
    """
    if exclude is not None and not 0 <= exclude < len(others):
        raise ValueError(f"exclude={exclude} is not an index into others ({len(others)} texts)")
    if k <= 0 or not others:
        return []
    # Weigh terms over the whole set, the target counted once.
    texts = list(others) if exclude is not None else [*others, target]
    vectors = vectorise(texts)
    query = vectors[exclude] if exclude is not None else vectors[-1]
    scored = [
        (s, i) for i, v in enumerate(vectors[: len(others)]) if i != exclude and (s := cosine(query, v)) > 0
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [i for _, i in scored[:k]]


def _merge_links(links: dict[int, dict[int, float]], a: int, b: int, new: int) -> None:
    """Replace clusters a and b by `new` in the table of summed similarities."""
    la, lb = links.pop(a), links.pop(b)
    merged: dict[int, float] = {}
    for c in (la.keys() | lb.keys()) - {a, b}:
        other = links[c]
        merged[c] = other.pop(a, 0.0) + other.pop(b, 0.0)
        other[new] = merged[c]
    links[new] = merged


def average_linkage(n: int, pairs: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Agglomerative clustering of n items (average linkage) that stops below `threshold`.

    The average similarity of a merged cluster to a third is a weighted mean of the two old ones, so it
    never exceeds the larger: only pairs already at the threshold can ever lead to a merge, and a heap of
    candidate pairs (stale ones skipped) replaces the O(n³) rescans of the textbook version.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    # Sum of item similarities between two clusters; their average linkage is sum / (|A| × |B|).
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), s in pairs.items():
        links[i][j] = links[j][i] = s
    heap = [(-s, i, j) for (i, j), s in pairs.items() if s >= threshold]
    heapq.heapify(heap)
    new = n
    while heap:
        _, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue  # one of them was merged after this entry was pushed
        members[new] = sorted(members.pop(a) + members.pop(b))
        _merge_links(links, a, b, new)
        for c, total in links[new].items():
            average = total / (len(members[new]) * len(members[c]))
            if average >= threshold:
                heapq.heappush(heap, (-average, c, new))
        new += 1
    return list(members.values())


def cohesion(group: Sequence[int], pairs: dict[tuple[int, int], float]) -> float:
    """Mean pairwise similarity inside a group (of indices)."""
    total = sum(pairs.get((a, b), 0.0) for x, a in enumerate(group) for b in group[x + 1 :])
    return total / (len(group) * (len(group) - 1) / 2)


def label(term_lists: Sequence[list[Term]], vectors: Sequence[Vector]) -> str:
    """A short label from the group's most characteristic terms, as they were written (買い物・送迎).

    Terms most members share come first; among those, the heavier in TF-IDF (rarer on the board) win.
    """
    share: Counter[str] = Counter()
    weight: defaultdict[str, float] = defaultdict(float)
    surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for note, vector in zip(term_lists, vectors, strict=True):
        terms = [t for t in note if t.surface]
        for key in {t.key for t in terms}:
            share[key] += 1
            weight[key] += vector.get(key, 0.0)
        for t in terms:
            surfaces[t.key][t.surface] += 1
    chosen: list[str] = []
    words: list[str] = []
    # After the first term, only terms that a good part of the group shares: a word from two notes out of
    # thirty says nothing about the thirty.
    enough = max(2, math.ceil(len(term_lists) / 3))
    for key in sorted(share, key=lambda t: (-share[t], -weight[t], t)):
        if chosen and share[key] < enough:
            break
        # The commonest spelling, the fuller on a tie: 引き受け rather than the 引き受 of 引き受けられる.
        word = max(surfaces[key], key=lambda w: (surfaces[key][w], len(w), w))
        if any(key in c or c in key for c in chosen) or len("・".join([*words, word])) > LABEL_MAX_CHARS:
            continue  # 子育 next to 子育て支援 adds nothing; a long word would overflow the chip
        chosen.append(key)
        words.append(word)
        if len(words) == LABEL_MAX_TERMS:
            break
    return "・".join(words) or LABEL_FALLBACK


def group_vectors(
    ids: Sequence[int],
    vectors: Sequence[Vector],
    term_lists: Sequence[list[Term]],
    *,
    min_size: int = 2,
    max_groups: int = 12,
    threshold: float = GROUP_THRESHOLD,
) -> list[SuggestedGroup]:
    """The clustering half of suggest_groups, for any vectors (the benchmark feeds it a baseline too).

    `term_lists` are the notes' terms (note_terms), used for the labels only.
    """
    pairs = similarity_pairs(vectors)
    clusters = [c for c in average_linkage(len(vectors), pairs, threshold) if len(c) >= max(min_size, 2)]
    clusters.sort(key=lambda c: _rank_key(c, pairs))
    return [
        SuggestedGroup(
            note_ids=tuple(ids[i] for i in c),
            label=label([term_lists[i] for i in c], [vectors[i] for i in c]),
        )
        for c in clusters[:max_groups]
    ]


def _rank_key(group: list[int], pairs: dict[tuple[int, int], float]) -> tuple[float, int]:
    """Best first: the most support a member gets from the rest of its group, on average.

    That is cohesion × (size − 1): a tight group of five beats a tight pair, yet a pair of near-duplicates
    (cohesion ≈ 1) does not crowd out real groups. The first note breaks ties.
    """
    return (-cohesion(group, pairs) * (len(group) - 1), group[0])


def suggest_groups(
    notes: Sequence[tuple[int, str]], *, min_size: int = 2, max_groups: int = 12
) -> list[SuggestedGroup]:
    """Disjoint groups of similar notes, best first; notes that fit nowhere are left out.

    `notes` are (note id, text) pairs. Each group has at least `min_size` notes (never fewer than 2), its
    ids in the order the notes were given; at most `max_groups` groups come back. The same input (same
    order) always gives the same output: there is no randomness.
    """
    if len(notes) < max(min_size, 2) or max_groups <= 0:
        return []
    term_lists = board_terms([text for _, text in notes])
    ids = [note_id for note_id, _ in notes]
    return group_vectors(ids, term_vectors(term_lists), term_lists, min_size=min_size, max_groups=max_groups)
