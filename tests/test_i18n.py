"""Languages: the catalogs are complete and current, pages follow the reader's language, dates
and fiscal years read right in both, and live fragments reach each screen in its own language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient

from server.i18n import choose_locale, fiscal_label, format_day, parse_accept_language
from server.programmes.service import PROGRAMMES_DIR, TRANSLATED_DIRS, load_programmes
from tests.conftest import create_open_meeting, join_as, post_form
from tests.test_live import WAIT, board_socket, post_note

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "server/locale/messages.pot"
EN_PO = ROOT / "server/locale/en/LC_MESSAGES/messages.po"
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")  # kana, kanji, Japanese punctuation
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
EN = {"accept-language": "en-GB,en;q=0.9"}


def _ids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {m.id for m in read_po(f) if m.id and isinstance(m.id, str)}


def test_the_template_is_up_to_date_with_the_sources() -> None:
    """A string marked in the code but not extracted (or a stale one) fails here: run
    `pybabel extract` and `pybabel update` (docs/i18n.md)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "gettext": None}
        )
        if isinstance(message, str)
    }
    assert found, "nothing extracted: is babel.cfg right?"
    assert found == _ids(POT), (sorted(found - _ids(POT))[:10], sorted(_ids(POT) - found)[:10])


def test_every_message_has_an_english_translation_with_the_same_placeholders() -> None:
    with EN_PO.open("rb") as f:
        catalog = read_po(f, locale="en")
    translated = {m.id: m for m in catalog if m.id}
    assert set(translated) == _ids(POT), "run `pybabel update` (docs/i18n.md)"
    for msgid, message in translated.items():
        assert message.string and not message.fuzzy, f"untranslated or fuzzy: {msgid!r}"
        assert not JAPANESE.search(message.string), f"Japanese left in the English of {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(message.string)), msgid


