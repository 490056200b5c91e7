"""Names for what Litestar injects into handlers (explicit markers, as Litestar 3 will require).

A handler asks for what it needs by parameter name and marker; ``server.web.who`` provides the
who-is-asking ones, once per request."""

from __future__ import annotations

from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.accounts.models import User
from server.boards.models import Participant
from server.meetings.models import Meeting

#: The request's database session (one per request, closed after it).
DB = NamedDependency[AsyncSession]
#: The channels plugin that carries committed board changes to every websocket.
Channels = NamedDependency[ChannelsPlugin]
#: ``user``: the signed-in staff member (the router's or handler's guard checked the role).
CurrentUser = NamedDependency[User]
#: ``meeting``: the session of the path's ``meeting_id`` (404 when there is none).
CurrentMeeting = NamedDependency[Meeting]
#: ``participant``: this browser's participant in that session (403 when it has not joined).
CurrentParticipant = NamedDependency[Participant]
#: ``participant_or_none``: the same, or None (the phone page sends a stranger to the start page).
MaybeParticipant = NamedDependency[Participant | None]
#: ``actor``: who asks the services for a change (the staff member, or on /b/ the participant).
CurrentActor = NamedDependency[Actor]
