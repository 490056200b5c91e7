"""The themes of Machida's plan (町田市地域ホッとプラン and its yearly progress table), as a small lexicon.

Each theme has the name a facilitator would write on a group (a real phrase, not a fragment) and 15–35
words that say it. They were written from the plan's own themes: its basic policies (見守り・支え合い活動,
居場所, 相談支援, 担い手, 情報発信, 防災), the initiatives of its progress table (買い物・移動支援, 空き家の
活用, 公園の清掃, ごみの減量, 介護予防, 健康づくり, 防犯活動, 外国人市民との交流), the words the plan uses
for them, and the everyday words residents use for the same subjects (general knowledge of Japanese community
life); never from the sentences of a labelled corpus. The plan has no theme for farming, pets, festivals or
road safety, and none was added: notes about them are compared by words and vectors (the "no theme" state of
similarity.py).

A note is placed among the themes by meaning (the word vectors of its words against the theme's words), so a
note that never says 買い物 can still be near 買い物支援. That profile is one part of the similarity of two
notes (similarity.py); the theme a group's notes agree on names the group.
"""

from __future__ import annotations

from server.i18n import N_, LazyText

# Theme name → (words of the plan, everyday words). The first string holds only words that occur in the plan's
# text (bench/data/plan/, copied from the plan; tests/test_suggest.py checks it); the second,
# words of everyday Japanese community life for the same subject, written from general knowledge. Neither was
# taken from a labelled note (tests/test_suggest.py also checks that no everyday entry of four or more
# characters that is not a single dictionary word occurs in a labelled set). A word that could be about
# several themes (近所, 高齢者, 活動, 食事) is in none.
_THEMES: dict[str, tuple[str, str]] = {
    # Plan: 買い物・移動支援 (progress table), 商店・配達. Everyday: where and how residents buy food and daily goods.
    "買い物支援": (
        "店 商店 配達",
        "買い物 買う お店 商店街 スーパー コンビニ 八百屋 販売 宅配 配送 注文 食料品 日用品 食材 品物 買い出し 代行 生協 閉店 品揃え 値段 キッチンカー 荷物",
    ),
    # Plan: 買い物・移動支援, 外出, 交通. Everyday: buses and their timetable, driving, lifts, getting to the clinic.
    "移動・外出の支援": (
        "外出 交通 駅 便",
        "移動 送迎 送り迎え バス コミュニティバス 本数 時刻表 停留所 バス停 タクシー 運転 運転手 ドライバー 免許 乗り合い 相乗り 車 自家用車 車椅子 電車 坂道 通院 乗る 乗せる 運行",
    ),
    # Plan: 見守り・支え合い活動 (basic policy 1), 民生委員, 安否確認, 戸別訪問. Everyday: small signs and small help
    # between neighbours. (近所 is not here: every board is about the neighbourhood.)
    "見守り・支え合い": (
        "見守り 見守る 安否 安否確認 声かけ 民生委員 支え合い 助け合い 一人暮らし 訪問 戸別訪問 隣",
        "声掛け 挨拶 異変 様子 独居 緊急連絡先 電球 手伝い 郵便受け 気付く 隣人 お隣 留守 倒れる",
    ),
    # Plan: 子育て支援, 子ども食堂, 放課後, 学習支援, 不登校. Everyday: the words parents and schools use.
    "子ども・子育て支援": (
        "子ども 子育て 保育 保育園 幼稚園 親子 学習 学習支援 遊び場 遊ぶ 子ども食堂 放課後 育児 乳幼児 出産 中学生 児童 ひとり親 不登校 学校",
        "宿題 勉強 赤ちゃん ママ パパ 母親 父親 小学生 学童 習い事 預かる PTA",
    ),
    # Plan: 防災 (basic policy), 要支援者, ハザードマップ, 消防団. Everyday: hazards, stockpiles, outages.
    "防災・災害への備え": (
        "防災 災害 避難 備え 洪水 訓練 防災訓練 ハザードマップ 要支援者 要配慮者 消防団",
        "避難所 備蓄 地震 水害 台風 大雨 土砂崩れ 火事 火災 停電 断水 非常食 消火器 発電機 炊き出し 給水",
    ),
    # Plan: 空き家の活用, 拠点, 施設. Everyday: the rooms and halls a group can borrow, and who owns them.
    "空き家・活動の場所": (
        "空き家 場所 拠点 施設 所有者 賃貸 スペース",
        "空き室 空き地 会場 部屋 集会所 集会場 公民館 会館 貸す 借りる 改修 物件 家主 大家 古民家 倉庫 利用料 使用料",
    ),
    # Plan: 担い手 (basic policy), 町内会・自治会, 役員のなり手, 若い世代, 大学. Everyday: succession and recruiting.
    "担い手・若い世代の参加": (
        "担い手 役員 若い世代 学生 大学 町内会 自治会 参加 負担 なり手 加入 会員 人材 引き継ぐ 仲間",
        "後継者 若者 大学生 高校生 引き受ける 人手不足 当番 引き継ぎ 募集 現役世代 若手",
    ),
    # Plan: 情報発信 (basic policy), 広報, SNS, ホームページ, チラシ. Everyday: how news reaches residents.
    "地域の情報発信": (
        "情報 発信 広報 SNS ホームページ ウェブサイト LINE チラシ 案内 周知 広報誌 インターネット 配信 メール 冊子 マップ",
        "お知らせ 掲示板 回覧板 ポスター 告知 伝える 届ける 知らせる ニュースレター アプリ 動画",
    ),
    # Plan: 居場所, 多世代交流, サロン, カフェ. Everyday: where people drop in and chat, across generations.
    # (食事 is not here nor under 健康: a shared meal is either.)
    "多世代交流・居場所": (
        "多世代 交流 居場所 サロン ふれあい カフェ",
        "世代間 集い 集まり 喫茶 お茶 茶話会 趣味 おしゃべり 会食 昔遊び おじいちゃん おばあちゃん 祖父母 孫 たまり場 縁側 ランチ 立ち寄る",
    ),
    # Plan: 相談支援 (basic policy), 孤立, 8050問題, ダブルケア, ヤングケアラー, DV, 生活困窮. Everyday: feeling
    # alone and having no one to tell.
    "孤立・相談支援": (
        "孤立 相談 相談窓口 ひきこもり 悩み 生活困窮 困窮 貧困 介護 家族 ダブルケア 8050問題 ヤングケアラー DV 虐待 社会福祉協議会 福祉 専門職 生きづらさ",
        "孤独 相談先 引きこもり 寂しい 抱え込む 打ち明ける 傾聴 障害",
    ),
    # Plan: 環境, 公園の清掃, ごみの減量, 資源, 緑. Everyday: litter, collection points, planting and rivers.
    "環境・緑・ごみ": (
        "環境 清掃 ごみ 資源 減量 緑 公園 川 自然",
        "掃除 ゴミ ごみ拾い 分別 ポイ捨て リサイクル 花壇 花 植える 植栽 草刈り 草取り 落ち葉 樹木 里山 雑木林 水辺 河川 美化 カラス 集積所 生ごみ",
    ),
    # Plan: 健康づくり, 介護予防, 認知症. Everyday: exercise, frailty, check-ups.
    "健康づくり・介護予防": (
        "健康 健康づくり 介護予防 運動 認知症 予防",
        "フレイル 体操 ウォーキング 散歩 栄養 体力 筋力 スポーツ 健診 検診 病気 血圧 脳トレ 寝たきり 転倒 元気 ストレッチ ヨガ",
    ),
    # Plan: 防犯活動, パトロール, 安全・安心. Everyday: fraud, prowlers, dark streets.
    "防犯・安全": (
        "防犯 防犯活動 パトロール 犯罪 安全 安心 警察",
        "見回り 空き巣 泥棒 不審者 詐欺 治安 街灯 夜道 施錠 交番 落書き 通報 悪質商法",
    ),
    # Plan: 外国人市民との交流 (国際交流, 通訳, 文化・習慣). Everyday: language and nationality.
    "多文化共生": (
        "外国人 外国 文化 国際交流 通訳 習慣",
        "多文化 国籍 留学生 日本語 翻訳 多言語 英語 中国語 技能実習生 異文化 母国 外国籍",
    ),
}
#: Theme name → the words that say it.
THEMES: dict[str, tuple[str, ...]] = {
    name: tuple(plan.split() + everyday.split()) for name, (plan, everyday) in _THEMES.items()
}
#: Theme name → the words of it that occur in the plan's text.
PLAN_WORDS: dict[str, tuple[str, ...]] = {name: tuple(plan.split()) for name, (plan, _) in _THEMES.items()}

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
