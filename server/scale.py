"""What changes when yoriai runs as several workers: the live boards' channels backend and
the rate limits' store. Both stay in memory on a laptop; ``YORIAI_CHANNELS_URL=redis://…``
moves them to Redis so that every worker (on one or several machines) shares them.
"""

from __future__ import annotations

from typing import Any

from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from server.config import Settings
from server.web.ratelimit import RateLimits, default_limits, redis_limits


def _redis(url: str) -> Any:
    from redis.asyncio import Redis

    return Redis.from_url(url)


def channels_backend(settings: Settings) -> ChannelsBackend:
    """In memory for one process; Redis pub/sub for several.

    Pub/sub (not streams) is enough: a screen that missed messages catches up from the
    database's event log with ``?after=N``, so the channel never needs history.
    """
    if not settings.channels_url:
        return MemoryChannelsBackend()
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend

    return RedisChannelsPubSubBackend(redis=_redis(settings.channels_url), key_prefix="yoriai")


def rate_limits(settings: Settings) -> RateLimits:
    if not settings.channels_url:
        return default_limits()
    return redis_limits(_redis(settings.channels_url))
