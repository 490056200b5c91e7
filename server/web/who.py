"""Who is asking, once per request: the signed-in staff user, the session named in the path
(``meeting_id``), the participant of that session, and the ``Actor`` the services take.

Handlers name what they need as parameters (``user: CurrentUser``, ``meeting: CurrentMeeting``,
``participant: CurrentParticipant``, ``actor: CurrentActor``; see ``server.web.deps``) and
Litestar provides each once per request (``dependencies``, installed on the app;
``participant_dependencies`` on the participants' routes, where the actor is the participant).
Roles are checked before that, by the guards of the router or handler
(``server.web.auth.requires_role``); the guard keeps the user it loaded on the connection's scope,
and ``user`` reads it from there. The meeting and the participant are loaded with the request's
own database session, so that a handler may change them and commit.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.params import FromPath

from server.accounts.actor import Actor
from server.accounts.models import User
from server.boards import state as boards_state
from server.boards.models import Participant
from server.errors import Forbidden
from server.i18n import N_
from server.meetings import service as meetings
from server.meetings.models import Meeting
from server.web.auth import SignInRequired, current_user, participant_token
from server.web.deps import DB, CurrentMeeting, CurrentParticipant, CurrentUser, MaybeParticipant

NOT_A_PARTICIPANT = N_("この会にまだ参加していません。参加コードから入ってください。")


async def provide_user(request: Request[Any, Any, Any], db: DB) -> User:
    """The signed-in staff member (the guard has already checked their role)."""
    user = await current_user(request, db)
    if user is None:
        raise SignInRequired()
    return user


#: Where ``provide_meeting`` leaves the participant it read with the session: (meeting id, participant).
_PARTICIPANT_KEY = "yoriai.participant"


async def provide_meeting(request: Request[Any, Any, Any], db: DB, meeting_id: FromPath[int]) -> Meeting:
    """The session of the path's ``meeting_id``; not found (404) when there is none.

    A browser that joined it (a phone) gets its participant read by the same statement, for
    ``participant``: one trip to the database instead of two on every phone request."""
    token = participant_token(request, meeting_id)
    if token:
        meeting, participant = await boards_state.meeting_with_participant(db, meeting_id, token)
        if meeting is not None:
            request.scope[_PARTICIPANT_KEY] = (meeting_id, participant)  # type: ignore[literal-required]
            return meeting
    return await meetings.get_meeting(db, meeting_id)


async def provide_participant_or_none(
    request: Request[Any, Any, Any], db: DB, meeting: CurrentMeeting
) -> Participant | None:
    """This browser's participant in the path's session, if it joined."""
    assert meeting.id is not None
    read: tuple[int, Participant | None] | None = request.scope.get(_PARTICIPANT_KEY)  # type: ignore[assignment]
    if read is not None and read[0] == meeting.id:
        return read[1]
    return await boards_state.get_participant(db, meeting.id, participant_token(request, meeting.id))


async def participant_in(request: Request[Any, Any, Any], db: DB, meeting: Meeting) -> Participant | None:
    """This browser's participant in a session found otherwise (by its join code)."""
    return await provide_participant_or_none(request, db, meeting)


async def provide_participant(participant_or_none: MaybeParticipant) -> Participant:
    """This browser's participant in the path's session; refused (403) when it has not joined."""
    if participant_or_none is None:
        raise Forbidden(NOT_A_PARTICIPANT)
    return participant_or_none


async def provide_staff_actor(user: CurrentUser) -> Actor:
    return Actor.staff(user)


async def provide_participant_actor(participant: CurrentParticipant) -> Actor:
    return Actor.participant(participant.id)


#: On the app: every handler may ask for these.
dependencies = {
    "user": Provide(provide_user),
    "meeting": Provide(provide_meeting),
    "participant_or_none": Provide(provide_participant_or_none),
    "participant": Provide(provide_participant),
    "actor": Provide(provide_staff_actor),
}
#: On the participants' routes (/b/…): the actor is the participant.
participant_dependencies = {"actor": Provide(provide_participant_actor)}
