"""More everyday words in the themes' lexicon, tried on bench/data/corpus_tune.tsv only (run by hand).

    nice -n 15 .venv/bin/python bench/tune_lexicon.py       # the engine as it is, each variant, then the one chosen

Why (branch meaning7): on held-out 6 the groups were mostly right but too few notes were in them (49 of 160; ARI
0.172); none of its 11 空き家 notes was grouped, most of them saying 実家, 家, 庭 and leaning only weakly to the
空き家 theme. The lever tried here is the lexicon (server/suggest/themes.py): everyday words a resident uses for a
theme without its keyword, written from general knowledge of Japanese community life (never from a labelled
note; the same author wrote bench/data/heldout7_notes.tsv just before, which is why the older held-out sets, never
read by this author, are the fairer check of this step). ADDITIONS holds them, theme by theme.

The variants, declared before any was measured:
- "all": ADDITIONS for every theme;
- "vacant": the additions to 空き家・活動の場所 only (the theme held-out 6 missed).

Each is scored as in bench/tune_pass.py: the tuning half as it is, and with each of the 14 themes of the lexicon
left out in turn (mean of the 14; the theme left out loses its added words too).

The rule, written and committed before this script was run (the lead's brief, issue 16):
- eligible: keeps the two product rules of tests/test_suggest.py; ARI, whole and left out, each at least the
  engine's before minus 0.005 (ARI_TOLERANCE); pair precision at least 0.80 (MIN_PAIR_PRECISION) on both, whole
  and left out;
- chosen: the eligible variant with the highest left-out ARI (then the higher whole ARI, then the fewer words),
  and only if that left-out ARI is at least 0.005 (MIN_GAIN) above the engine's before; else the engine keeps its
  lexicon. Figures rounded to 3 places. No untuned set (corpus_test.tsv, heldout*_notes.tsv) is read here.

What it found (one run at commit 982474d, 5 s; ARI whole / left out, pairs whole / left out, notes grouped of 96):
- the engine: 0.320 / 0.318, 0.866 / 0.800, 48 (362 entries);
- "all" (547 entries): 0.384 / 0.403, 0.841 / **0.780**, 56: the most ARI, but left-out pair precision under 0.80,
  so not eligible;
- "vacant" (382 entries): 0.351 / 0.341, 0.851 / 0.813, 51: eligible, +0.023 left-out ARI: **chosen by the rule.**
**But it is not shipped.** Put into server/suggest/themes.py, "vacant" failed the standing floor of
tests/test_suggest.py (test_quality_floor_on_the_half_never_tuned_on) on the test half, corpus_test.tsv: pair
precision 0.683 against the floor of 0.70 (the engine: 0.714); P@3 and ARI stayed over their floors. The brief
asks for that test to stay green, and changing the engine again after seeing a figure of an untuned set would be
tuning on it, so the change was reverted (the lexicon is main's) and nothing else was tried. The variant's diff is
in docs/suggestions.md's meaning7 section; `bench/tune_lexicon.py` still runs (it builds each lexicon itself).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.suggest import load_corpus  # noqa: E402
from bench.tune_gate import MIN_PAIR_PRECISION, TUNE, keeps_the_product_rules, without_theme  # noqa: E402
from bench.tune_pass import score  # noqa: E402
from server.suggest import model as M  # noqa: E402
from server.suggest import similarity as S  # noqa: E402
from server.suggest import themes as T  # noqa: E402

ARI_TOLERANCE = 0.005
MIN_GAIN = 0.005

# Everyday words per theme, written from general knowledge (see the module's docstring). A word several themes
# share (家, 近所, 草, 暗い, 車) is in none; each is one word for Sudachi (a phrase such as 避難経路 or 防犯カメラ
# would be read as two words, one of them shared with other subjects, and is not here).
ADDITIONS: dict[str, str] = {
    "買い物支援": "食品 惣菜 弁当 牛乳 朝市 直売所 売る 売り場 通販 薬局 ドラッグストア 品切れ 売り切れ レジ 精肉店 鮮魚店 青果",
    "移動・外出の支援": "路線 乗り継ぎ 運賃 返納 始発 終バス 徒歩 自転車 付き添い 駅前 ロータリー 出かける 通う",
    "見守り・支え合い": "無事 具合 雨戸 新聞 郵便物 明かり 孤独死 訪ねる 徘徊 付き合い 近況 合鍵",
    "子ども・子育て支援": "夏休み 寺子屋 読み聞かせ 絵本 子連れ 保護者 共働き 待機児童 子供会 小学校 中学校 部活 塾 制服 おもちゃ 幼児",
    "防災・災害への備え": "揺れ 家具 逃げる 浸水 冠水 氾濫 がけ崩れ 応急手当 救命 AED 井戸 懐中電灯 震災 余震 耐震",
    "空き家・活動の場所": "放置 草木 庭木 老朽 老朽化 倒壊 廃屋 相続 実家 持ち主 管理 住む 無人 売却 解体 固定資産税 借り手 改装 リフォーム 修繕",
    "担い手・若い世代の参加": "会長 班長 組長 輪番 持ち回り 会合 役割 入会 退会 顔ぶれ 転入",
    "地域の情報発信": "掲示 掲示物 貼り紙 連絡網 会報 通知 広める 発行 紙面 文字 宣伝 口コミ 伝わる",
    "多世代交流・居場所": "憩い 井戸端 駄菓子屋 将棋 囲碁 手芸 教え合う 顔なじみ 寄り合い 退職 シニア 年配",
    "孤立・相談支援": "弱音 愚痴 死別 心細い 閉じこもり 生活保護 借金 家計 失業 身寄り",
    "環境・緑・ごみ": "空き缶 ペットボトル 吸い殻 投棄 粗大ごみ 側溝 竹林 谷戸 生き物 ホタル 野鳥 堆肥 コンポスト 緑地 並木 剪定 外来種",
    "健康づくり・介護予防": "足腰 膝 腰痛 物忘れ 口腔 噛む 歩数 骨折 転ぶ 減塩 食生活 睡眠 かかりつけ 医療 生活習慣病",
    "防犯・安全": "不審 怪しい 還付金 押し売り 暗がり ひったくり 盗難 侵入",
    "多文化共生": "言葉 ふりがな 宗教 在留 移住 海外",
}
VARIANTS: dict[str, tuple[str, ...]] = {
    "all": tuple(ADDITIONS),
    "vacant": ("空き家・活動の場所",),
}


def lexicon(themes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The engine's lexicon with ADDITIONS for the given themes (each added word once)."""
    added = {name: tuple(w for w in ADDITIONS[name].split() if w not in T.THEMES[name]) for name in themes}
    return {name: words + added.get(name, ()) for name, words in T.THEMES.items()}


