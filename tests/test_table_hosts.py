"""Table hosts (テーブルホスト, issue 15): a host groups and names groups of their own table only,
from a phone (a participant made host by the facilitator or by a one-time link) or a tablet (a
signed-in staff member); the plenary merges groups of several tables into one theme."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.service import create_user
from server.boards import clusters, tables, voting
from server.boards import service as boards
from server.boards.models import Cluster, Note, Participant
from server.errors import ErrorKind, UserError
from server.projects import service as projects
from server.timeutil import utcnow
from tests.conftest import (
    FACILITATOR_EMAIL,
    Person,
    create_facilitator,
    create_open_meeting,
    post_form,
    sign_in,
)
from tests.test_live import WAIT, board_socket, post_note
from tests.test_tables import STAFF, join_table, new_meeting, set_tables, with_tables

SECRET = "test-secret"


async def seated_notes(db: AsyncSession, meeting, infos):  # type: ignore[no-untyped-def]
    """A host and a note at each table."""
    hosts, notes = [], []
    for info in infos:
        table = await tables.get_table(db, meeting, info.id)
        person = (await boards.join_meeting(db, meeting, table=table))[0]
        await tables.set_host(db, meeting, STAFF, person.id or 0, host=True)
        await boards.post_note(db, meeting, person, kind="idea", text=f"島{info.name}の付箋")
        hosts.append(person)
        notes.append((await db.exec(select(Note).where(Note.text == f"島{info.name}の付箋"))).one())
    return hosts, notes


async def test_a_host_groups_and_names_their_table_only_and_the_plenary_merges_across_tables(
    db: AsyncSession,
) -> None:
    meeting = await new_meeting(db)
    infos = await with_tables(db, meeting, "A", "B", "D")
    (host_a, host_b, _host_d), (note_a, note_b, note_d) = await seated_notes(db, meeting, infos)
    table_a, table_b = tables.hosted_table(host_a), tables.hosted_table(host_b)
    await clusters.group_as_host(db, meeting, table_a, note_a.id or 0, cluster_id=None, new=True)
    group_a = note_a.cluster_id
    assert group_a is not None and await clusters.cluster_table(db, group_a) == table_a
    await clusters.rename_as_host(db, meeting, table_a, group_a, name="子育て")
    # Another table's note, another table's group: refused, nothing changes.
    for act in (
        clusters.group_as_host(db, meeting, table_a, note_b.id or 0, cluster_id=None, new=True),
        clusters.group_as_host(db, meeting, table_b, note_b.id or 0, cluster_id=group_a),
        clusters.rename_as_host(db, meeting, table_b, group_a, name="横取り"),
    ):
        with pytest.raises(UserError) as refused:
            await act
        assert refused.value.kind == ErrorKind.FORBIDDEN
    await db.refresh(note_b)
    assert note_b.cluster_id is None and (await db.get(Cluster, group_a)).name == "子育て"  # type: ignore[union-attr]
    with pytest.raises(UserError):  # a participant who hosts no table
        tables.hosted_table((await boards.join_meeting(db, meeting))[0])

    # The plenary: the facilitator merges table B's group into table A's (one theme of two tables).
    await clusters.group_as_host(db, meeting, table_b, note_b.id or 0, cluster_id=None, new=True)
    await clusters.merge_clusters(db, meeting, note_b.cluster_id or 0, group_a, STAFF)
    await db.refresh(note_b)
    assert note_b.cluster_id == group_a and await clusters.cluster_table(db, group_a) is None
    # The theme is the plenary's now: neither host changes it.
    with pytest.raises(UserError):
        await clusters.rename_as_host(db, meeting, table_a, group_a, name="A だけ")
    with pytest.raises(UserError):
        await clusters.group_as_host(db, meeting, table_a, note_a.id or 0, cluster_id=None)
    groups, loose = await clusters.table_groups(db, meeting, table_a)
    assert groups == [] and loose == []  # the host's page: the merged theme is not theirs
    groups, loose = await clusters.table_groups(db, meeting, infos[2].id)
    assert groups == [] and [n.id for n in loose] == [note_d.id]


async def test_a_host_link_is_signed_expires_and_works_once(db: AsyncSession) -> None:
    meeting = await new_meeting(db)
    other = await new_meeting(db, "金井地区")
    infos = await with_tables(db, meeting, "A", "B")
    person = (await boards.join_meeting(db, meeting))[0]
    token = await tables.host_link(db, meeting, STAFF, infos[1].id, SECRET)
    for bad, message in (
        (token[:-1] + ("0" if token[-1] != "0" else "1"), "正しくありません"),
        (token.replace(f"-{infos[1].id}-", f"-{infos[0].id}-", 1), "正しくありません"),
    ):
        with pytest.raises(UserError) as refused:
            await tables.use_host_link(db, meeting, person, boards_actor(person), bad, SECRET)
        assert message in str(refused.value.message)
    with pytest.raises(UserError) as refused:
        await tables.host_link_table(db, other, token, SECRET)
    assert "この会のものではありません" in str(refused.value.message)
    with pytest.raises(UserError):
        await tables.host_link(db, meeting, boards_actor(person), infos[1].id, SECRET)  # staff only
    change = await tables.use_host_link(db, meeting, person, boards_actor(person), token, SECRET)
    assert person.table_host and person.table_id == infos[1].id and change.moved == {person.id: infos[1].id}
    with pytest.raises(UserError) as refused:
        await tables.use_host_link(db, meeting, person, boards_actor(person), token, SECRET)
    assert "もう使われました" in str(refused.value.message)


async def test_an_expired_host_link_is_refused(db: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    meeting = await new_meeting(db)
    infos = await with_tables(db, meeting, "A")
    token = await tables.host_link(db, meeting, STAFF, infos[0].id, SECRET)
    later = utcnow() + tables.HOST_LINK_LIFETIME + tables.timedelta(minutes=1)
    monkeypatch.setattr(tables, "utcnow", lambda: later)
    with pytest.raises(UserError) as refused:
        await tables.host_link_table(db, meeting, token, SECRET)
    assert "期限が切れています" in str(refused.value.message)


def boards_actor(person: Participant) -> Actor:
    return Actor.participant(person.id)


def note_ids_by_text(facilitator: TestClient[Litestar], meeting_id: int) -> dict[str, str]:
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    found = re.findall(
        r'<article id="note-(\d+)".*?<p class="note__text" hx-disable>([^<]+)</p>', console, re.S
    )
    return {text: note_id for note_id, text in found}


def test_a_host_by_one_time_link_groups_their_table_from_the_phone_and_only_theirs(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    host, guest, other = (
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "02"),
    )
    post_note(guest, meeting_id, "Aの島：公園")
    post_note(other, meeting_id, "Bの島：駅前")
    ids = note_ids_by_text(facilitator, meeting_id)
    note_a, note_b = ids["Aの島：公園"], ids["Bの島：駅前"]
    table_a = re.findall(
        r"/tables/(\d+)/host-link", facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )[0]
    with guest as c:
        assert c.get(f"/b/{meeting_id}/host").status_code == 403  # not a host
        refused = post_form(c, f"/b/{meeting_id}/host/notes/{note_a}/group", {"into": "new"})
        assert refused.status_code == 403 and "島のホストだけ" in refused.text
    with staff as c:
        link_page = post_form(c, f"/f/sessions/{meeting_id}/tables/{table_a}/host-link", {})
    assert link_page.status_code == 200 and "<svg" in link_page.text and "1回だけ" in link_page.text
    link = re.findall(r'href="https?://[^/"]+(/b/\d+/host-link/[^"]+)"', link_page.text)[0]
    with host as c:
        assert "ホストになりますか" in c.get(link).text
        assert post_form(c, link, {}).status_code == 303
        page = c.get(f"/b/{meeting_id}/host").text
        assert "公園" in page and "駅前" not in page
        assert "島のグループ分け（ホスト）" in c.get(f"/b/{meeting_id}").text
    with guest as c:  # the link worked once
        again = post_form(c, link, {})
        assert again.status_code == 403 and "もう使われました" in again.text
    with staff as c:
        assert post_form(c, f"/f/sessions/{meeting_id}/tables/mode/work", {}, htmx=True).status_code == 204
    with board_socket(other, meeting_id) as other_ws:
        other_ws.receive_text(timeout=WAIT)
        with host as c:
            assert (
                post_form(c, f"/b/{meeting_id}/host/notes/{note_a}/group", {"into": "new"}).status_code == 303
            )
            group = re.findall(
                r'action="/b/\d+/host/clusters/(\d+)/name"', c.get(f"/b/{meeting_id}/host").text
            )[0]
            assert (
                post_form(c, f"/b/{meeting_id}/host/clusters/{group}/name", {"name": "あそび場"}).status_code
                == 303
            )
            for path, data in (
                (f"/b/{meeting_id}/host/notes/{note_b}/group", {"into": "new"}),
                (f"/b/{meeting_id}/host/notes/{note_b}/group", {"into": group}),
            ):
                refused = post_form(c, path, data)
                assert refused.status_code == 403 and "ほかの島の付箋" in refused.text
            assert (
                post_form(c, f"/b/{meeting_id}/host/notes/{note_a}/group", {"into": "x"}).status_code == 422
            )
            assert "あそび場" in c.get(f"/b/{meeting_id}/host").text
        # Grouping is a board event like any other: the other table's phone gets its sequence
        # numbers but nothing of table A's notes.
        for _ in range(2):  # the new group, its name
            assert "公園" not in other_ws.receive_text(timeout=WAIT)
    with other as c:
        assert (
            post_form(c, f"/b/{meeting_id}/host/clusters/{group}/name", {"name": "横取り"}).status_code == 403
        )
    console = facilitator.get(f"/f/sessions/{meeting_id}").text
    assert "あそび場" in console and "横取り" not in console


def assign_staff_host(facilitator: TestClient[Litestar], meeting_id: int, table_id: str, email: str) -> None:
    page = facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    user_id = re.findall(rf'<option value="(\d+)">{re.escape(email)}</option>', page)[0]
    answer = post_form(
        facilitator, f"/f/sessions/{meeting_id}/tables/{table_id}/staff-hosts", {"user_id": user_id}
    )
    assert answer.status_code == 303, answer.text


def test_a_signed_in_staff_member_assigned_to_a_table_hosts_it_from_a_tablet_and_only_it(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    a, b = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    post_note(a, meeting_id, "Aの島：坂道")
    post_note(b, meeting_id, "Bの島：買い物")
    ids = note_ids_by_text(facilitator, meeting_id)
    table_a, table_b = re.findall(
        r'id="staff-host-(\d+)"', facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )
    # A 地区協議会 member's account (a coordinator, no facilitator role), assigned to table A.
    create_facilitator(facilitator, roles="coordinator", email="kyogikai@example.jp")
    assign_staff_host(facilitator, meeting_id, table_a, "kyogikai@example.jp")
    assert (
        "kyogikai@example.jp</span>（職員ホストのページ）"
        in facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )
    # The facilitator, not assigned, has the console; the host's page is the assigned member's.
    assert facilitator.get(f"/f/sessions/{meeting_id}/tables/{table_a}/host").status_code == 403
    member = Person(facilitator)
    with member as c:
        sign_in(c, "kyogikai@example.jp")
        base = f"/f/sessions/{meeting_id}/tables/{table_a}/host"
        page = c.get(base).text
        assert "坂道" in page and "買い物" not in page
        refused = c.get(f"/f/sessions/{meeting_id}/tables/{table_b}/host")
        assert refused.status_code == 403 and "割り当てられた職員だけ" in refused.text
        refused = post_form(c, f"{base}/notes/{ids['Bの島：買い物']}/group", {"into": "new"})
        assert refused.status_code == 403 and "ほかの島の付箋" in refused.text
        assert post_form(c, f"{base}/notes/{ids['Aの島：坂道']}/group", {"into": "new"}).status_code == 303
        assert "新しいグループ" in c.get(base).text
        assert c.get(f"/f/sessions/{meeting_id}").status_code == 403  # no console for them
    assert "新しいグループ" in facilitator.get(f"/f/sessions/{meeting_id}").text
    # Taken back: the page is refused again.
    user_id = re.findall(
        r'name="user_id" value="(\d+)"><input type="hidden" name="host" value="0">',
        facilitator.get(f"/f/sessions/{meeting_id}/tables").text,
    )[0]
    post_form(
        facilitator,
        f"/f/sessions/{meeting_id}/tables/{table_a}/staff-hosts",
        {"user_id": user_id, "host": "0"},
    )
    with member as c:
        assert c.get(f"/f/sessions/{meeting_id}/tables/{table_a}/host").status_code == 403


async def test_during_table_work_a_phone_votes_at_its_table_and_the_plenary_votes_and_promotes_across_tables(
    db: AsyncSession,
) -> None:
    meeting = await new_meeting(db)
    infos = await with_tables(db, meeting, "B", "D")
    (host_b, host_d), (note_b, note_d) = await seated_notes(db, meeting, infos)
    table_b, table_d = infos[0].id, infos[1].id
    for note, table in ((note_b, table_b), (note_d, table_d)):
        await clusters.group_as_host(db, meeting, table, note.id or 0, cluster_id=None, new=True)
    group_b, group_d = note_b.cluster_id or 0, note_d.cluster_id or 0
    await clusters.rename_as_host(db, meeting, table_b, group_b, name="B：子育て")
    await clusters.rename_as_host(db, meeting, table_d, group_d, name="D：保育")

    # Table work, voting on notes: a phone at B lists and votes for B's notes only.
    await tables.set_table_work(db, meeting, STAFF, on=True)
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("notes", 3, False, True))
    await voting.set_open(db, meeting, STAFF, open=True)
    panel = await voting.vote_panel(db, meeting, host_b)
    assert [item.id for item in panel.items] == [note_b.id]
    with pytest.raises(UserError) as refused:
        await voting.cast(db, meeting, host_b, target="note", target_id=note_d.id or 0)
    assert refused.value.kind == ErrorKind.FORBIDDEN and "自分の島" in str(refused.value.message)
    assert await voting.my_votes(db, host_b) == set()
    await voting.set_open(db, meeting, STAFF, open=False)

    # The plenary: the facilitator merges D's group into B's: one theme of two tables, which the
    # whole room votes for (groups now), and which becomes a project keeping both tables.
    await tables.set_table_work(db, meeting, STAFF, on=False)
    change = await clusters.merge_clusters(db, meeting, group_d, group_b, STAFF)
    assert change.clusters[group_b] is not None and change.clusters[group_b].tables == (table_b, table_d)
    await clusters.rename_cluster(db, meeting, group_b, STAFF, name="子育てと保育")
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("clusters", 3, False, True))
    await voting.set_open(db, meeting, STAFF, open=True)
    for voter in (host_b, host_d):
        panel = await voting.vote_panel(db, meeting, voter)
        assert [(item.kind, item.label) for item in panel.items] == [("cluster", "子育てと保育")]
        await voting.cast(db, meeting, voter, target="cluster", target_id=group_b)
    await voting.reveal(db, meeting, STAFF)
    assert [(r.label, r.votes) for r in await voting.ranking(db, meeting)] == [("子育てと保育", 2)]
    data = projects.ProjectInput(title="子育てと保育", description="", status="idea", owner="")
    user = await create_user(db, "host@example.jp", "password-1234", roles="facilitator")
    project, _ = await projects.promote(db, meeting, Actor.staff(user), data, cluster_id=group_b)
    origins = await projects.origins_of(db, project.id or 0)
    assert sorted(o.table_name for o in origins) == ["B", "D"]


def test_a_tables_wall_lists_the_groups_holding_its_notes_only(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    a, b = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    post_note(a, meeting_id, "Aの島：図書館")
    post_note(b, meeting_id, "Bの島：バス")
    ids = note_ids_by_text(facilitator, meeting_id)
    page = facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    table_a, table_b = re.findall(r'id="staff-host-(\d+)"', page)
    for table in (table_a, table_b):
        assign_staff_host(facilitator, meeting_id, table, FACILITATOR_EMAIL)
    with staff as c:
        for table, note in ((table_a, "Aの島：図書館"), (table_b, "Bの島：バス")):
            base = f"/f/sessions/{meeting_id}/tables/{table}/host"
            post_form(c, f"{base}/notes/{ids[note]}/group", {"into": "new"})
            group = re.findall(r'action="[^"]+/host/clusters/(\d+)/name"', c.get(base).text)[0]
            post_form(c, f"{base}/clusters/{group}/name", {"name": f"{note[0]}のまとめ"})
        wall = c.get(f"/f/sessions/{meeting_id}/tables/{table_a}/wall").text
    assert "Aのまとめ" in wall and "Bのまとめ" not in wall
    with board_socket(staff, meeting_id, view=f"projector&table={table_a}") as wall_ws:
        wall_ws.receive_text(timeout=WAIT)
        base = f"/f/sessions/{meeting_id}/tables/{table_b}/host"
        with staff as c:
            group_b = re.findall(r'action="[^"]+/host/clusters/(\d+)/name"', c.get(base).text)[0]
            post_form(c, f"{base}/clusters/{group_b}/name", {"name": "Bの新しい名前"})
        renamed = wall_ws.receive_text(timeout=WAIT)  # A's wall: a removal of a group it never had
        assert (
            "Bの新しい名前" not in renamed and f'<div id="cluster-{group_b}" hx-swap-oob="delete">' in renamed
        )


def make_host_by_link(staff: Person, person: Person, meeting_id: int, table_id: str) -> None:
    with staff as c:
        link_page = post_form(c, f"/f/sessions/{meeting_id}/tables/{table_id}/host-link", {})
    link = re.findall(r'href="https?://[^/"]+(/b/\d+/host-link/[^"]+)"', link_page.text)[0]
    with person as c:
        assert post_form(c, link, {}).status_code == 303


def test_a_hosts_page_is_live_its_table_only_and_acts_without_a_reload(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    other_meeting, other_code = create_open_meeting(facilitator, title="木曽地区の会", district_id="kiso")
    set_tables(facilitator, meeting_id, {"count": "2"})
    set_tables(facilitator, other_meeting, {"count": "1"})
    host, guest, other = (
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "01"),
        join_table(facilitator, code, "02"),
    )
    stranger = join_table(facilitator, other_code, "01")  # a host of another session's table
    table_a, _table_b = re.findall(
        r'id="staff-host-(\d+)"', facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )
    (other_table,) = re.findall(
        r'id="staff-host-(\d+)"', facilitator.get(f"/f/sessions/{other_meeting}/tables").text
    )
    make_host_by_link(staff, host, meeting_id, table_a)
    make_host_by_link(staff, stranger, other_meeting, other_table)
    region = f"/b/{meeting_id}/host/region"
    # Who may fetch the region: the table's host only.
    for person in (Person(facilitator), guest, other, stranger):  # no cookie, no host, another session's
        with person as c:
            assert c.get(region, follow_redirects=False).status_code in (303, 403)
    # The host's socket listens as table A's wall: a phone of table A posts, the page hears it
    # (and fetches its region); table B's note never reaches it.
    with board_socket(host, meeting_id, view="host") as host_ws:
        host_ws.receive_text(timeout=WAIT)
        post_note(other, meeting_id, "Bの島：商店街")
        heard_b = host_ws.receive_text(timeout=WAIT)
        assert "商店街" not in heard_b and 'id="note-' not in heard_b
        post_note(guest, meeting_id, "Aの島：ベンチ")
        heard_a = host_ws.receive_text(timeout=WAIT)
        assert "ベンチ" in heard_a and 'id="note-' in heard_a
    ids = note_ids_by_text(facilitator, meeting_id)
    with host as c:
        page = c.get(region)
        assert page.status_code == 200 and "ベンチ" in page.text and "商店街" not in page.text
        assert "<html" not in page.text and 'id="host-region"' in page.text
        # An htmx action answers with the region (no reload); a plain form still gets a 303.
        moved = post_form(
            c, f"/b/{meeting_id}/host/notes/{ids['Aの島：ベンチ']}/group", {"into": "new"}, htmx=True
        )
        assert moved.status_code == 200 and 'id="host-region"' in moved.text and "host-group-" in moved.text
        group = re.findall(r'id="host-group-(\d+)"', moved.text)[0]
        named = post_form(c, f"/b/{meeting_id}/host/clusters/{group}/name", {"name": "休む場所"}, htmx=True)
        assert named.status_code == 200 and 'value="休む場所"' in named.text
        refused = post_form(
            c, f"/b/{meeting_id}/host/notes/{ids['Bの島：商店街']}/group", {"into": "new"}, htmx=True
        )
        assert refused.status_code == 403 and "ほかの島の付箋" in refused.text
        assert refused.headers["hx-retarget"] == "#flash"  # the message, the region untouched
        # The host hides a note of their table from the region: it leaves the region.
        hide = f"/b/{meeting_id}/notes/{ids['Aの島：ベンチ']}/hide"
        assert f'hx-post="{hide}"' in c.get(region).text
        assert post_form(c, hide, {}, htmx=True).status_code == 204
        assert "ベンチ" not in c.get(region).text
    # Sockets: a participant who hosts no table, another session's host, no cookie: refused.
    for person in (guest, stranger, Person(facilitator)):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            board_socket(person, meeting_id, view="host") as ws,
        ):
            ws.receive_text(timeout=WAIT)
        assert closed.value.code == 4403


def test_a_staff_hosts_region_and_socket_are_their_table_only(
    facilitator: TestClient[Litestar], staff: Person
) -> None:
    meeting_id, code = create_open_meeting(facilitator)
    set_tables(facilitator, meeting_id, {"count": "2"})
    a, b = join_table(facilitator, code, "01"), join_table(facilitator, code, "02")
    post_note(a, meeting_id, "Aの島：坂道")
    post_note(b, meeting_id, "Bの島：買い物")
    table_a, table_b = re.findall(
        r'id="staff-host-(\d+)"', facilitator.get(f"/f/sessions/{meeting_id}/tables").text
    )
    create_facilitator(facilitator, roles="coordinator", email="kyogikai@example.jp")
    assign_staff_host(facilitator, meeting_id, table_a, "kyogikai@example.jp")
    member = Person(facilitator)
    with member as c:
        sign_in(c, "kyogikai@example.jp")
        mine = c.get(f"/f/sessions/{meeting_id}/tables/{table_a}/host/region")
        assert mine.status_code == 200 and "坂道" in mine.text and "買い物" not in mine.text
        assert "/hide" not in mine.text  # a staff host does not hide notes (the facilitator does)
        assert c.get(f"/f/sessions/{meeting_id}/tables/{table_b}/host/region").status_code == 403
    # The facilitator (not assigned) and a participant are refused the region and the socket.
    assert facilitator.get(f"/f/sessions/{meeting_id}/tables/{table_a}/host/region").status_code == 403
    with a as c:
        answer = c.get(f"/f/sessions/{meeting_id}/tables/{table_a}/host/region", follow_redirects=False)
        assert answer.status_code in (303, 403)
    for person, table in ((member, table_b), (staff, table_a), (a, table_a)):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            board_socket(person, meeting_id, view=f"host&table={table}") as ws,
        ):
            ws.receive_text(timeout=WAIT)
        assert closed.value.code == 4403
    with board_socket(member, meeting_id, view=f"host&table={table_a}") as ws:
        ws.receive_text(timeout=WAIT)
        post_note(b, meeting_id, "Bの島：バス停")
        assert "バス停" not in ws.receive_text(timeout=WAIT)
        post_note(a, meeting_id, "Aの島：図書館")
        assert "図書館" in ws.receive_text(timeout=WAIT)
