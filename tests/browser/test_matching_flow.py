"""Meaning and matching, in the browser, from the board to the indicator: forty notes, a suggested
group accepted on the console (and seen on the projector), a できる matched with a 困りごと, and the
coordinator's matching page and indicators counting it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from server.reports.fiscal import current_fiscal_year
from tests.browser.conftest import LiveServer
from tests.browser.helpers import crowd_posts, open_projector, sign_in_and_open_session

pytestmark = pytest.mark.browser

CONCERN = "バスの本数が減って、通院の送迎をしてくれる人がいない"
OFFER = "平日の昼間なら、車で病院まで送迎できます"
AGREED = "毎週火曜の午前、病院まで送る"

# Forty notes of a Tsurukawa roundtable: (kind, text), across a few topics.
NOTES: list[tuple[str, str]] = [
    # 移動・送迎
    ("concern", CONCERN),
    ("concern", "坂が多くて、高齢の母が一人で病院へ行けない"),
    ("concern", "免許を返納したら買い物にも行けなくなった"),
    ("concern", "コミュニティバスが駅まで遠回りで時間がかかる"),
    ("offer", OFFER),
    ("offer", "退職して時間があるので、買い物の付き添いができる"),
    ("want", "地域の乗り合いタクシーを走らせたい"),
    ("idea", "送迎ボランティアの登録制度をつくる"),
    # 見守り・支え合い
    ("concern", "一人暮らしのお年寄りが増えて、様子がわからない"),
    ("concern", "隣の人の顔も知らないので、何かあっても気づけない"),
    ("offer", "朝の散歩のついでに、一人暮らしの家に声かけできる"),
    ("want", "月に一度、お茶を飲みながら話せる場をつくりたい"),
    ("idea", "新聞や郵便がたまっていたら知らせる見守りの仕組み"),
    ("idea", "民生委員と自治会が情報を共有する"),
    # 子育て
    ("concern", "子どもを遊ばせる公園が少なくて、雨の日に行く場所がない"),
    ("concern", "共働きで、放課後に子どもを見てくれる人がいない"),
    ("concern", "子育ての相談ができる相手が近くにいない"),
    ("offer", "元保育士なので、子どもの預かりを手伝える"),
    ("want", "親子で集まれる子育てサロンを開きたい"),
    ("idea", "空き店舗を子どもの居場所にする"),
    # 防災
    ("concern", "災害のとき、どこに避難すればいいかわからない"),
    ("concern", "大雨のとき、川があふれないか心配"),
    ("offer", "消防団の経験があるので、防災訓練を教えられる"),
    ("want", "町内で防災マップをいっしょに作りたい"),
    ("idea", "避難所の場所を掲示板に大きく貼る"),
    ("idea", "災害時に安否を確認する名簿をつくる"),
    # 買い物
    ("concern", "近くのスーパーが閉店して、歩いて行ける店がない"),
    ("concern", "重い荷物を持って坂道を帰るのがつらい"),
    ("offer", "軽トラックで野菜の移動販売ができる"),
    ("want", "団地の集会所で朝市を開きたい"),
    ("idea", "ネットスーパーの使い方を教える講座"),
    # 空き家・緑
    ("concern", "空き家が増えて、庭の草が伸び放題になっている"),
    ("concern", "里山の竹林が荒れて、手入れする人がいない"),
    ("offer", "草刈り機を持っているので、草刈りを手伝える"),
    ("want", "竹林の手入れをして、竹灯りのお祭りをしたい"),
    ("idea", "空き家を地域の集会所として使う"),
    # 多世代・つながり
    ("concern", "若い人が自治会に入らなくなった"),
    ("want", "高校生とお年寄りがいっしょに料理する会をしたい"),
    ("offer", "スマホの使い方なら教えられる"),
    ("idea", "自治会のお知らせをLINEでも流す"),
]
assert len(NOTES) == 40


def test_a_suggested_group_and_a_confirmed_match_reach_the_coordinator_and_the_indicator(
    browser: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    console, code = sign_in_and_open_session(browser, live_server)
    meeting = console.url.rsplit("/", 1)[1]
    projector = open_projector(console)
    crowd_posts(live_server, code, meeting, NOTES)
    expect(console.locator("#notes .note")).to_have_count(40)
    expect(projector.locator(".projector-board .note")).to_have_count(40)

    # Suggested groups: accept the first one under its proposed name.
    console.get_by_role("button", name="似ている付箋をまとめる（提案）").click()
    panel = console.locator("#suggestions")
    expect(panel.get_by_role("heading", name="グループの提案")).to_be_visible()
    first = panel.locator(".suggestion").first
    name = first.get_by_label("グループ名").input_value()
    members = first.locator(".suggestion__notes li").all_inner_texts()
    assert name and len(members) >= 2, (name, members)
    first.get_by_role("button", name="このグループを作る").click()
    expect(panel.locator("[role=status]").first).to_be_visible()
    for screen in (console, projector):
        group = screen.locator(".cluster", has_text=name)
        expect(group).to_have_count(1)
        for text in members:
            expect(group.locator(".note", has_text=text)).to_have_count(1)

    # Matching: the 困りごと about 通院の送迎 is proposed with the offer to drive; confirm it.
    console.get_by_role("button", name="マッチングの提案（できる・やりたい × 困りごと）").click()
    matching = console.locator("#matching")
    expect(matching.get_by_role("heading", name="マッチングの提案")).to_be_visible()
    pair = matching.locator(".match-proposal", has_text=CONCERN).filter(has_text=OFFER)
    expect(pair).to_have_count(1)
    expect(pair.locator(".suggestion__why")).to_contain_text("理由：")
    pair.get_by_label("合意したこと（任意）").fill(AGREED)
    pair.get_by_role("button", name="マッチング成立").click()
    expect(matching.get_by_role("status")).to_have_text("マッチング成立として記録しました。")
    # The panel's list of the session's matches shows it at once, with what was agreed.
    expect(matching.get_by_role("heading", name="成立したマッチング（1件）")).to_be_visible()
    expect(matching.locator(".match-list__item")).to_contain_text(f"合意したこと：{AGREED}")

    # The coordinator (the same account has the role) sees it on the district's page and in the indicator.
    coordinator = console.context.new_page()
    coordinator.goto(f"{live_server.url}/c/matching?district=tsurukawa")
    expect(coordinator.get_by_role("heading", name="成立したマッチング（1件）")).to_be_visible()
    confirmed = coordinator.locator(".match-list__item")
    expect(confirmed).to_have_count(1)
    for text in (CONCERN, OFFER, f"合意したこと：{AGREED}", "鶴川地区 地区別懇談会"):
        expect(confirmed).to_contain_text(text)
    # Decided once, it is not proposed again.
    expect(coordinator.locator(".match-proposal", has_text=CONCERN).filter(has_text=OFFER)).to_have_count(0)

    year = current_fiscal_year()
    coordinator.goto(f"{live_server.url}/c/indicators?year={year}")
    table = coordinator.locator("#indicator-table")
    headers = table.locator("thead th").all_inner_texts()
    column = next(i for i, h in enumerate(headers) if h.startswith("マッチング件数")) - 1
    expect(table.locator("tbody tr", has_text="鶴川地区").locator("td").nth(column)).to_have_text("1")
    expect(table.locator("tbody tr", has_text="忠生地区").locator("td").nth(column)).to_have_text("0")
    expect(coordinator.locator("main")).to_contain_text("マッチング件数：その年度に成立した")
    print(f"\nmatching flow: {time.monotonic() - started:.1f} s")
