"""The spotlight over HTTP: the facilitator puts a note or a group on the projector big, phones see
which one; a hidden note is never in it, and strangers cannot move it."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import create_open_meeting, join_as, post_form, send_note


def test_the_spotlight_shows_one_visible_note_or_group_and_never_a_hidden_one(
    facilitator: TestClient[Litestar],
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    phone = join_as(facilitator, code)
    with phone as c:
        shown = send_note(c, meeting_id, "駅前に屋根のある待合所がほしい").json()["note_id"]
        secret = send_note(c, meeting_id, "家族の秘密の事情", kind="concern").json()["note_id"]
    spotlight = f"/f/sessions/{meeting_id}/spotlight"

    assert post_form(facilitator, spotlight, {"note_id": str(shown)}, htmx=True).status_code == 204
    with phone as c:
        banner = c.get(f"/b/{meeting_id}/spotlight").text
        assert "いま話しているのは" in banner and "駅前に屋根のある待合所がほしい" in banner
        assert "壁にもどす" not in banner  # the control is the console's
    assert "壁にもどす" in facilitator.get(f"/b/{meeting_id}/spotlight?view=console").text

    # Hidden while in the spotlight: gone from it on every screen; cannot be put back there.
    post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{shown}/hide", {}, htmx=True)
    with phone as c:
        assert "駅前に屋根" not in c.get(f"/b/{meeting_id}/spotlight").text
    post_form(facilitator, f"/f/sessions/{meeting_id}/notes/{secret}/hide", {}, htmx=True)
    refused = post_form(facilitator, spotlight, {"note_id": str(secret)}, htmx=True)
    assert refused.status_code == 404 and "付箋が見つかりませんでした" in refused.text

    # A group: its name and its visible notes only.
    made = post_form(
        facilitator,
        f"/f/sessions/{meeting_id}/clusters",
        {"name": "移動・送迎", "note_id": str(secret)},
        htmx=True,
    )
    assert made.status_code in (200, 204)
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    cluster_id = console.split('id="cluster-', 1)[1].split('"', 1)[0]
    assert post_form(facilitator, spotlight, {"cluster_id": cluster_id}, htmx=True).status_code == 204
    with phone as c:
        banner = c.get(f"/b/{meeting_id}/spotlight").text
        assert "移動・送迎" in banner and "家族の秘密" not in banner

    # Back to the wall; bad input is a clear message, not a 500.
    assert post_form(facilitator, spotlight, {}, htmx=True).status_code == 204
    with phone as c:
        assert "いま話しているのは" not in c.get(f"/b/{meeting_id}/spotlight").text
    bad = post_form(facilitator, spotlight, {"note_id": "abc"}, htmx=True)
    assert bad.status_code == 422 and "スポットライトの指定が正しくありません" in bad.text


def test_strangers_neither_move_nor_read_the_spotlight(facilitator: TestClient[Litestar]) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    other_id, other_code = create_open_meeting(facilitator, title="ほかの会")
    phone = join_as(facilitator, code)
    stranger = join_as(facilitator, other_code)
    with phone as c:
        note = send_note(c, meeting_id, "ひみつではない付箋").json()["note_id"]
    assert (
        post_form(facilitator, f"/f/sessions/{meeting_id}/spotlight", {"note_id": str(note)}).status_code
        == 204
    )
    with stranger as c:
        assert c.get(f"/b/{meeting_id}/spotlight").status_code == 403
        assert c.get(f"/b/{meeting_id}/spotlight?view=projector").status_code == 403
        moved = post_form(c, f"/f/sessions/{meeting_id}/spotlight", {})
        assert moved.status_code in (302, 303, 401, 403)
    # Another session's note cannot be put in this one's spotlight.
    wrong = post_form(facilitator, f"/f/sessions/{other_id}/spotlight", {"note_id": str(note)})
    assert wrong.status_code == 404
