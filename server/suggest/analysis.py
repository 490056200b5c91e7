"""Japanese analysis of a sticky note: its content words, normalised, with SudachiPy and SudachiDict (core).

Sudachi cuts the text into words (split mode C, the longest units: 一人暮らし, コミュニティバス), tells
their part of speech and gives a normalised form that folds spelling variants together (子ども and 子供,
コンピュータ and コンピューター, 引きこもり and 引き籠もり, 見守り and 見守る). A note's content words are its
nouns, verbs, adjectives and adjectival nouns, without the grammatical ones Sudachi marks as 非自立 (ほしい,
いる, できる) and without a short general stop list. Each word also carries its short units (split mode A:
高齢者 → 高齢, 者), so that 高齢者 meets 高齢 and 子育て支援 meets 子育て.

The dictionary is loaded once per process (`analyser()`), at application start-up (`server.suggest.load`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode, Tokenizer

# Parts of speech (first level, second level) that carry what a note is about.
_CONTENT_POS = {
    ("名詞", "普通名詞"),
    ("名詞", "固有名詞"),
    ("動詞", "一般"),
    ("形容詞", "一般"),
    ("形状詞", "一般"),
}
# A noun whose third level is one of these is a counter or a numeral-like word (回, 人, 円), never content.
_NOUN_EXCLUDED = {"助数詞可能"}

# General words that say how something is put, not what it is about (in Sudachi's normalised form). None of
# them is taken from a topic: verbs of doing and being, empty nouns, time words, and evaluative adjectives.
_STOP_WORDS = """
    為る 有る 居る 成る 出来る 思う 言う 考える 見る 行く 来る 分かる 持つ 出す 入る 出る 取る 貰う 呉れる
    遣る 付く 付ける 続ける 始める 増やす 減らす 増える 減る 使う 作る 開く 置く 続く 掛ける 合う 合わせる
    事 物 者 方 人 皆 誰 何 所 場 こと もの ところ ため よう とき 中 時 際 今 後 前 上 下 内 外 間 頃 様 為 訳 筈 積もり 感じ 気 自分 皆さん
    仕方 一緒 必要 仕組み 機会 場合 方法 以上 以下 大切 本当 色々 全部 今後 最近 実際 具体 簡単 可能 状態 関係
    多い 少ない 良い 無い 悪い 大きい 小さい 欲しい 難しい 易しい 嬉しい 気軽 一番 沢山 少し 全然 地域 地区
    """
_STOP = frozenset(_STOP_WORDS.split())
# 地域 and 地区 are on the list because every note on a community board is about the community: they say
# nothing about which of its subjects a note is on.

_KANA_ONLY = re.compile("^[\u3041-\u309f\u30fc]+$")


@dataclass(frozen=True)
class Word:
    """A content word of a note: `key` is Sudachi's normalised form, `surface` how it was written."""

    key: str
    surface: str
    pos: str  # 名詞, 動詞, 形容詞, 形状詞
    parts: tuple[str, ...] = ()  # normalised short units of a compound (高齢者 → 高齢); () if it is one unit

    @property
    def noun(self) -> bool:
        return self.pos == "名詞"


def normalise(text: str) -> str:
    """NFKC (full-width Latin and half-width katakana folded) before Sudachi sees the text."""
    return unicodedata.normalize("NFKC", text)


class Analyser:
    """One Sudachi tokenizer and its dictionary, shared by the process (tokenizers are not thread-safe,
    so calls are serialised; a note takes a few tens of microseconds)."""

    def __init__(self) -> None:
        self._tokenizer: Tokenizer = Dictionary(dict="core").create(SplitMode.C)
        self._lock = threading.Lock()
        self.words = lru_cache(maxsize=20_000)(self._words)
        self.phrases = lru_cache(maxsize=20_000)(self._phrases)

    def _words(self, text: str) -> tuple[Word, ...]:
        """The content words of one text, in order (a word may repeat)."""
        words = []
        with self._lock:
            for m in self._tokenizer.tokenize(normalise(text)):
                pos = m.part_of_speech()
                if (pos[0], pos[1]) not in _CONTENT_POS or pos[2] in _NOUN_EXCLUDED:
                    continue
                key = m.normalized_form()
                surface = m.surface()
                if (
                    key in _STOP
                    or m.dictionary_form() in _STOP
                    or (len(surface) < 2 and _KANA_ONLY.match(surface))
                ):
                    continue
                # The short units of a compound noun, when they are words themselves (高齢者 → 高齢, not 者).
                units = m.split(SplitMode.A) if pos[0] == "名詞" else ()
                parts = tuple(
                    u.normalized_form()
                    for u in units
                    if len(units) > 1 and len(u.surface()) > 1 and u.normalized_form() not in _STOP
                )
                words.append(Word(key, surface, pos[0], parts))
        return tuple(words)

    def _phrases(self, text: str) -> tuple[str, ...]:
        """The noun phrases of a text, as written: runs of nouns with their prefixes and suffixes
        (子育て支援, 移動販売, 一人暮らしの高齢者 gives 一人暮らし and 高齢者). Used for labels."""
        phrases: list[str] = []
        run: list[tuple[str, str]] = []  # (surface, normalised form)

        def close() -> None:
            while run and run[-1][1] in _STOP:
                run.pop()  # 見守りの時 → 見守り
            while run and (run[0][1] in _STOP or (len(run) > 1 and run[0][0] in _PREFIX_ONLY)):
                run.pop(0)
            phrase = "".join(surface for surface, _ in run)
            if len(phrase) >= 2 and not _KANA_ONLY.match(phrase):
                phrases.append(phrase)
            run.clear()

        with self._lock:
            for m in self._tokenizer.tokenize(normalise(text)):
                pos = m.part_of_speech()
                nounish = (pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞")) or pos[0] in (
                    "接頭辞",
                    "接尾辞",
                )
                if nounish and pos[2] not in _NOUN_EXCLUDED:
                    run.append((m.surface(), m.normalized_form()))
                else:
                    close()
            close()
        return tuple(phrases)


# Prefixes that say nothing alone at the head of a phrase are dropped there (お買い物 stays: お is polite).
_PREFIX_ONLY = frozenset(["各", "全", "諸"])

_lock = threading.Lock()
_analyser: Analyser | None = None


def analyser() -> Analyser:
    """The process's analyser, created on first use (the app creates it at start-up)."""
    global _analyser
    if _analyser is None:
        with _lock:
            if _analyser is None:
                _analyser = Analyser()
    return _analyser


def content_words(text: str) -> tuple[Word, ...]:
    """The content words of a note (see the module's docstring)."""
    return analyser().words(text)
