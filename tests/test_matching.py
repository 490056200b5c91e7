"""Matching (マッチング): proposals of offer/want × concern pairs, confirming and dismissing them, the
indicator, and the console panel and coordinators' page over HTTP."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import service as boards
from server.errors import Forbidden, UserError
from server.matching import service as matching
from server.matching.models import Match, MatchStatus
from server.matching.proposals import propose
from server.projects import indicators
from server.projects import service as projects
from server.projects.models import ProjectOrigin
from server.reports.fiscal import current_fiscal_year
from tests.conftest import create_facilitator, create_open_meeting, join_as, post_form, send_note, sign_in
from tests.test_projects import posted, session, staff

BOARD = [
    (1, "offer", "車で病院への送迎ができます"),
    (2, "offer", "料理が得意です"),
    (3, "want", "パソコン教室を開きたい"),
    (4, "concern", "通院の足がなくて困っている"),
    (5, "concern", "スマホの使い方がわからない"),
    (6, "concern", "夜道が暗くて怖い"),
    (7, "idea", "送迎の仕組みをつくる"),
]


def test_an_offer_of_transport_answers_a_concern_about_getting_to_hospital() -> None:
    found = propose(BOARD)
    pairs = [(p.offer_id, p.concern_id) for p in found]
    assert (1, 4) in pairs
    # A pair about no theme of the plan (a computer class for a phone trouble) scores on words and vectors
    # alone (0.36), over the product's threshold (0.3, chosen on the tuning half), and first for its concern.
    assert (3, 5) in pairs
    best_for_hospital = next(p for p in found if p.concern_id == 4)
    assert best_for_hospital.offer_id == 1
    assert best_for_hospital.shared or best_for_hospital.theme  # says why
    assert found == sorted(found, key=lambda p: -p.score)


def test_unrelated_pairs_ideas_and_decided_pairs_are_not_proposed() -> None:
    found = propose(BOARD, exclude={(1, 4)})
    pairs = {(p.offer_id, p.concern_id) for p in found}
    assert (1, 4) not in pairs  # decided already
    assert (2, 6) not in pairs and (2, 5) not in pairs  # cooking does not light a dark road or teach phones
    assert all(o != 7 and c != 7 for o, c in pairs)  # ideas are neither side
    assert propose([(1, "offer", "車を出せます")]) == []
    assert propose([(1, "concern", "通院できない"), (2, "idea", "送迎")]) == []


async def test_hidden_notes_are_never_proposed(db: AsyncSession) -> None:
    user = await staff(db)
    meeting = await session(db)
    offer, concern = await posted(db, meeting, ("offer", "車で送迎ができます"), ("concern", "通院の足がない"))
    assert [(p.offer.id, p.concern.id) for p in await matching.proposals(db, meeting)] == [(offer, concern)]
    await boards.hide_note(db, meeting, concern, boards.Actor(user_id=user.id))
    assert await matching.proposals(db, meeting) == []
    with pytest.raises(UserError):  # nor confirmed by a crafted request
        await matching.decide(
            db, meeting, Actor.staff(user), offer_id=offer, concern_id=concern, status=MatchStatus.CONFIRMED
        )


async def test_who_may_confirm_or_dismiss_and_what_it_changes(db: AsyncSession) -> None:
    facilitator = await staff(db, "facilitator", "f@example.jp")
    coordinator = await staff(db, "coordinator", "c@example.jp")
    meeting = await session(db)
    offer, concern, want, other = await posted(
        db,
        meeting,
        ("offer", "車で送迎ができます"),
        ("concern", "通院の足がない"),
        ("want", "買い物に車で連れていきたい"),
        ("concern", "バスが少なくて病院に行けない"),
    )
    # Roles are the guards' (an admin is refused on /f and /c: tests/test_permissions.py); the
    # service refuses whoever is not staff.
    for nobody in (Actor(), Actor.participant(1)):
        with pytest.raises(Forbidden):
            await matching.decide(db, meeting, nobody, offer_id=offer, concern_id=concern, status="confirmed")
    with pytest.raises(UserError):
        await matching.decide(
            db, meeting, Actor.staff(facilitator), offer_id=concern, concern_id=offer, status="confirmed"
        )
    with pytest.raises(UserError):
        await matching.decide(
            db,
            meeting,
            Actor.staff(facilitator),
            offer_id=offer,
            concern_id=concern,
            status="confirmed",
            agreed="あ" * 201,
        )
    match = await matching.decide(
        db,
        meeting,
        Actor.staff(facilitator),
        offer_id=offer,
        concern_id=concern,
        status="confirmed",
        agreed="毎週火曜に送る",
    )
    assert (match.status, match.agreed, match.decided_by) == ("confirmed", "毎週火曜に送る", facilitator.id)
    await matching.decide(
        db, meeting, Actor.staff(coordinator), offer_id=want, concern_id=other, status="dismissed"
    )
    left = {(p.offer.id, p.concern.id) for p in await matching.proposals(db, meeting)}
    assert (offer, concern) not in left and (want, other) not in left
    shown = await matching.confirmed_matches(db, [meeting])
    assert [(m.offer and m.offer.id, m.concern and m.concern.id) for m in shown] == [(offer, concern)]
    # Deciding again changes the one row.
    again = await matching.decide(
        db, meeting, Actor.staff(coordinator), offer_id=offer, concern_id=concern, status="dismissed"
    )
    assert again.id == match.id and again.agreed == ""
    assert await matching.confirmed_matches(db, [meeting]) == []


async def test_matches_indicator_counts_confirmed_matches_by_year_and_district(db: AsyncSession) -> None:
    user = await staff(db)
    tsurukawa = await session(db, held=date(2026, 6, 1))
    kiso = await session(db, "kiso", held=date(2026, 7, 1))
    yoriai = await session(db, "city", "yoriai", held=date(2026, 10, 1))

    async def pair(meeting, status: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
        offer, concern = await posted(db, meeting, ("offer", "車を出せます"), ("concern", "通院できない"))
        m = await matching.decide(
            db, meeting, Actor.staff(user), offer_id=offer, concern_id=concern, status=status
        )
        m.decided_at = when
        db.add(m)
        await db.commit()

    await pair(tsurukawa, "confirmed", datetime(2026, 6, 1, 3, tzinfo=UTC))
    await pair(tsurukawa, "confirmed", datetime(2027, 3, 31, 14, 59, tzinfo=UTC))  # 23:59 JST, still FY2026
    await pair(tsurukawa, "confirmed", datetime(2027, 3, 31, 15, 0, tzinfo=UTC))  # April 1 JST: FY2027
    await pair(tsurukawa, "dismissed", datetime(2026, 6, 1, 3, tzinfo=UTC))
    await pair(kiso, "confirmed", datetime(2026, 7, 1, 3, tzinfo=UTC))
    await pair(yoriai, "confirmed", datetime(2026, 10, 1, 3, tzinfo=UTC))
    counts = {
        d: (await indicators.indicators(db, 2026, d)).matches for d in ("tsurukawa", "kiso", "city", None)
    }
    assert counts == {"tsurukawa": 2, "kiso": 1, "city": 1, None: 4}
    assert (await indicators.indicators(db, 2027, "tsurukawa")).matches == 1
    assert len((await db.exec(select(Match))).all()) == 6


# --- over HTTP ---------------------------------------------------------------------------------------


def _board(client: TestClient[Litestar]) -> tuple[int, dict[str, int]]:
    """A Tsurukawa session with an offer, a concern and a concern to be hidden, as its facilitator."""
    create_facilitator(client, roles="facilitator", email="f@example.jp")
    create_facilitator(client, roles="coordinator", email="c@example.jp")
    sign_in(client, "f@example.jp")
    meeting_id, code = create_open_meeting(client)
    phone = join_as(client, code)
    with phone as c:
        send_note(c, meeting_id, "車で送迎ができます", kind="offer")
        send_note(c, meeting_id, "通院の足がなくて困っている", kind="concern")
        send_note(c, meeting_id, "送迎してくれる人がいなくて母の通院がたいへん（ないしょ）", kind="concern")
    console = client.get(f"/f/sessions/{meeting_id}").text
    ids = [int(i) for i in re.findall(r'<article id="note-(\d+)"', console)]
    return meeting_id, {"offer": ids[0], "concern": ids[1], "secret": ids[2]}


def test_console_panel_and_coordinator_page(client: TestClient[Litestar]) -> None:
    meeting_id, ids = _board(client)
    assert (
        post_form(client, f"/f/sessions/{meeting_id}/notes/{ids['secret']}/hide", {}, htmx=True).status_code
        < 400
    )
    panel = client.get(f"/f/sessions/{meeting_id}/matches")
    assert panel.status_code == 200
    assert "車で送迎ができます" in panel.text and "通院の足がなくて困っている" in panel.text
    assert "ないしょ" not in panel.text
    decided = post_form(
        client,
        f"/f/sessions/{meeting_id}/matches",
        {
            "offer_id": str(ids["offer"]),
            "concern_id": str(ids["concern"]),
            "status": "confirmed",
            "agreed": "毎週送る",
        },
        htmx=True,
    )
    assert decided.status_code == 200 and "マッチング成立" in decided.text
    panel = client.get(f"/f/sessions/{meeting_id}/matches").text
    assert "成立したマッチング（1件）" in panel and "毎週送る" in panel
    # The facilitator is not a coordinator.
    assert client.get("/c/matching?district=tsurukawa").status_code in (302, 303, 403)
    sign_in(client, "c@example.jp")
    page = client.get("/c/matching?district=tsurukawa")
    assert page.status_code == 200
    assert "毎週送る" in page.text and "通院の足がなくて困っている" in page.text
    assert "ないしょ" not in page.text
    assert client.get("/c/matching").status_code == 200
    assert client.get("/c/matching?district=nowhere").status_code == 404
    # The coordinator can decide too; a hidden note cannot be matched.
    refused = post_form(
        client,
        f"/c/matching/{meeting_id}",
        {"offer_id": str(ids["offer"]), "concern_id": str(ids["secret"]), "status": "confirmed"},
        htmx=True,
    )
    assert refused.status_code == 404 and "ないしょ" not in refused.text
    # Without htmx the form answers with a redirect back to the page.
    back = post_form(
        client,
        f"/c/matching/{meeting_id}",
        {
            "offer_id": str(ids["offer"]),
            "concern_id": str(ids["concern"]),
            "status": "confirmed",
            "back": "/c/matching?district=tsurukawa",
        },
    )
    assert back.status_code == 303 and back.headers["location"] == "/c/matching?district=tsurukawa"


def test_a_participant_cannot_see_or_decide_matches(client: TestClient[Litestar]) -> None:
    create_facilitator(client, roles="facilitator", email="f@example.jp")
    sign_in(client, "f@example.jp")
    meeting_id, code = create_open_meeting(client)
    client.cookies.clear()
    phone = join_as(client, code)
    with phone as c:
        send_note(c, meeting_id, "車で送迎ができます", kind="offer")
        send_note(c, meeting_id, "通院の足がなくて困っている", kind="concern")
        for path in (f"/f/sessions/{meeting_id}/matches", "/c/matching?district=tsurukawa"):
            response = c.get(path, follow_redirects=False)
            assert response.status_code in (302, 303, 403)
        response = post_form(
            c,
            f"/f/sessions/{meeting_id}/matches",
            {"offer_id": "1", "concern_id": "2", "status": "confirmed"},
        )
        assert response.status_code in (302, 303, 401, 403)


def test_a_note_hidden_after_its_match_leaves_no_text_on_the_coordinator_page(
    client: TestClient[Litestar],
) -> None:
    meeting_id, ids = _board(client)
    data = {"offer_id": str(ids["offer"]), "concern_id": str(ids["secret"]), "status": "confirmed"}
    data["agreed"] = "ないしょの送迎を毎週"
    assert post_form(client, f"/f/sessions/{meeting_id}/matches", data, htmx=True).status_code == 200
    assert (
        post_form(client, f"/f/sessions/{meeting_id}/notes/{ids['secret']}/hide", {}, htmx=True).status_code
        < 400
    )
    sign_in(client, "c@example.jp")
    page = client.get("/c/matching?district=tsurukawa").text
    assert "成立したマッチング（1件）" in page and "（非表示か削除になった付箋）" in page
    assert "ないしょ" not in page
    indicators_page = client.get("/c/indicators?year=2026").text
    assert "ないしょ" not in indicators_page


async def test_a_confirmed_match_becomes_a_project_with_both_notes_as_origins(db: AsyncSession) -> None:
    user = await staff(db)
    meeting = await session(db)
    offer, concern, want = await posted(
        db,
        meeting,
        ("offer", "車で送迎ができます"),
        ("concern", "通院の足がない"),
        ("want", "病院まで付き添いたい"),
    )
    match = await matching.decide(
        db, meeting, Actor.staff(user), offer_id=offer, concern_id=concern, status="confirmed"
    )
    notes, title = await projects.promotable_notes(db, meeting, match_id=match.id)
    assert [n.id for n in notes] == [concern, offer] and title == "通院の足がない"
    data = projects.ProjectInput("通院の送迎", "説明", "idea", "", ["tsurukawa"], [])
    project, _ = await projects.promote(db, meeting, Actor.staff(user), data, match_id=match.id)
    origins = (await db.exec(select(ProjectOrigin).where(ProjectOrigin.project_id == project.id))).all()
    assert sorted((o.note_id, o.kind) for o in origins) == sorted([(offer, "offer"), (concern, "concern")])
    dismissed = await matching.decide(
        db, meeting, Actor.staff(user), offer_id=want, concern_id=concern, status="dismissed"
    )
    with pytest.raises(UserError):
        await projects.promotable_notes(db, meeting, match_id=dismissed.id)


def test_the_promote_form_takes_a_confirmed_match(client: TestClient[Litestar]) -> None:
    meeting_id, ids = _board(client)
    data = {"offer_id": str(ids["offer"]), "concern_id": str(ids["concern"]), "status": "confirmed"}
    assert post_form(client, f"/f/sessions/{meeting_id}/matches", data, htmx=True).status_code == 200
    panel = client.get(f"/f/sessions/{meeting_id}/matches").text
    link = re.search(r'href="(/f/sessions/\d+/promote\?match=\d+)"', panel)
    assert link
    form = client.get(link.group(1))
    assert form.status_code == 200 and "通院の足がなくて困っている" in form.text
    match_id = link.group(1).rsplit("=", 1)[1]
    made = post_form(
        client, f"/f/sessions/{meeting_id}/promote", {"match": match_id, "title": "送迎", "status": "idea"}
    )
    assert made.status_code == 303
    sign_in(client, "c@example.jp")  # a coordinator only: no promote button (the form is the facilitators')
    assert "promote?match=" not in client.get("/c/matching?district=tsurukawa").text


async def test_a_deleted_note_keeps_its_match_counted_without_text(db: AsyncSession) -> None:
    """As a project keeps its origin's count: the author deleting their note, or retention removing it."""
    user = await staff(db)
    meeting = await session(db)
    person, _ = await boards.join_meeting(db, meeting)
    ids = []
    for kind, text in (("offer", "車で送迎ができます"), ("concern", "通院の足がない")):
        change = await boards.post_note(db, meeting, person, kind=kind, text=text)
        ids.append(change.note_id or 0)  # type: ignore[union-attr]
    await matching.decide(
        db,
        meeting,
        Actor.staff(user),
        offer_id=ids[0],
        concern_id=ids[1],
        status="confirmed",
        agreed="通院の足がないので送る",
    )
    await boards.delete_note(db, meeting, ids[1], boards.Actor(participant_id=person.id))
    db.expunge_all()
    (match,) = (await db.exec(select(Match))).all()
    assert (match.offer_note_id, match.concern_note_id) == (ids[0], None)
    (shown,) = await matching.confirmed_matches(db, [meeting])
    assert shown.concern is None and shown.agreed == ""
    assert (await indicators.indicators(db, current_fiscal_year())).matches == 1
    with pytest.raises(UserError):
        await projects.promotable_notes(db, meeting, match_id=match.id)
