"""Names for what Litestar injects into handlers (explicit markers, as Litestar 3 will require)."""

from __future__ import annotations

from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

#: The request's database session (one per request, closed after it).
DB = NamedDependency[AsyncSession]
#: The channels plugin that carries committed board changes to every websocket.
Channels = NamedDependency[ChannelsPlugin]
