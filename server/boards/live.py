"""The live layer: publishes committed board changes and streams them to every screen.

A screen (phone, projector, facilitator console) opens ``/ws/boards/{id}?after=N`` where N
is the last sequence number it has applied. The socket first subscribes to the board's
channel, then sends what was committed after N (read from the database), then streams.
Messages are HTML fragments that htmx swaps out of band, keyed by element id, so applying
one twice does no harm; the server also drops anything at or below what it already sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from litestar.channels import ChannelsPlugin

from server.boards.change import BoardChange, BoardState, ClusterState, NoteState
from server.i18n import get_locale, use_locale
from server.web.eager import run_now
from server.web.serversend import FrameWriter, text_frame
from server.web.templating import environment

logger = logging.getLogger(__name__)

ViewMode = Literal["phone", "projector", "console"]


def board_channel(meeting_id: int) -> str:
    return f"board:{meeting_id}"


def publish(channels: ChannelsPlugin, change: BoardChange) -> None:
    """Hand a committed change to every subscriber of its board (on every worker)."""
    channels.publish(change.encode(), [board_channel(change.meeting_id)])


@dataclass(frozen=True)
class Viewer:
    """Who looks at the board: decides which notes they see and which controls."""

    mode: ViewMode
    meeting_id: int
    participant_id: int | None = None
    #: The language this screen reads (an English phone next to a Japanese projector).
    locale: str = field(default_factory=get_locale)
    #: The table (島) of a phone: during table work it gets that table's notes only.
    table_id: int | None = None
    #: The phone of its table's host (テーブルホスト): it may hide that table's notes.
    host: bool = False

    @property
    def can_moderate(self) -> bool:
        return self.mode == "console"

    def sees(self, note: NoteState | None) -> bool:
        """Visible notes; hidden ones on the console only, but for a note waiting to be let
        through (screened mode), which its author sees too (「確認中」)."""
        if note is None:
            return False
        return not note.hidden or self.can_moderate or (note.waiting and self.owns(note))

    def at_table(self, board: BoardState) -> bool:
        """Whether this screen sees one table only: a phone during table work, or a table's own
        wall (a projector with a table: the tablet or laptop at that table)."""
        if self.mode == "projector":
            return self.table_id is not None
        return self.mode == "phone" and board.table_work

    def reaches(self, note: NoteState | None, board: BoardState) -> bool:
        """Whether a note's change is sent to this screen at all: during table work a phone gets
        nothing of another table's notes (not even that they changed)."""
        return note is None or not self.at_table(board) or note.table_id == self.table_id

    def shows_cluster(self, cluster: ClusterState | None, board: BoardState) -> bool:
        """Whether a group is on this screen: a table's own wall shows only the groups that hold
        notes of its table (a group that no longer does is sent as a removal)."""
        return cluster is not None and (not self.at_table(board) or self.table_id in cluster.tables)

    def hosts(self, note: NoteState) -> bool:
        """Whether this phone's host controls show on a note: a visible note of the host's table."""
        return self.host and self.mode == "phone" and not note.hidden and note.table_id == self.table_id

    def note_url(self, note_id: int) -> str:
        """Where this viewer's controls for a note post to."""
        if self.mode == "console":
            return f"/f/sessions/{self.meeting_id}/notes/{note_id}"
        return f"/b/{self.meeting_id}/notes/{note_id}"

    def container_for(self, note: NoteState) -> str:
        """The list a note belongs in on this screen (phones keep one flat list; the console
        keeps waiting notes in their own panel until they are let through)."""
        if self.mode == "console" and note.waiting:
            return "#waiting-notes"
        if self.mode != "phone" and note.cluster_id:
            return f"#cluster-{note.cluster_id}-notes"
        if self.mode != "phone" and note.table_id:
            return f"#table-{note.table_id}-notes"  # the projector and console: a column per table
        return "#notes"

    def owns(self, note: NoteState | None) -> bool:
        return (
            note is not None
            and self.participant_id is not None
            and note.participant_id == self.participant_id
        )


