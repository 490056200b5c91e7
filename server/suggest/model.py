"""What the suggestions read, loaded once per process: Sudachi, the word vectors and the theme lexicon.

`load()` is called at application start-up (server/app.py), so the first request pays nothing; anything
else calling `model()` first loads it then. Loading takes about 0.3 s and 130 MB (docs/suggestions.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from server.suggest.analysis import Analyser, Word, analyser
from server.suggest.themes import THEMES
from server.suggest.vectors import WordVectors, word_vectors

Vector = npt.NDArray[np.float32]


@dataclass
class Model:
    analyser: Analyser
    vectors: WordVectors
    #: The direction every word shares (the table's first principal component), taken out of note vectors:
    #: without it any two notes look alike (SIF's common component, fixed so a board of two notes is safe).
    common: Vector
    theme_names: tuple[str, ...]
    #: One unit row per theme word, and the index of its theme.
    anchors: Vector
    anchor_theme: npt.NDArray[np.intp]
    #: Where each theme's rows start in `anchors` (they are stored theme by theme).
    theme_starts: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))
    #: A theme word (its normalised form, and the entry as written) → the themes that list it.
    entry_themes: dict[str, set[int]] = field(default_factory=dict)
    _word_cache: dict[Word, Vector | None] = field(default_factory=dict)

    def word_vector(self, word: Word) -> Vector | None:
        """The unit vector of a content word: its normalised form, else as written, else the mean of its
        short units (a compound the vectors do not know, e.g. 電動自転車); None if none is known."""
        if word in self._word_cache:
            return self._word_cache[word]
        rows = [r for r in (self.vectors.row(word.key), self.vectors.row(word.surface)) if r is not None][:1]
        if not rows:
            rows = [r for r in map(self.vectors.row, word.parts) if r is not None]
        vector: Vector | None = None
        if rows:
            v = self.vectors.table[rows].mean(axis=0)
            vector = (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)
        if len(self._word_cache) < 100_000:
            self._word_cache[word] = vector
        return vector


def _build() -> Model:
    a = analyser()
    vectors = word_vectors()
    table = vectors.table
    # First principal component from the 300 × 300 covariance (an SVD of the whole table takes seconds).
    mean = table.mean(axis=0, dtype=np.float64)
    covariance = (table.T @ table).astype(np.float64) - len(table) * np.outer(mean, mean)
    common = np.linalg.eigh(covariance)[1][:, -1].astype(np.float32)
    model = Model(
        a, vectors, common, tuple(THEMES), np.zeros((0, vectors.dim), np.float32), np.zeros(0, np.intp)
    )
    rows, owners = [], []
    for t, words in enumerate(THEMES.values()):
        for text in words:
            # One row per entry: its own vector, else the mean of its words' (国際交流 is not 交流).
            found = [v for w in a.words(text) if (v := model.word_vector(w)) is not None]
            if (r := vectors.row(text)) is not None:
                found = [table[r]]
            if found:
                v = np.mean(found, axis=0)
                rows.append(v / (np.linalg.norm(v) or 1.0))
                owners.append(t)
            # A note's word that is an entry itself leans to the entry's themes, whatever its vector is near.
            words_of_entry = a.words(text)
            if len(words_of_entry) == 1:
                model.entry_themes.setdefault(words_of_entry[0].key, set()).add(t)
            model.entry_themes.setdefault(text, set()).add(t)
    model.anchors = np.array(rows, dtype=np.float32)
    model.anchor_theme = np.array(owners, dtype=np.intp)
    model.theme_starts = np.searchsorted(model.anchor_theme, np.arange(len(THEMES))).astype(np.intp)
    return model


_lock = threading.Lock()
_model: Model | None = None


def model() -> Model:
    """The process's model, built on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _build()
    return _model


def load() -> None:
    """Load everything now (application start-up), so that no request waits for it."""
    model()
    _release_freed_memory()


def _release_freed_memory() -> None:
    """Hand back to the system what loading freed (the vectors' msgpack map is read into Python objects
    first, about 60 MB): glibc keeps freed memory otherwise. Nothing happens on other C libraries."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
