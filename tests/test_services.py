"""The rules of sessions, boards and accounts, tested below HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts import service as accounts
from server.accounts.actor import Actor
from server.boards import service as boards
from server.boards.models import BoardEvent, Note
from server.districts.models import District
from server.errors import UserError
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingStatus
from server.programmes.service import load_programmes, parse_programme


async def new_meeting(db: AsyncSession, *, open: bool = True, district: str = "tsurukawa") -> Meeting:
    data = meetings.MeetingInput("roundtable", district, "鶴川地区 地区別懇談会", "問い", None, "", "")
    meeting = await meetings.create_meeting(db, data, created_by=None)
    if open:
        await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
    return meeting


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_ten_districts_and_the_city_wide_scope_are_there(db: AsyncSession) -> None:
    districts = await meetings.districts(db)
    assert [d.name for d in districts if not d.is_city_wide] == [
        "南地区",
        "高ヶ坂・成瀬地区",
        "町田第一地区",
        "町田第二地区",
        "玉川学園・南大谷地区",
        "木曽地区",
        "忠生地区",
        "鶴川地区",
        "小山地区",
        "相原地区",
    ]
    city = await db.get(District, "city")
    assert city is not None and city.is_city_wide and city.name == "市全域"


async def test_join_codes_are_six_unambiguous_digits(db: AsyncSession) -> None:
    codes = {meetings.new_join_code() for _ in range(500)}
    assert all(len(c) == 6 and set(c) <= set("23456789") for c in codes)
    meeting = await new_meeting(db)
    assert len(meeting.join_code) == 6


async def test_a_join_code_is_unique_among_live_sessions_and_free_again_once_closed(
    db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["234567", "234567", "345678", "234567"])
    monkeypatch.setattr(meetings, "new_join_code", lambda: next(drawn))
    first = await new_meeting(db)
    second = await new_meeting(db)  # 234567 is taken: the second draw is used
    assert (first.join_code, second.join_code) == ("234567", "345678")
    await meetings.set_status(db, first, Actor(user_id=1), MeetingStatus.CLOSED)
    third = await new_meeting(db)
    assert third.join_code == "234567"
    assert (await meetings.find_by_join_code(db, "234567")).id == third.id


async def test_finding_a_session_by_code_says_why_it_cannot(db: AsyncSession) -> None:
    meeting = await new_meeting(db, open=False)
    with pytest.raises(UserError, match="まだ始まっていません"):
        await meetings.find_by_join_code(db, meeting.join_code)
    await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
    spaced_full_width = meeting.join_code[:3].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    found = await meetings.find_by_join_code(db, f"{spaced_full_width} {meeting.join_code[3:]}")
    assert found.id == meeting.id
    await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.CLOSED)
    with pytest.raises(UserError, match="おわりました"):
        await meetings.find_by_join_code(db, meeting.join_code)
    with pytest.raises(UserError, match="この参加コードの会はありません"):
        await meetings.find_by_join_code(db, "999999")
    with pytest.raises(UserError, match="6けた"):
        await meetings.find_by_join_code(db, "12")


async def test_a_note_is_trimmed_and_every_change_gets_the_next_sequence_number(db: AsyncSession) -> None:
    meeting = await new_meeting(db)  # opening is event 1
    person, joined = await boards.join_meeting(db, meeting, nickname="さくら", affiliation="市民")
    posted = await boards.post_note(db, meeting, person, kind="want", text="  子ども食堂を月1回ひらきたい \n")
    assert (joined.seq, posted.seq) == (2, 3)
    assert posted.note is not None and posted.note.text == "子ども食堂を月1回ひらきたい"
    events = (await db.exec(select(BoardEvent).where(BoardEvent.meeting_id == meeting.id))).all()
    assert [(e.seq, e.type) for e in events] == [
        (1, "meeting_opened"),
        (2, "participant_joined"),
        (3, "note_posted"),
    ]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("idea", "", "空です"),
        ("idea", "   \n ", "空です"),
        ("idea", "あ" * 201, "200文字まで"),
        ("opinion", "ふつうの付箋", "種類"),
    ],
)
async def test_a_bad_note_is_refused_with_a_message_and_nothing_is_stored(
    db: AsyncSession, kind: str, text: str, message: str
) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    events_before = await count(db, BoardEvent)
    with pytest.raises(UserError, match=message):
        await boards.post_note(db, meeting, person, kind=kind, text=text)
    assert await count(db, Note) == 0
    assert await count(db, BoardEvent) == events_before


async def test_a_note_of_exactly_200_characters_is_accepted(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    change = await boards.post_note(db, meeting, person, kind="idea", text="あ" * 200)
    assert change.note is not None and len(change.note.text) == 200


async def test_nothing_can_be_posted_on_a_closed_board(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.CLOSED)
    with pytest.raises(UserError, match="おわりました"):
        await boards.post_note(db, meeting, person, kind="idea", text="まだ書きたい")
    with pytest.raises(UserError, match="おわりました"):
        await boards.join_meeting(db, meeting)
    assert await count(db, Note) == 0


async def test_participants_edit_and_delete_only_their_own_notes(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    alice, _ = await boards.join_meeting(db, meeting)
    bob, _ = await boards.join_meeting(db, meeting)
    change = await boards.post_note(db, meeting, alice, kind="concern", text="坂道がつらい")
    note_id = change.note_id
    assert note_id is not None
    as_bob = boards.Actor(participant_id=bob.id)
    with pytest.raises(UserError, match="自分の付箋"):
        await boards.edit_note(db, meeting, note_id, as_bob, kind="idea", text="書きかえ")
    with pytest.raises(UserError, match="自分の付箋"):
        await boards.delete_note(db, meeting, note_id, as_bob)
    with pytest.raises(UserError, match="ファシリテーター"):
        await boards.set_note_hidden(db, meeting, note_id, as_bob, hidden=True)
    as_alice = boards.Actor(participant_id=alice.id)
    edited = await boards.edit_note(
        db, meeting, note_id, as_alice, kind="concern", text="坂道で買い物がつらい"
    )
    assert edited.note is not None and edited.note.text == "坂道で買い物がつらい" and edited.note.edited
    await boards.delete_note(db, meeting, note_id, as_alice)
    assert await db.get(Note, note_id) is None


async def test_facilitators_hide_show_and_fix_any_note(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    note_id = (await boards.post_note(db, meeting, person, kind="idea", text="誤字がありまsu")).note_id
    assert note_id is not None
    staff = boards.Actor(user_id=1)
    hidden = await boards.set_note_hidden(db, meeting, note_id, staff, hidden=True)
    assert hidden.type == "note_hidden" and hidden.counts.notes_visible == 0
    assert [n.id for n in await boards.list_notes(db, meeting.id or 0, include_hidden=False)] == []
    await boards.set_note_hidden(db, meeting, note_id, staff, hidden=False)
    fixed = await boards.edit_note(db, meeting, note_id, staff, kind="idea", text="誤字がありました")
    assert fixed.note is not None and fixed.note.text == "誤字がありました"


async def test_catching_up_sends_the_current_state_of_only_what_changed(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    old = await boards.post_note(db, meeting, person, kind="idea", text="前からある付箋")
    seen = old.seq
    new = await boards.post_note(db, meeting, person, kind="want", text="あとから来た付箋")
    secret = await boards.post_note(db, meeting, person, kind="concern", text="個人的な事情")
    assert secret.note_id is not None
    await boards.set_note_hidden(db, meeting, secret.note_id, boards.Actor(user_id=1), hidden=True)
    missed = await boards.catch_up(db, meeting, seen)
    assert set(missed.notes) == {new.note_id, secret.note_id}
    assert missed.notes[secret.note_id] is not None and missed.notes[secret.note_id].hidden  # type: ignore[union-attr]
    assert missed.seq == seen + 3
    assert (missed.counts.participants, missed.counts.notes_visible, missed.counts.notes_total) == (1, 2, 3)


async def test_nickname_and_affiliation_are_optional_and_checked(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    anonymous, _ = await boards.join_meeting(db, meeting)
    assert (anonymous.nickname, anonymous.affiliation) == ("", "")
    with pytest.raises(UserError, match="20文字"):
        await boards.join_meeting(db, meeting, nickname="な" * 21)
    with pytest.raises(UserError, match="所属"):
        await boards.join_meeting(db, meeting, affiliation="秘密結社")


async def test_passwords_are_hashed_with_argon2_and_checked(db: AsyncSession) -> None:
    user = await accounts.create_user(db, " Staff@Example.JP ", "long enough pw")
    assert user.email == "staff@example.jp"
    assert user.password_hash.startswith("$argon2id$") and "long enough pw" not in user.password_hash
    assert (await accounts.authenticate(db, "staff@example.jp", "long enough pw")).id == user.id
    for email, password in [("staff@example.jp", "wrong password"), ("nobody@example.jp", "long enough pw")]:
        with pytest.raises(UserError, match="メールアドレスかパスワードが違います"):
            await accounts.authenticate(db, email, password)
    with pytest.raises(UserError, match="すでに登録"):
        await accounts.create_user(db, "staff@example.jp", "another password")
    with pytest.raises(UserError, match="8文字以上"):
        await accounts.create_user(db, "short@example.jp", "short")


async def test_session_input_is_checked_with_messages(db: AsyncSession) -> None:
    with pytest.raises(UserError) as caught:
        await meetings.clean_meeting_input(
            db,
            {
                "kind": "party",
                "district_id": "atlantis",
                "title": " ",
                "held_on": "22/11/2026",
                "programme": "nope",
            },
        )
    for fragment in ["会の種類", "地区", "タイトル", "日付", "進行プログラム"]:
        assert fragment in str(caught.value)
    ok = await meetings.clean_meeting_input(
        db,
        {
            "kind": "yoriai",
            "district_id": "city",
            "title": "The YORIAI",
            "held_on": "2026-12-05",
            "programme": "the-yoriai",
        },
    )
    assert ok.held_on is not None and ok.held_on.isoformat() == "2026-12-05"


def test_the_three_programmes_have_phases_and_a_guide() -> None:
    programmes = load_programmes()
    assert {p.kind for p in programmes.values()} == {"roundtable", "yoriai", "small_area"}
    for programme in programmes.values():
        assert len(programme.phases) >= 5 and all(p.minutes > 0 for p in programme.phases)
        assert "<h1>" in programme.guide_html


def test_programme_markdown_cannot_carry_html() -> None:
    text = "---\nname: x\nkind: roundtable\nphases: []\n---\n# t\n<script>alert(1)</script>\n[a](javascript:alert(1))\n"
    html = str(parse_programme("x", text).guide_html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＡＢＣ　全角", "ＡＢＣ　全角"),
        ("nul\x00 and escape\x1b[31m", "nul and escape[31m"),
        ("改行\r\nあり", "改行\nあり"),
        ("\u202eRTL override 👨‍👩‍👧", "\u202eRTL override 👨‍👩‍👧"),
        ("\u304b\u3099", "\u304c"),  # decomposed か + ゛ is stored composed as が
    ],
)
async def test_odd_characters_are_stored_cleanly(db: AsyncSession, typed: str, stored: str) -> None:
    meeting = await new_meeting(db)
    person, _ = await boards.join_meeting(db, meeting)
    change = await boards.post_note(db, meeting, person, kind="idea", text=typed)
    assert change.note is not None and change.note.text == stored