def render_change(viewer: Viewer, change: BoardChange) -> str:
    """The one renderer of the live board: a websocket message (or a polled answer) for this
    viewer. Groups and notes (upserts and removals), projects, counts, the session's state when
    the change's kind says it changed, the panels phones must fetch again, and the new seq.
    A note this viewer may not see is sent as a removal; during table work a phone gets nothing
    of another table's notes. A screen whose view changed as a whole (the tables were set, the
    room went to table work or the plenary, this phone moved table) is told to load its page again."""
    meaning = change.meaning
    reload = meaning.reloads_screens or (
        viewer.mode == "phone"
        and (
            meaning.reloads_phones
            or (viewer.participant_id is not None and viewer.participant_id in change.moved)
        )
    )
    with use_locale(viewer.locale):
        return (
            environment()
            .get_template("boards/_live.html")
            .render(
                viewer=viewer,
                seq=change.seq,
                notes=[
                    (note_id, note if viewer.sees(note) else None)
                    for note_id, note in change.notes.items()
                    if viewer.reaches(note, change.board)
                ],
                clusters=[
                    (cluster_id, cluster if viewer.shows_cluster(cluster, change.board) else None)
                    for cluster_id, cluster in change.clusters.items()
                ]
                if viewer.mode != "phone"
                else [],
                projects=[project for project in change.projects.values() if project],
                counts=change.counts,
                board=change.board,
                board_changed=meaning.board_level,
                reload_votes=meaning.reloads_votes,
                reload_projects=meaning.reloads_projects,
                reload_page=reload,
                # Each screen gets the counts it shows: a table's own wall only its own.
                table_counts={
                    table_id: seated
                    for table_id, seated in change.table_counts.items()
                    if viewer.mode != "phone" and (viewer.table_id is None or table_id == viewer.table_id)
                },
            )
        )


#: Which rendering a viewer gets: every phone but an author's (or one that moved table) gets the
#: same bytes, per table during table work: rendered once per (kind of viewer, table), never per socket.
RenderKey = tuple[ViewMode, int | None, str, int | None, bool]


class Outgoing:
    """A change on its way to the screens of one board: a published change (decoded once per
    process for every socket of its board) or a catch-up (read once for the sockets that
    share it). Its fragment is rendered once per kind of viewer, and framed once for the
    sockets that take frames (``server.web.serversend``)."""

    __slots__ = ("_fragments", "_frames", "authors", "change", "first_seq", "moved", "seq")

    def __init__(self, change: BoardChange) -> None:
        self.change = change
        self.seq = change.seq
        self.first_seq = change.first_seq or change.seq
        self.authors = change.authors
        self.moved = change.moved
        self._fragments: dict[RenderKey, str] = {}
        self._frames: dict[RenderKey, bytes] = {}

    @classmethod
    def decode(cls, data: bytes | str) -> Outgoing:
        return cls(BoardChange.decode(data))

    def _key(self, viewer: Viewer) -> RenderKey:
        own = viewer.participant_id in self.authors or viewer.participant_id in self.moved
        own_id = viewer.participant_id if own else None
        # A host's phone has its own rendering (its table's controls), one per table's hosts.
        table_id = viewer.table_id if viewer.at_table(self.change.board) or viewer.host else None
        return (viewer.mode, own_id, viewer.locale, table_id, viewer.host)

    def fragment_for(self, viewer: Viewer) -> str:
        key = self._key(viewer)
        fragment = self._fragments.get(key)
        if fragment is None:
            mode, own_id, locale, table_id, host = key
            shared = Viewer(mode, viewer.meeting_id, own_id, locale, table_id, host)
            fragment = self._fragments[key] = render_change(shared, self.change)
        return fragment

    def frame_for(self, viewer: Viewer) -> bytes:
        """The fragment as a whole websocket frame, built once for every socket that gets it."""
        key = self._key(viewer)
        frame = self._frames.get(key)
        if frame is None:
            frame = self._frames[key] = text_frame(self.fragment_for(viewer))
        return frame


