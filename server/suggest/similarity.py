"""Similar notes and suggested groups of a board's sticky notes, computed locally (no network).

A note is read by Sudachi (analysis.py): its content words, in their normalised form (子ども = 子供,
見守り = 見守る), and the short units of its compounds (高齢者 → 高齢). Two notes are then compared three
ways, and the similarity is a weighted mean of the three cosines:

- **lexical**: TF-IDF over those words (idf taken over the board): the words they share;
- **semantic**: the idf-weighted mean of their words' vectors (chiVe word2vec from ja-ginza, vectors.py),
  less the direction all words share: 送迎 is near 運転, スーパー near 買い物;
- **themes**: where each note stands among the themes of the plan (themes.py): each word leans towards the
  themes whose words it comes closest to (a softmax over its best cosine with each theme), and the note's
  profile is the idf-weighted mean of its words' leanings, less the even spread.

Groups come from average-linkage agglomerative clustering that stops at a similarity threshold. Then only
coherent groups are proposed: a member whose mean similarity to the rest of its group is too low is let go
(the weakest first), a group whose members are not similar enough on average is dropped, and a member that
is not clearly closer to its own group than to any other group (a margin) is let go too. A note that resembles
nothing well enough, or two groups about as well, stays out of every group: fewer groups, and better ones; a
left-out note that leans clearly to a group's theme and is closest to it joins it afterwards.

Each group says why: the words its members share, and the theme of the plan most of them lean to, which also
names it; without one, the group is named by the noun phrase its members share most (or the central note's).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from server.suggest.analysis import Word
from server.suggest.model import Model, model

Matrix = npt.NDArray[np.float32]

# A short unit of a compound (高齢 in 高齢者) is partial evidence: half a word.
WEIGHT_PART = 0.5
# Weights of the three similarities and the temperature (chosen with bench/tune_similarity.py on
# bench/data/corpus_tune.tsv only: P@3 on it, and with each theme left out in turn).
WEIGHT_LEXICAL = 1.0
WEIGHT_SEMANTIC = 1.0
WEIGHT_THEMES = 6.0
# Temperature of a word's leaning among the themes: lower = each word picks one theme, higher = spreads.
THEME_TEMPERATURE = 0.3
# When True, a word that is an entry of the lexicon leans to its theme only (else by its vector). Off: on the
# tuning half it grouped more notes with lower pair precision (no setting of the gate reached 0.80 at theme
# weight 6–8, and at 4 the gate's ARI was lower: 0.24 against 0.30).
THEME_EXACT = False
# The "no theme" state: a word whose best cosine with every theme's words is under this leans to no theme (a
# softmax column of its own that is then dropped), so a note about something the plan does not name (a choir, a
# dog run) has a weak theme profile and is compared by its words and vectors, not pulled to the nearest theme.
# (Chosen with the gate, bench/tune_gate.py: it changes which notes are grouped more than their ranking.)
THEME_NONE = 0.4
# Words that are on every community board whatever its subject, or that several themes share (in Sudachi's
# normalised form; written from general knowledge, none is a theme's entry): they count GENERIC_WEIGHT in the
# semantic and theme parts, and as a short unit (WEIGHT_PART) in the lexical part. 近所 was a word of 見守り in
# the earlier lexicon, which put any note saying 近所 under 見守り.
GENERIC_WEIGHT = 0.3
_GENERIC = "近所 高齢 高齢者 御年寄り 年寄り 活動 住民 市民 支援 協力 取り組み 取組 町 街 地元 皆 家 自宅 イベント 企画 参加者 人達 方々 世代"
GENERIC_WORDS = frozenset(_GENERIC.split())
# A note's theme profile counts fully when its leaning (the distance of its theme mix from the even spread)
# is at least this, and in proportion below it (same tuning; the median note of the tuning half leans 0.3).
THEME_FULL = 0.225
# A group's theme names it when at least this share of its members lean to it most.
THEME_AGREEMENT = 0.6

# Average linkage stops when the best pair of clusters is less similar than this (chosen with bench/suggest.py
# on bench/data/corpus_tune.tsv only; higher = fewer, smaller clusters for the gate to trim). bench/tune_pass.py
# chose 0.45 on the tuning half (a narrow peak: ARI 0.322 rather than 0.318 with a theme left out); at the one
# look of meaning4 it was the same or worse on every untuned set (held-out 2 ARI 0.340 → 0.331, held-out 4 pair
# precision 0.597 → 0.584), so the engine stays at 0.4.
GROUP_THRESHOLD = 0.4
# Coherence (same tuning, bench/tune_gate.py): a member must have this mean similarity to the rest of its
# group, and a group this mean similarity between its members, or it is not proposed.
MEMBER_SUPPORT = 0.6
GROUP_COHESION = 0.55
# Margin (same tuning): a member must be this much closer to the rest of its group (mean similarity) than to
# any other proposed group, or it is let go: a note that could as well go elsewhere is not proposed anywhere.
# −1 turns it off: with the richer lexicon, the tuning rule found no gain from it.
GROUP_MARGIN = -1.0
# The margin is checked this many times (letting a member go changes the groups the others are compared to).
MARGIN_PASSES = 2
# Attachment (bench/tune_attach.py, tuning half only): a note left out of every proposed group joins the group
# it is closest to (mean similarity to its members) when the note leans to a theme with at least ATTACH_STRENGTH
# (0..1, Board.strength), that theme is the group's, the mean similarity is at least ATTACH_MIN, and at least
# ATTACH_MARGIN more than to the next group. The groups are formed first and do not move; inf turns it off.
ATTACH_STRENGTH = 0.65
ATTACH_MIN = 0.3
ATTACH_MARGIN = 0.0

# Labels are joined with 「・」 and kept short enough for a chip on the facilitator's console.
LABEL_MAX_CHARS = 20
LABEL_FALLBACK = "似ている付箋"


@dataclass(frozen=True)
class SuggestedGroup:
    """A proposal shown to the facilitator: note ids (in board order), a short Japanese label, and why."""

    note_ids: tuple[int, ...]
    label: str
    shared: tuple[str, ...] = ()  # the words several members share, as written (most shared first)
    theme: str | None = None  # the theme of the plan most members lean to, if enough of them do
    cohesion: float = 0.0  # mean similarity between members (0..1)


class Board:
    """The notes of a board, analysed once: their words, vectors and pairwise similarities."""

    def __init__(self, texts: Sequence[str], m: Model | None = None) -> None:
        m = m or model()
        self.texts = list(texts)
        self.words: list[tuple[Word, ...]] = [m.analyser.words(t) for t in self.texts]
        self.lexical = _tfidf(self.words)
        self.semantic, self.theme_mix = _semantic(self.words, m)
        has_words = self.theme_mix.sum(axis=1, keepdims=True) > 0
        # Less the even spread of what leans to some theme (a note's mix sums to under 1: the rest is no theme).
        spread = self.theme_mix.sum(axis=1, keepdims=True) / len(m.theme_names)
        leaning = np.where(has_words, self.theme_mix - spread, 0.0)
        # A note that leans only a little to any theme is only a little about it: the themes' part of a pair's
        # similarity weighs WEIGHT_THEMES times both notes' strength (0..1), and the rest is words and vectors.
        self.strength = np.minimum(1.0, np.linalg.norm(leaning, axis=1) / THEME_FULL).astype(np.float32)
        self.themes = _unit_rows(leaning)
        self.theme_names = m.theme_names
        theme_weight = WEIGHT_THEMES * np.outer(self.strength, self.strength)
        self.similarity: Matrix = (
            (
                WEIGHT_LEXICAL * (self.lexical @ self.lexical.T)
                + WEIGHT_SEMANTIC * (self.semantic @ self.semantic.T)
                + theme_weight * (self.themes @ self.themes.T)
            )
            / (WEIGHT_LEXICAL + WEIGHT_SEMANTIC + theme_weight)
        ).astype(np.float32)

    def __len__(self) -> int:
        return len(self.texts)

    def shared(self, i: int, j: int) -> list[str]:
        """The content words notes i and j share, as note j wrote them, in j's order."""
        mine = {w.key for w in self.words[i]}
        return list(dict.fromkeys(w.surface for w in self.words[j] if w.key in mine))

    def common_theme(self, i: int, j: int) -> str | None:
        """The theme both notes lean to most, if it is the same one."""
        a, b = self.theme_mix[i], self.theme_mix[j]
        if a.sum() == 0 or b.sum() == 0 or int(a.argmax()) != int(b.argmax()):
            return None
        return self.theme_names[int(a.argmax())]

    def nearest(self, i: int, k: int) -> list[int]:
        """Indices of the (at most) k notes most similar to note i, most similar first, ties to the lower."""
        row = self.similarity[i].copy()
        row[i] = -np.inf
        order = np.argsort(-row, kind="stable")
        return [int(j) for j in order[:k] if row[j] > 0]


