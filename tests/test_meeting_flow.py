"""The rules of running a meeting: phases, the timer, clusters, the vote budget, resends, staff entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.boards import clusters, voting
from server.boards import service as boards
from server.boards.change import ClusterState
from server.boards.models import BoardEvent, Cluster, Note, Vote
from server.boards.state import board_state, catch_up
from server.errors import UserError
from server.meetings import flow
from server.meetings import service as meetings
from server.meetings.models import Meeting, MeetingStatus

STAFF = boards.Actor(user_id=1)


async def roundtable(db: AsyncSession) -> Meeting:
    data = meetings.MeetingInput("roundtable", "tsurukawa", "懇談会", "問い", None, "", "district-roundtable")
    meeting = await meetings.create_meeting(db, data, created_by=None)
    await meetings.set_status(db, meeting, Actor(user_id=1), MeetingStatus.OPEN)
    return meeting


async def count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def keys(meeting: Meeting) -> list[str]:
    return [p.key for p in flow.phases_of(meeting)]


# --- phases and timer ------------------------------------------------------------------------


async def test_the_programme_drives_the_phases_and_their_timers(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    first = flow.current_phase(meeting)
    assert first is not None and board_state(meeting).timer.left_s == first.minutes * 60
    change = await flow.go_to_phase(db, meeting, Actor(user_id=1), 1)
    second = flow.phases_of(meeting)[1]
    assert change.type == "phase_changed" and change.meaning.board_level
    assert change.board.phase_index == 1
    assert (change.board.timer.state, change.board.timer.left_s) == ("stopped", second.minutes * 60)
    with pytest.raises(UserError, match="フェーズはありません"):
        await flow.go_to_phase(db, meeting, Actor(user_id=1), len(keys(meeting)))


async def test_voting_opens_with_the_voting_phase_and_closes_after_it(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    voting_index = keys(meeting).index("voting")
    await flow.go_to_phase(db, meeting, Actor(user_id=1), voting_index)
    assert meeting.voting_open and not meeting.posting_allowed
    await flow.go_to_phase(db, meeting, Actor(user_id=1), voting_index + 1)
    assert not meeting.voting_open and meeting.posting_allowed


async def test_the_timer_starts_pauses_extends_and_resets_on_the_server_clock(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    duration = meeting.timer_duration_s
    started = await flow.start_timer(db, meeting, STAFF)
    assert started.board.timer.state == "running"
    assert meeting.timer_ends_at is not None
    with pytest.raises(UserError, match="もう動いています"):
        await flow.start_timer(db, meeting, STAFF)
    meeting.timer_ends_at -= timedelta(seconds=30)  # thirty seconds pass
    paused = await flow.pause_timer(db, meeting, STAFF)
    assert paused.board.timer.state == "paused"
    assert duration - 31 <= paused.board.timer.left_s <= duration - 29
    left = paused.board.timer.left_s
    extended = await flow.extend_timer(db, meeting, STAFF)
    assert extended.board.timer.left_s == left + 60
    reset = await flow.reset_timer(db, meeting, STAFF)
    assert (reset.board.timer.state, reset.board.timer.left_s) == ("stopped", duration)


async def test_a_running_timer_survives_a_reload(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    await flow.start_timer(db, meeting, STAFF)
    reloaded = await db.get(Meeting, meeting.id)
    assert reloaded is not None
    state = board_state(reloaded).timer
    assert state.state == "running" and state.ends_at_ms > state.now_ms


# --- clusters ----------------------------------------------------------------------------------


async def notes_of(db: AsyncSession, meeting: Meeting, *texts: str) -> list[int]:
    person, _ = await boards.join_meeting(db, meeting)
    ids = []
    for text in texts:
        change = await boards.post_note(db, meeting, person, kind="idea", text=text)
        assert not isinstance(change, Note) and change.note_id is not None
        ids.append(change.note_id)
    return ids


async def test_clusters_are_made_named_filled_merged_split_and_dissolved(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    a, b, c = await notes_of(db, meeting, "バスが少ない", "送迎ボランティア", "子ども食堂")
    made = await clusters.create_cluster(db, meeting, STAFF, name="  移動  ", note_ids=[a])
    moving = next(iter(made.clusters))
    assert made.clusters[moving] == ClusterState(id=moving, name="移動", votes=0)
    assert made.notes[a] is not None and made.notes[a].cluster_id == moving
    await clusters.move_note(db, meeting, b, STAFF, cluster_id=moving)
    kids = next(
        iter((await clusters.create_cluster(db, meeting, STAFF, name="子ども", note_ids=[c])).clusters)
    )
    await clusters.rename_cluster(db, meeting, kids, STAFF, name="子どもの居場所")
    merged = await clusters.merge_clusters(db, meeting, kids, moving, STAFF)
    assert (
        merged.clusters[kids] is None and merged.notes[c] is not None and merged.notes[c].cluster_id == moving
    )
    split = await clusters.split_off(db, meeting, c, STAFF)
    new_id = next(cid for cid, state in split.clusters.items() if state)
    assert split.clusters[new_id].name == "移動（分割）"  # type: ignore[union-attr]
    dissolved = await clusters.delete_cluster(db, meeting, moving, STAFF)
    assert {a, b} == set(dissolved.notes) and all(
        n and n.cluster_id is None for n in dissolved.notes.values()
    )
    assert await count(db, Cluster) == 1


async def test_only_facilitators_group_and_names_are_checked(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    (a,) = await notes_of(db, meeting, "ひとつ")
    with pytest.raises(UserError, match="ファシリテーター"):
        await clusters.create_cluster(db, meeting, boards.Actor(participant_id=1), name="x")
    with pytest.raises(UserError, match="40文字"):
        await clusters.create_cluster(db, meeting, STAFF, name="名" * 41)
    with pytest.raises(UserError, match="見つかりませんでした"):
        await clusters.move_note(db, meeting, a, STAFF, cluster_id=9999)
    assert await count(db, Cluster) == 0


async def test_a_merge_is_one_change_spanning_its_events(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    a, b = await notes_of(db, meeting, "一", "二")
    x = next(iter((await clusters.create_cluster(db, meeting, STAFF, name="X", note_ids=[a, b])).clusters))
    y = next(iter((await clusters.create_cluster(db, meeting, STAFF, name="Y")).clusters))
    merged = await clusters.merge_clusters(db, meeting, x, y, STAFF)
    assert merged.seq - merged.first_seq + 1 == 4  # two notes moved, one cluster kept, one gone
    missed = await catch_up(db, meeting, merged.first_seq - 1)
    assert missed.clusters[x] is None and missed.clusters[y] is not None
    assert {missed.notes[a].cluster_id, missed.notes[b].cluster_id} == {y}  # type: ignore[union-attr]


# --- voting ----------------------------------------------------------------------------------


async def test_a_vote_over_budget_is_refused_and_changes_nothing(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    ids = await notes_of(db, meeting, "一", "二", "三")
    voter, _ = await boards.join_meeting(db, meeting)
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("notes", 2, live=False, posting=False))
    await voting.set_open(db, meeting, STAFF, open=True)
    await voting.cast(db, meeting, voter, target="note", target_id=ids[0])
    await voting.cast(db, meeting, voter, target="note", target_id=ids[1])
    events = await count(db, BoardEvent)
    with pytest.raises(UserError, match="ぜんぶ使いました"):
        await voting.cast(db, meeting, voter, target="note", target_id=ids[2])
    assert await count(db, Vote) == 2 and await count(db, BoardEvent) == events
    with pytest.raises(UserError, match="もう投票"):
        await voting.cast(db, meeting, voter, target="note", target_id=ids[0])
    withdrawn = await voting.withdraw(db, meeting, voter, target="note", target_id=ids[0])
    assert withdrawn.notes[ids[0]].votes == 0  # type: ignore[union-attr]
    cast = await voting.cast(db, meeting, voter, target="note", target_id=ids[2])
    assert cast.notes[ids[2]].votes == 1  # type: ignore[union-attr]


async def test_votes_only_while_voting_is_open_and_on_the_chosen_target(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    (note,) = await notes_of(db, meeting, "一")
    voter, _ = await boards.join_meeting(db, meeting)
    with pytest.raises(UserError, match="投票の時間ではありません"):
        await voting.cast(db, meeting, voter, target="note", target_id=note)
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("clusters", 3, live=True, posting=False))
    await voting.set_open(db, meeting, STAFF, open=True)
    with pytest.raises(UserError, match="グループに投票"):
        await voting.cast(db, meeting, voter, target="note", target_id=note)
    with pytest.raises(UserError, match="1から20"):
        voting.clean_settings({"target": "notes", "budget": "0"})


async def test_no_posting_during_voting_unless_allowed(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    person, _ = await boards.join_meeting(db, meeting)
    await voting.set_open(db, meeting, STAFF, open=True)
    with pytest.raises(UserError, match="投票の時間"):
        await boards.post_note(db, meeting, person, kind="idea", text="いま書きたい")
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("notes", 3, live=False, posting=True))
    assert not isinstance(await boards.post_note(db, meeting, person, kind="idea", text="いま書きたい"), Note)


async def test_the_ranking_orders_by_votes_and_leaves_out_hidden_notes(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    a, b, c = await notes_of(db, meeting, "一", "二", "三")
    await voting.set_open(db, meeting, STAFF, open=True)
    for targets in ([a, b], [b, c], [b]):
        voter, _ = await boards.join_meeting(db, meeting)
        for target in targets:
            await voting.cast(db, meeting, voter, target="note", target_id=target)
    await boards.set_note_hidden(db, meeting, c, STAFF, hidden=True)
    ranked = await voting.ranking(db, meeting)
    assert [(r.label, r.votes) for r in ranked] == [("二", 3), ("一", 1)]


# --- phones that resend, and staff entry ----------------------------------------------------------


async def test_a_note_sent_again_with_its_client_id_is_stored_once(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    person, _ = await boards.join_meeting(db, meeting)
    first = await boards.post_note(db, meeting, person, kind="want", text="朝市", client_id="c0ffee-0001")
    again = await boards.post_note(db, meeting, person, kind="want", text="朝市", client_id="c0ffee-0001")
    assert not isinstance(first, Note) and isinstance(again, Note) and again.id == first.note_id
    assert await count(db, Note) == 1
    other, _ = await boards.join_meeting(db, meeting)
    # Another phone may use the same id by chance: it is another note.
    assert not isinstance(
        await boards.post_note(db, meeting, other, kind="want", text="朝市", client_id="c0ffee-0001"), Note
    )


async def test_staff_type_in_notes_for_people_without_a_phone(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    change = await boards.post_note_for_someone(db, meeting, STAFF, kind="concern", text="紙の付箋より")
    assert change.note is not None and change.note.by_staff and change.note.participant_id is None
    with pytest.raises(UserError, match="ファシリテーター"):
        await boards.post_note_for_someone(db, meeting, boards.Actor(participant_id=1), kind="idea", text="x")


async def test_votes_on_clusters_count_for_the_cluster(db: AsyncSession) -> None:
    meeting = await roundtable(db)
    a, b = await notes_of(db, meeting, "一", "二")
    made = await clusters.create_cluster(db, meeting, STAFF, name="まとめ", note_ids=[a, b])
    cluster = next(iter(made.clusters))
    await voting.configure(db, meeting, STAFF, voting.VotingSettings("clusters", 1, live=True, posting=False))
    await voting.set_open(db, meeting, STAFF, open=True)
    voter, _ = await boards.join_meeting(db, meeting)
    cast = await voting.cast(db, meeting, voter, target="cluster", target_id=cluster)
    assert cast.clusters[cluster] == ClusterState(id=cluster, name="まとめ", votes=1)
    assert [(r.kind, r.label, r.votes) for r in await voting.ranking(db, meeting)] == [
        ("cluster", "まとめ", 1)
    ]