class BoardStream:
    """One screen's websocket: sends each committed change once, in order, with no gaps.

    The board's feed ``push``es every published change. A socket that can take it gets it at
    once, in the pusher's turn of the event loop: no task, queue or wake-up, because that is what
    a thousand sockets cost per note. A send that must wait (the socket's buffer is full) gets a
    task, and changes pushed meanwhile wait in a short queue. A socket that falls further behind
    than ``MAX_PENDING`` changes is dropped (``on_overrun``): the phone reconnects with
    ``?after=`` and catches up from the database, and the others never wait for it."""

    MAX_PENDING = 64

    __slots__ = (
        "_busy",
        "_load_missed",
        "_on_overrun",
        "_pending",
        "_send",
        "_task",
        "_write_frame",
        "dropped",
        "last_sent",
        "viewer",
    )

    def __init__(
        self,
        viewer: Viewer,
        last_sent: int,
        load_missed: Callable[[int], Awaitable[Outgoing]],
        send: Callable[[str], Coroutine[Any, Any, None]],
        on_overrun: Callable[[], None] | None = None,
        write_frame: FrameWriter | None = None,
    ) -> None:
        self.viewer = viewer
        self.last_sent = last_sent
        self._load_missed = load_missed  # async (after) -> the catch-up from there
        self._send = send  # async (text) -> None: one websocket message
        self._on_overrun = on_overrun
        #: Writes a ready-made frame when the socket can take it now (server/web/serversend.py).
        self._write_frame = write_frame
        self._pending: deque[Outgoing] | None = None  # made when first needed (most never are)
        self._busy = True  # until ``open`` has sent the catch-up: pushes wait in the queue
        self._task: asyncio.Task[None] | None = None
        self.dropped = False

    async def catch_up(self) -> None:
        if self.dropped:
            return  # closed (or replaced) while it waited for its turn to read
        missed = await self._load_missed(self.last_sent)
        if self.dropped:
            return  # stopped while it read (closed, or replaced by a newer socket): send nothing
        if missed.seq > self.last_sent or self.last_sent == 0:
            await self._send(missed.fragment_for(self.viewer))
        self.last_sent = max(self.last_sent, missed.seq)

    async def open(self) -> None:
        """After subscribing: send what was missed, then what was pushed meanwhile."""
        await self.catch_up()
        await self._drain()

    def push(self, data: Outgoing | bytes) -> None:
        """A published change: sent now if the socket can take it, else queued."""
        if self.dropped:
            return
        change = data if isinstance(data, Outgoing) else Outgoing.decode(data)
        self._follow(change)
        if self._busy:  # the catch-up, or a send that waits: in order, after them
            self._queue(change)
            return
        if change.seq <= self.last_sent:
            return  # already sent by the catch-up
        if change.first_seq > self.last_sent + 1:
            self._queue(change)  # a gap to fill from the database: the slow path
            self._busy = True
            self._task = run_now(self._drain())
            return
        self.last_sent = change.seq
        if self._write_frame is not None and self._write_frame(change.frame_for(self.viewer)):
            return  # the common case: the same bytes as every other phone, no coroutine
        try:
            waiting = run_now(self._send(change.fragment_for(self.viewer)))
        except Exception:  # a broken socket: its handler notices and leaves
            logger.debug("board socket send failed", exc_info=True)
            self.stop()
            return
        if waiting is not None:  # the socket's buffer is full: what comes next waits its turn
            self._busy, self._task = True, waiting
            waiting.add_done_callback(self._sent)

    def _follow(self, change: Outgoing) -> None:
        """A phone whose participant moved table (島) renders for the new table from this change on."""
        participant_id = self.viewer.participant_id
        if change.moved and participant_id is not None and participant_id in change.moved:
            self.viewer = replace(self.viewer, table_id=change.moved[participant_id])

    def _queue(self, change: Outgoing) -> None:
        if self._pending is None:
            self._pending = deque()
        if len(self._pending) >= self.MAX_PENDING:
            self.drop()
            return
        self._pending.append(change)

    def _sent(self, task: asyncio.Task[None]) -> None:
        """A send that had to wait is done: go on with what was pushed meanwhile."""
        if self._task is task:
            self._busy, self._task = False, None
        if task.cancelled() or task.exception() is not None:
            if not task.cancelled():
                logger.debug("board socket send failed", exc_info=task.exception())
            self.stop()
            return
        if self._pending and not self._busy and not self.dropped:
            self._busy = True
            self._task = run_now(self._drain())

    def stop(self) -> None:
        """Send nothing more (the socket left, or broke)."""
        self.dropped = True
        self._pending = None
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()  # a send waiting on a socket that does not read

    def drop(self) -> None:
        """The socket fell too far behind: stop, and have it closed (the phone reconnects)."""
        if not self.dropped and self._on_overrun is not None:
            self._on_overrun()
        self.stop()

    async def _drain(self) -> None:
        try:
            while self._pending and not self.dropped:
                await self.on_published(self._pending.popleft())
        except Exception:  # a broken socket: its handler notices and leaves
            logger.debug("board socket send failed", exc_info=True)
            self.stop()
        finally:
            self._busy, self._task = False, None

    async def on_published(self, data: Outgoing | bytes) -> None:
        change = data if isinstance(data, Outgoing) else Outgoing.decode(data)
        if change.seq <= self.last_sent:
            return  # already sent by the catch-up
        if change.first_seq > self.last_sent + 1:
            # Publications of two writers can cross: fill the gap from the database.
            await self.catch_up()
            if change.seq <= self.last_sent:
                return
        await self._send(change.fragment_for(self.viewer))
        self.last_sent = change.seq