def _tfidf(words: Sequence[tuple[Word, ...]]) -> Matrix:
    """Unit-length TF-IDF rows (sublinear tf, smoothed idf over the board) of words and compound parts."""
    counts: list[dict[str, float]] = []
    for note in words:
        c: defaultdict[str, float] = defaultdict(float)
        for w in note:
            c[w.key] += WEIGHT_PART if w.key in GENERIC_WORDS else 1.0
            for p in w.parts:
                c[p] += WEIGHT_PART
        counts.append(c)
    df: Counter[str] = Counter()
    for note_counts in counts:
        df.update(note_counts.keys())
    vocabulary = {term: i for i, term in enumerate(sorted(df))}
    n = len(counts)
    m = np.zeros((n, max(len(vocabulary), 1)), dtype=np.float32)
    for i, note_counts in enumerate(counts):
        for term, tf in note_counts.items():
            idf = math.log((1 + n) / (1 + df[term])) + 1
            m[i, vocabulary[term]] = (1 + math.log(tf) if tf > 1 else tf) * idf
    return _unit_rows(m)


def _semantic(words: Sequence[tuple[Word, ...]], m: Model) -> tuple[Matrix, Matrix]:
    """Each note's unit semantic vector (idf-weighted mean of its word vectors, less the common direction),
    and its theme mix: the idf-weighted mean of its words' leanings among the themes (rows sum to 1, or 0
    for a note with no known word)."""
    n = len(words)
    df: Counter[str] = Counter()
    for note in words:
        df.update({w.key for w in note})
    # Every known word of the board at once: its note, its idf weight and its unit vector.
    owner, weight, rows, exact = [], [], [], []
    for i, note in enumerate(words):
        for w in note:
            if (v := m.word_vector(w)) is not None:
                exact.append(m.entry_themes.get(w.key) or m.entry_themes.get(w.surface) or set())
                owner.append(i)
                generic = GENERIC_WEIGHT if w.key in GENERIC_WORDS else 1.0
                weight.append(generic * (math.log((1 + n) / (1 + df[w.key])) + 1))
                rows.append(v)
    semantic = np.zeros((n, m.vectors.dim), dtype=np.float32)
    mix = np.zeros((n, len(m.theme_names)), dtype=np.float32)
    if not rows:
        return semantic, mix
    unit = np.array(rows, dtype=np.float32)
    weights = np.array(weight, dtype=np.float32)
    notes = np.array(owner, dtype=np.intp)
    np.add.at(semantic, notes, weights[:, None] * unit)
    # Each word's best cosine with each theme's words (anchors are stored theme by theme), then a softmax.
    best = np.maximum.reduceat(unit @ m.anchors.T, m.theme_starts, axis=1)
    best = np.concatenate([best, np.full((len(best), 1), THEME_NONE, np.float32)], axis=1)
    leaning = np.exp((best - best.max(axis=1, keepdims=True)) / THEME_TEMPERATURE)
    leaning = (leaning / leaning.sum(axis=1, keepdims=True))[:, :-1]
    if THEME_EXACT:
        # A word that is one of a theme's entries leans to that theme (or those themes) only.
        for k, themes in enumerate(exact):
            if themes:
                leaning[k] = 0.0
                leaning[k, list(themes)] = 1.0 / len(themes)
    np.add.at(mix, notes, weights[:, None] * leaning)
    totals = np.zeros(n, dtype=np.float32)
    np.add.at(totals, notes, weights)
    mix /= np.where(totals > 0, totals, 1.0)[:, None]
    semantic -= np.outer(semantic @ m.common, m.common)
    return _unit_rows(semantic), mix