def boards_with(themes: dict[str, tuple[str, ...]]) -> tuple[list[S.Board], list[str], int]:
    """The tuning half's boards (whole lexicon, then each theme left out) with this lexicon; the process's model
    is replaced by it so that the product rules are checked with it too. Also the number of entries."""
    M.THEMES = themes
    m = M._build()
    M._model = m
    rows = load_corpus(TUNE)
    texts = [text for _, text in rows]
    models = [m] + [without_theme(m, t) for t in range(len(m.theme_names))]
    return (
        [S.Board(texts, each) for each in models],
        [topic for topic, _ in rows],
        sum(map(len, themes.values())),
    )


def main() -> None:
    engine = dict(T.THEMES)
    boards, topics, entries = boards_with(engine)
    before, before_grouped = score(boards, topics)
    print("before:", before, "grouped:", before_grouped, "entries:", entries, flush=True)
    eligible = []
    for name, themes in VARIANTS.items():
        boards, topics, entries = boards_with(lexicon(themes))
        figures, grouped = score(boards, topics)
        rules = keeps_the_product_rules()
        print(
            name,
            "ARI, pairs (whole); ARI, pairs (a theme left out):",
            figures,
            "grouped:",
            grouped,
            "entries:",
            entries,
            "" if rules else "(breaks a product rule)",
            flush=True,
        )
        if (
            rules
            and figures[0] >= before[0] - ARI_TOLERANCE
            and figures[2] >= before[2] - ARI_TOLERANCE
            and min(figures[1], figures[3]) >= MIN_PAIR_PRECISION
        ):
            eligible.append(((figures[2], figures[0], -entries), name, figures))
    boards_with(engine)
    if not eligible:
        print("chosen: nothing (no variant is eligible)")
        return
    best = max(eligible)
    print("best eligible:", best[1], best[2])
    if best[2][2] >= before[2] + MIN_GAIN:
        print("chosen:", best[1])
    else:
        print("chosen: nothing (no eligible variant raises the left-out ARI by", MIN_GAIN, ")")


if __name__ == "__main__":
    main()
