"""Word vectors from the `ja-ginza` package, read as a plain table (no spaCy pipeline is loaded).

ja-ginza 5.x ships chiVe-derived word2vec vectors (300 dimensions) in its spaCy model: 20,000 rows and about
480,000 words, each mapped to a row (words pruned from the table point at the row of their nearest kept
word, so 送り迎え shares the row of 送迎). The model's `vocab/vectors` is a NumPy array and `vocab/key2row` a
msgpack map from spaCy's 64-bit MurmurHash of a word to its row. Reading only those two files takes about
0.3 s and 30 MB, where loading the whole GiNZA pipeline (spaCy, parser, NER) takes several seconds and
hundreds of MB; the words themselves come from Sudachi (analysis.py), which is what GiNZA uses too.

The table is loaded once per process (`word_vectors()`), at application start-up (`server.suggest.load`).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import srsly

Matrix = npt.NDArray[np.float32]

_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy hashes a string (`spacy.strings.hash_string`: UTF-8, seed 1)."""
    h = (seed ^ (len(data) * _M)) & _MASK
    full = len(data) // 8 * 8
    for i in range(0, full, 8):
        k = (int.from_bytes(data[i : i + 8], "little") * _M) & _MASK
        k = ((k ^ (k >> 47)) * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    if full < len(data):
        h = ((h ^ int.from_bytes(data[full:], "little")) * _M) & _MASK
    h = ((h ^ (h >> 47)) * _M) & _MASK
    return h ^ (h >> 47)


def model_vocab_dir() -> Path:
    """`vocab/` of the installed ja_ginza model, found without importing it (that would import spaCy)."""
    spec = importlib.util.find_spec("ja_ginza")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ja-ginza is not installed (pip install -e .)")
    package = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(package.glob("ja_ginza-*/vocab/vectors"))
    if not found:
        raise RuntimeError(f"no vectors table under {package}")
    return found[-1].parent


class WordVectors:
    """Unit-length word vectors, looked up by a word's text."""

    def __init__(self, vocab_dir: Path | None = None) -> None:
        directory = vocab_dir or model_vocab_dir()
        table = np.load(directory / "vectors", allow_pickle=False).astype(np.float32, copy=False)
        norms = np.linalg.norm(table, axis=1, keepdims=True)
        self.table: Matrix = table / np.where(norms > 0, norms, 1)
        key2row: dict[int, int] = srsly.msgpack_loads((directory / "key2row").read_bytes())
        keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
        rows = np.fromiter(key2row.values(), dtype=np.int32, count=len(key2row))
        del key2row
        order = np.argsort(keys)
        self._keys = keys[order]
        self._rows = rows[order]
        self.dim = int(self.table.shape[1])
        self.row = lru_cache(maxsize=50_000)(self._row)

    def __len__(self) -> int:
        return len(self._keys)

    def _row(self, word: str) -> int | None:
        """The row of a word in the table, or None if the model does not know it."""
        key = np.uint64(murmurhash64a(word.encode("utf-8")))
        i = int(np.searchsorted(self._keys, key))
        return int(self._rows[i]) if i < len(self._keys) and self._keys[i] == key else None


_lock = threading.Lock()
_vectors: WordVectors | None = None


def word_vectors() -> WordVectors:
    """The process's word vectors, loaded on first use (the app loads them at start-up)."""
    global _vectors
    if _vectors is None:
        with _lock:
            if _vectors is None:
                _vectors = WordVectors()
    return _vectors