def _unit_rows(m: Matrix) -> Matrix:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(norms > 0, norms, 1)).astype(np.float32)


def average_linkage(similarity: Matrix, threshold: float) -> list[list[int]]:
    """Agglomerative clustering (average linkage) of the items of a similarity matrix, stopping below
    `threshold`. Clusters are lists of item indices, in increasing order. Ties go to the lower indices.

    Two matrices are kept: the summed similarities between clusters and their averages. A merge adds the
    second cluster's row of sums to the first's and recomputes only that row and column of averages, so each
    step is one argmax over the matrix (300 notes: tens of milliseconds in all).
    """
    n = len(similarity)
    sums = similarity.astype(np.float64, copy=True)
    average = sums.copy()
    np.fill_diagonal(average, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        a, b = divmod(int(np.argmax(average)), n)
        if average[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        sums[a, :] += sums[b, :]
        sums[:, a] = sums[a, :]
        sizes[a] += sizes[b]
        members[a] = sorted(members[a] + members.pop(b))
        alive[b] = False
        row = np.where(alive, sums[a, :] / (sizes[a] * sizes), -np.inf)
        row[a] = -np.inf
        average[a, :] = row
        average[:, a] = row
        average[b, :] = -np.inf
        average[:, b] = -np.inf
    return [members[i] for i in sorted(members)]


def cohesion(group: Sequence[int], similarity: Matrix) -> float:
    """Mean pairwise similarity inside a group (of indices)."""
    block = similarity[np.ix_(group, group)]
    size = len(group)
    return float((block.sum() - np.trace(block)) / (size * (size - 1)))


def shared_words(board: Board, group: Sequence[int]) -> list[tuple[str, int]]:
    """The words (as most often written) that at least two members share, most shared first, then the rarer
    on the board: (word, how many members have it)."""
    share: Counter[str] = Counter()
    board_df: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for note in board.words:
        board_df.update({w.key for w in note})
    for i in group:
        for w in board.words[i]:
            surfaces.setdefault(w.key, Counter())[w.surface] += 1
        share.update({w.key for w in board.words[i]})
    keys = sorted((k for k, c in share.items() if c >= 2), key=lambda k: (-share[k], board_df[k], k))
    return [(surfaces[k].most_common(1)[0][0], share[k]) for k in keys]


def coherent(group: list[int], similarity: Matrix) -> list[int] | None:
    """The group without the members the rest does not support (weakest first), if it is still coherent."""
    group = list(group)
    while len(group) > 2:
        block = similarity[np.ix_(group, group)]
        support = (block.sum(axis=1) - np.diag(block)) / (len(group) - 1)
        weakest = int(np.argmin(support))
        if support[weakest] >= MEMBER_SUPPORT:
            break
        del group[weakest]
    return group if len(group) >= 2 and cohesion(group, similarity) >= GROUP_COHESION else None


def apart(clusters: list[list[int]], similarity: Matrix) -> list[list[int]]:
    """The groups without the members that are not GROUP_MARGIN closer to the rest of their own group than to
    another group (mean similarities), kept if still coherent; MARGIN_PASSES times."""
    for _ in range(MARGIN_PASSES):
        if len(clusters) < 2:
            break
        # Each note's mean similarity to each group: one column per group.
        means = np.stack([similarity[:, c].mean(axis=1) for c in clusters], axis=1)
        kept = []
        for g, c in enumerate(clusters):
            block = similarity[np.ix_(c, c)]
            own = (block.sum(axis=1) - np.diag(block)) / (len(c) - 1)
            others = np.delete(means[c], g, axis=1).max(axis=1)
            members = [i for i, ok in zip(c, own - others >= GROUP_MARGIN, strict=True) if ok]
            if len(members) >= 2 and cohesion(members, similarity) >= GROUP_COHESION:
                kept.append(members)
        clusters = kept
    return clusters


def _top_theme(board: Board, i: int) -> str | None:
    """The theme note i leans to most, or None for a note with no known word."""
    mix = board.theme_mix[i]
    return board.theme_names[int(mix.argmax())] if mix.sum() > 0 else None


def attach(board: Board, clusters: list[list[int]]) -> list[list[int]]:
    """The groups with each note that is in none of them added to the one it clearly belongs to (付箋の追加):
    the note leans to the group's theme (strength at least ATTACH_STRENGTH) and is closest to that group (mean
    similarity at least ATTACH_MIN, and ATTACH_MARGIN above the next group)."""
    if not clusters or not math.isfinite(ATTACH_STRENGTH):
        return clusters
    similarity = board.similarity
    grouped = {i for c in clusters for i in c}
    themes = [group_theme(board, c) for c in clusters]
    means = np.stack([similarity[:, c].mean(axis=1) for c in clusters], axis=1)
    added: list[list[int]] = [[] for _ in clusters]
    for i in range(len(similarity)):
        if i in grouped or board.strength[i] < ATTACH_STRENGTH or board.theme_mix[i].sum() == 0:
            continue
        order = np.argsort(-means[i], kind="stable")
        best = int(order[0])
        runner_up = float(means[i, order[1]]) if len(order) > 1 else -math.inf
        if (
            themes[best] == _top_theme(board, i)
            and means[i, best] >= ATTACH_MIN
            and means[i, best] - runner_up >= ATTACH_MARGIN
        ):
            added[best].append(i)
    return [sorted(c + extra) for c, extra in zip(clusters, added, strict=True)]


def group_theme(board: Board, group: Sequence[int]) -> str | None:
    """The theme most members lean to most, if at least THEME_AGREEMENT of them do."""
    leanings = board.theme_mix[list(group)]
    known = leanings.sum(axis=1) > 0
    if not known.any():
        return None
    top = np.bincount(leanings[known].argmax(axis=1), minlength=len(board.theme_names))
    best = int(np.argmax(top))
    return board.theme_names[best] if top[best] >= THEME_AGREEMENT * len(group) else None


def central_phrase(board: Board, group: Sequence[int]) -> str:
    """The noun phrase most members share (the longer on a tie), else the central member's first phrase."""
    m = model()
    phrases = {i: m.analyser.phrases(board.texts[i]) for i in group}
    counts: Counter[str] = Counter()
    for candidate in {p for ps in phrases.values() for p in ps}:
        counts[candidate] = sum(candidate in board.texts[i] for i in group)
    if counts:
        best, n = max(counts.items(), key=lambda item: (item[1], len(item[0]), item[0]))
        if n >= 2 and len(best) <= LABEL_MAX_CHARS:
            return best
    block = board.similarity[np.ix_(list(group), list(group))]
    for i in [group[j] for j in np.argsort(-block.sum(axis=1), kind="stable")]:
        for phrase in phrases[i]:
            if len(phrase) <= LABEL_MAX_CHARS:
                return phrase
    return LABEL_FALLBACK


def group_board(
    board: Board,
    ids: Sequence[int],
    *,
    min_size: int = 2,
    max_groups: int = 12,
    threshold: float | None = None,
) -> list[SuggestedGroup]:
    """The clustering half of suggest_groups, for an analysed board (threshold: GROUP_THRESHOLD by default)."""
    similarity = board.similarity
    threshold = GROUP_THRESHOLD if threshold is None else threshold
    coherent_clusters = [
        kept
        for c in average_linkage(similarity, threshold)
        if len(c) >= 2 and (kept := coherent(c, similarity)) is not None
    ]
    clusters = [c for c in apart(coherent_clusters, similarity) if len(c) >= max(min_size, 2)]
    # Best first: the support a member gets from the rest of its group, on average (cohesion × (size − 1)).
    clusters.sort(key=lambda c: (-cohesion(c, similarity) * (len(c) - 1), c[0]))
    groups = []
    for c in attach(board, clusters[:max_groups]):
        theme = group_theme(board, c)
        groups.append(
            SuggestedGroup(
                note_ids=tuple(ids[i] for i in c),
                label=theme or central_phrase(board, c),
                shared=tuple(w for w, _ in shared_words(board, c)[:4]),
                theme=theme,
                cohesion=round(cohesion(c, similarity), 2),
            )
        )
    return groups


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
    board = Board([text for _, text in notes])
    return group_board(board, [note_id for note_id, _ in notes], min_size=min_size, max_groups=max_groups)


def similar_notes(target: str, others: Sequence[str], k: int = 3, *, exclude: int | None = None) -> list[int]:
    """Indices into `others` of the (at most) k texts most similar to `target`, most similar first.

    Contract: `others` may hold the target itself (say, all the notes of a board): pass its index as
    `exclude` and that index is never returned. Without `exclude`, every index may be returned, including
    one whose text equals `target`. Texts with no similarity to the target are never returned, so fewer
    than k may come back. Ties go to the lower index, so the answer is deterministic. An `exclude` that is
    not an index into `others` raises ValueError.
    """
    if exclude is not None and not 0 <= exclude < len(others):
        raise ValueError(f"exclude={exclude} is not an index into others ({len(others)} texts)")
    if k <= 0 or not others:
        return []
    if exclude is not None:
        return Board(others).nearest(exclude, k)
    # The target is the last note of the board, so nearest() never returns it.
    return Board([*others, target]).nearest(len(others), k)