def _ui_text(html: str) -> str:
    """The page's own words: drops user content (hx-disable), Japanese marked as such (the
    switch's 日本語 link) and the JSON strings block (checked through core.js's labels)."""
    html = re.sub(r"<(\w+)[^>]*\b(hx-disable|lang=\"ja\")[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _assert_english(html: str) -> None:
    assert '<html lang="en">' in html
    leftovers = JAPANESE.findall(_ui_text(html))
    context = re.findall(r".{0,30}" + JAPANESE.pattern + r"+.{0,30}", _ui_text(html))
    assert not leftovers, context[:5]


def test_pages_speak_english_when_the_browser_prefers_it(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(
        facilitator, title="Autumn roundtable", question="What next?", venue="Town hall"
    )
    staff_pages = ("/f", "/f/sessions/new", "/signin")
    session_pages = ("", "/projector", "/edit", "/minutes")
    for path in (*staff_pages, *(f"/f/sessions/{meeting_id}{page}" for page in session_pages)):
        _assert_english(facilitator.get(path, headers=EN).text)
    phone = join_as(facilitator, code)
    with phone as c:
        post_note_en = post_form(c, f"/b/{meeting_id}/notes", {"kind": "offer", "text": "I can drive"})
        assert post_note_en.status_code in (200, 303)
        for path in ("/", f"/join/{code}", f"/b/{meeting_id}"):
            page = c.get(path, headers=EN).text
            _assert_english(page)
        board = c.get(f"/b/{meeting_id}", headers=EN).text
        assert "Everyone’s notes" in board and "Offer" in board and "I can drive" in board


def test_coordinator_pages_speak_english(coordinator: TestClient[Litestar]) -> None:
    for path in (
        "/c/projects",
        "/c/review?district=tsurukawa",
        "/c/visions",
        "/c/visions/tsurukawa",
        "/c/indicators",
    ):
        _assert_english(coordinator.get(path, headers=EN).text)
    assert "Tsurukawa district" in coordinator.get("/c/visions", headers=EN).text


def test_the_check_catches_japanese_left_in_a_page() -> None:
    with pytest.raises(AssertionError):
        _assert_english('<html lang="en"><p>参加する</p></html>')
    _assert_english('<html lang="en"><p hx-disable>利用者の付箋</p><a lang="ja">日本語</a></html>')


def test_japanese_is_the_default_and_the_switch_remembers_english(client: TestClient[Litestar]) -> None:
    page = client.get("/").text
    assert '<html lang="ja">' in page and "参加コード" in page and 'href="/?lang=en"' in page
    switched = client.get("/?lang=en")
    assert '<html lang="en">' in switched.text and "Join code" in switched.text
    assert "yoriai_lang=en" in switched.headers["set-cookie"]
    # The cookie now wins over the browser's Japanese.
    again = client.get("/signin", headers={"accept-language": "ja"}).text
    assert '<html lang="en">' in again and "Staff sign-in" in again
    assert '<html lang="ja">' in client.get("/?lang=ja").text


def test_pages_tell_caches_they_vary_by_language(client: TestClient[Litestar]) -> None:
    """A proxy or the browser's cache must not hand the Japanese page to an English reader."""
    page = client.get("/", headers={"accept-encoding": "gzip"})
    vary = {v.strip().lower() for v in page.headers["vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    # Static files are the same in every language: caches may share them.
    assert "accept-language" not in client.get("/static/app.css").headers.get("vary", "").lower()


def test_errors_are_in_the_readers_language(client: TestClient[Litestar]) -> None:
    missing = client.get("/no/such/page", headers=EN)
    assert missing.status_code == 404 and "Page not found." in missing.text
    client.cookies.set("yoriai_lang", "en")
    short = post_form(client, "/join", {"code": "12"})
    assert short.status_code == 422 and "The join code is 6 digits" in short.text


def test_accept_language_negotiation() -> None:
    assert parse_accept_language("ja;q=0.5, en-GB, fr;q=0.8") == ["en-GB", "fr", "ja"]
    assert choose_locale("en-US,en;q=0.9") == "en"
    assert choose_locale("fr-FR, ja;q=0.3") == "ja"
    assert choose_locale("fr-FR") == "ja"
    assert choose_locale("") == "ja"
    assert choose_locale("en", cookie="ja") == "ja"


def test_dates_and_fiscal_years_in_both_languages() -> None:
    day = date(2026, 11, 22)
    assert format_day(day, "ja") == "2026年11月22日(日)"
    assert format_day(day, "en") == "Sun 22 Nov 2026"
    assert fiscal_label(2026, locale="ja") == "2026年度"
    assert fiscal_label(2026, era=True, locale="ja") == "令和8年度"
    assert fiscal_label(2019, era=True, locale="ja") == "令和元年度"
    assert fiscal_label(2018, era=True, locale="ja") == "平成30年度"
    assert fiscal_label(2026, locale="en") == "FY2026"
    assert fiscal_label(2026, era=True, locale="en") == "FY2026 (Reiwa 8)"


def test_the_yearly_report_can_show_the_japanese_era(coordinator: TestClient[Litestar]) -> None:
    plain = coordinator.get("/c/report?district=tsurukawa&year=2026").text
    era = coordinator.get("/c/report?district=tsurukawa&year=2026&era=1").text
    assert "和暦（令和）で表示" in plain
    assert "西暦で表示" in era
    csv = coordinator.get("/c/exports/progress.csv?year=2026&era=1", headers=EN)
    # The city's official table stays in Japanese whatever the reader's language.
    assert "通番" in csv.text and "取組の方向性/概要" in csv.text


def test_english_programmes_have_the_same_phases_in_the_same_order() -> None:
    japanese = load_programmes(PROGRAMMES_DIR)
    english = load_programmes(TRANSLATED_DIRS["en"])
    assert set(english) == set(japanese)
    for slug, programme in english.items():
        assert [p.key for p in programme.phases] == [p.key for p in japanese[slug].phases], slug
        assert [p.minutes for p in programme.phases] == [p.minutes for p in japanese[slug].phases], slug
        assert programme.kind == japanese[slug].kind
        assert not JAPANESE.search(programme.guide_html + programme.summary), slug


def test_live_fragments_reach_each_screen_in_its_own_language(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    english, japanese = join_as(facilitator, code), join_as(facilitator, code)
    english.cookies.set("yoriai_lang", "en")
    with board_socket(english, meeting_id) as en_ws, board_socket(japanese, meeting_id) as ja_ws:
        en_ws.receive_text(timeout=WAIT), ja_ws.receive_text(timeout=WAIT)
        post_note(japanese, meeting_id, "車を出せます", kind="offer")
        to_en, to_ja = en_ws.receive_text(timeout=WAIT), ja_ws.receive_text(timeout=WAIT)
    # The note itself is user content, the same for both; the labels around it are not.
    assert "車を出せます" in to_en and "車を出せます" in to_ja
    assert ">Offer" in to_en and "できる" not in to_en.replace("車を出せます", "")
    assert "できる" in to_ja and ">Offer" not in to_ja
