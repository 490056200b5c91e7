"""The themes of Machida's plan (町田市地域ホッとプラン and its yearly progress table), as a small lexicon.

Each theme has the name a facilitator would write on a group (a real phrase, not a fragment) and a few
words that say it. They were written from the plan's own themes: its basic policies (見守り・支え合い活動,
居場所, 相談支援, 担い手, 情報発信, 防災), the initiatives of its progress table (買い物・移動支援, 空き家の
活用, 公園の清掃, ごみの減量, 介護予防, 健康づくり, 防犯活動, 外国人市民との交流) and the everyday words for
them; never from the sentences of a labelled corpus.

A note is placed among the themes by meaning (the word vectors of its words against the theme's words), so a
note that never says 買い物 can still be near 買い物支援. That profile is one part of the similarity of two
notes (similarity.py); the theme a group's notes agree on names the group.
"""

from __future__ import annotations

from server.i18n import N_, LazyText

_THEMES = {
    "買い物支援": "買い物 買う 店 商店街 スーパー 販売 移動販売 配達 宅配 注文 食料品 日用品",
    "移動・外出の支援": "移動 外出 送迎 交通 バス タクシー 運転 通院 乗り合い 車 駅",
    "見守り・支え合い": "見守り 見守る 安否 声かけ 民生委員 支え合い 異変 様子 一人暮らし 訪問 近所",
    "子ども・子育て支援": "子ども 子育て 保育 親子 学習 宿題 遊び場 子ども食堂 放課後 育児",
    "防災・災害への備え": "防災 災害 避難 避難所 備蓄 地震 水害 停電 訓練",
    "空き家・活動の場所": "空き家 空き店舗 空き室 場所 拠点 会場 部屋 貸す 借りる 施設 改修",
    "担い手・若い世代の参加": "担い手 役員 後継者 若者 若い世代 学生 町内会 自治会 引き受ける 参加 負担",
    "地域の情報発信": "情報 発信 広報 お知らせ 掲示板 回覧板 SNS ホームページ チラシ 案内 周知",
    "多世代交流・居場所": "多世代 交流 居場所 サロン ふれあい 集い 集まり カフェ 趣味",
    "孤立・相談支援": "孤立 孤独 相談 相談窓口 ひきこもり 悩み 生活困窮 介護 家族 ダブルケア",
    "環境・緑・ごみ": "環境 清掃 ごみ 緑 公園 花壇 草刈り 里山 リサイクル 川",
    "健康づくり・介護予防": "健康 健康づくり 介護予防 体操 運動 ウォーキング 認知症 食事 体力 スポーツ",
    # The two below are in the progress table (防犯活動, 外国人市民への理解) with few words of their own.
    "防犯・安全": "防犯 防犯活動 安全 安心",
    "多文化共生": "外国人 外国 文化 国際交流",
}
#: Theme name → the words that say it.
THEMES: dict[str, tuple[str, ...]] = {name: tuple(words.split()) for name, words in _THEMES.items()}

#: The themes' names as a reason shows them, in the reader's language. (A group's label, which becomes its
#: name on the board when accepted, stays in Japanese like the notes: the facilitator can edit it first.)
THEME_NAMES_SHOWN: dict[str, LazyText] = {
    "買い物支援": N_("買い物支援"),
    "移動・外出の支援": N_("移動・外出の支援"),
    "見守り・支え合い": N_("見守り・支え合い"),
    "子ども・子育て支援": N_("子ども・子育て支援"),
    "防災・災害への備え": N_("防災・災害への備え"),
    "空き家・活動の場所": N_("空き家・活動の場所"),
    "担い手・若い世代の参加": N_("担い手・若い世代の参加"),
    "地域の情報発信": N_("地域の情報発信"),
    "多世代交流・居場所": N_("多世代交流・居場所"),
    "孤立・相談支援": N_("孤立・相談支援"),
    "環境・緑・ごみ": N_("環境・緑・ごみ"),
    "健康づくり・介護予防": N_("健康づくり・介護予防"),
    "防犯・安全": N_("防犯・安全"),
    "多文化共生": N_("多文化共生"),
}