@dataclass
class _Feed:
    streams: set[BoardStream] = field(default_factory=set)
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    failed: bool = False


class BoardHub:
    """One channel subscription per board and process, shared by the board's sockets.

    Each committed change is taken from the channel once and pushed to every socket of the
    board in one go, as a bare broadcast server does, instead of a subscriber, a queue and a
    task per socket. Fragments are rendered once per kind of viewer (``Outgoing``)."""

    def __init__(self, channels: ChannelsPlugin) -> None:
        self._channels = channels
        self._feeds: dict[int, _Feed] = {}

    @asynccontextmanager
    async def listen(self, meeting_id: int, stream: BoardStream) -> AsyncIterator[None]:
        """Subscribed on entry (so the stream's catch-up misses nothing); left on exit."""
        feed = self._feeds.get(meeting_id)
        if feed is None:
            feed = self._feeds[meeting_id] = _Feed()
            feed.task = asyncio.create_task(self._pump(meeting_id, feed))
        feed.streams.add(stream)
        try:
            await feed.subscribed.wait()
            if feed.failed:
                raise RuntimeError(f"could not subscribe to board {meeting_id}")
            yield
        finally:
            feed.streams.discard(stream)
            stream.stop()
            if not feed.streams and self._feeds.get(meeting_id) is feed:
                del self._feeds[meeting_id]
                assert feed.task is not None
                feed.task.cancel()

    async def _pump(self, meeting_id: int, feed: _Feed) -> None:
        try:
            async with self._channels.start_subscription([board_channel(meeting_id)]) as subscriber:
                feed.subscribed.set()
                async for data in subscriber.iter_events():
                    change = Outgoing.decode(data)  # decoded once, rendered once per kind of viewer
                    for stream in list(feed.streams):
                        stream.push(change)
        except Exception:
            logger.exception("the feed of board %s failed", meeting_id)
            for stream in list(feed.streams):
                stream.drop()
        finally:
            feed.failed = True
            feed.subscribed.set()
            if self._feeds.get(meeting_id) is feed:
                del self._feeds[meeting_id]
